// Round trips of every state description (save, load into a fresh object,
// compare every field), the GIC on both versions and at reset, the TYPER2
// subsection (present, absent, mismatched), and validators refusing states
// that do not fit.
#include "cpu/cpu_snapshot.hpp"
#include "cpu/cpu_state_desc.hpp"
#include "hw/pl011_desc.hpp"
#include "hw/pl031_desc.hpp"
#include "hw/virtio/virtio_mmio_desc.hpp"
#include "hw/virtio/virtio_rng.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gic_state_desc.hpp"
#include "intc/gicv3/gicv3.hpp"
#include "machine/virt/virt_snapshot.hpp"
#include "savevm/mirrored_object.hpp"
#include "savevm/snapshot_stream.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <random>

using namespace kestrel;
using namespace kestrel::savevm;

namespace {

std::mt19937_64 rng(12345);

// Fills a struct of integers with random bytes (every member differs from
// its default, so a field missing from a description cannot go unnoticed).
template <typename T> void randomize_pod(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint8_t buf[sizeof(T)];
    for (auto& b : buf)
        b = static_cast<uint8_t>(rng());
    std::memcpy(&v, buf, sizeof(T));
}

template <typename T> void randomize_vec(std::vector<T>& v) {
    for (auto& e : v)
        e = static_cast<T>(rng());
}

// Saves obj with desc and loads the payload into a fresh T.
template <typename T, typename Desc> T round_trip(const T& obj, const Desc& desc, T fresh = T{}) {
    ByteWriter w;
    save_section_payload(w, obj, desc);
    ByteReader r(w.data().data(), w.size(), "test");
    load_section_payload(r, fresh, desc, desc.version);
    CHECK(r.remaining() == 0);
    return fresh;
}

bool contains(const std::vector<uint8_t>& hay, const std::string& needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

GicConfig gic_config(GicVersion v, unsigned ncpus) {
    GicConfig c;
    c.version = v;
    c.cpu_mpidr = GicConfig::virt_mpidrs(ncpus);
    return c;
}

// Every non-ID field of a GIC state set to random values.
void randomize_gic(GicV3State& s) {
    s.gicd_ctlr = static_cast<uint32_t>(rng());
    s.gicd_statusr = static_cast<uint32_t>(rng());
    for (auto* v : {&s.group, &s.enabled, &s.pending, &s.active, &s.level, &s.edge_trigger})
        randomize_vec(*v);
    randomize_vec(s.priority);
    randomize_vec(s.irouter);
    for (auto& c : s.cpu) {
        uint64_t typer = c.gicr_typer;
        randomize_pod(c.gicr_ctlr);
        randomize_pod(c.gicr_statusr);
        randomize_pod(c.gicr_waker);
        randomize_pod(c.gicr_propbaser);
        randomize_pod(c.gicr_pendbaser);
        randomize_pod(c.gicr_vpropbaser);
        randomize_pod(c.gicr_vpendbaser);
        randomize_pod(c.gicr_vsgir);
        randomize_pod(c.group);
        randomize_pod(c.enabled);
        randomize_pod(c.pending);
        randomize_pod(c.active);
        randomize_pod(c.level);
        randomize_pod(c.edge_trigger);
        randomize_pod(c.priority);
        randomize_pod(c.icc_ctlr);
        randomize_pod(c.icc_pmr);
        randomize_pod(c.icc_bpr);
        randomize_pod(c.icc_igrpen);
        randomize_pod(c.icc_apr);
        randomize_pod(c.icc_sre);
        c.gicr_typer = typer;
        // LPIs stay off: their pending tables would be read from RAM.
        c.gicr_ctlr &= ~1u;
    }
    randomize_pod(s.its.ctlr);
    randomize_pod(s.its.cbaser);
    randomize_pod(s.its.cwriter);
    randomize_pod(s.its.creadr);
    randomize_pod(s.its.baser);
}

// A GIC's snapshot object as the virt board registers it.
std::unique_ptr<StateObject> gic_object(GicV3& g) {
    return make_mirrored_object<GicV3State>(
        kGicSection, 0,
        {[&g] { return g.state(); },
         [&g](const GicV3State& st) { return gic_snapshot_problem(g, st); },
         [&g](const GicV3State& st) { g.load_state(st); }});
}

std::vector<uint8_t> save_objects(std::initializer_list<StateObject*> objs,
                                  const ConfigRecord& cfg = {{"machine", "test"}}) {
    std::vector<StateObject*> v(objs);
    return write_snapshot(cfg, v, {});
}

void load_objects(const std::vector<uint8_t>& stream, std::initializer_list<StateObject*> objs,
                  const ConfigRecord& cfg = {{"machine", "test"}}) {
    std::vector<StateObject*> v(objs);
    read_snapshot(stream, cfg, v, {});
}

} // namespace

TEST_CASE("CPU state: every register, FP/SIMD, exclusive monitor and system register") {
    for (int round = 0; round < 20; round++) {
        CpuSnapshotState st;
        randomize_pod(st.s);
        randomize_pod(st.sys);
        st.run_state = static_cast<uint8_t>(rng() % 4);
        st.exit_code = static_cast<int32_t>(rng());
        CpuSnapshotState back = round_trip(st, kCpuSection);
        CHECK(back == st);
        CHECK(std::memcmp(back.s.v, st.s.v, sizeof st.s.v) == 0);
        CHECK(back.sys.cntv_cval_el0 == st.sys.cntv_cval_el0);
        CHECK(back.s.excl_addr == st.s.excl_addr);
    }
}

TEST_CASE("CPU state through a core: captured, installed on another core, caches rebuilt") {
    Bus bus;
    bus.add_ram(0x40000000, 1 << 20, "ram");
    auto model = find_cpu_model("cortex-a57");
    REQUIRE(model);
    Cpu a(0, *model, bus), b(0, *model, bus);
    a.s.x[5] = 0x1234;
    a.s.v[31] = {1, 2};
    a.s.fpcr = 0x03c00000;
    a.s.fpsr = 0x8000001f;
    a.s.excl_addr = 0x40001000;
    a.s.excl_size = 8;
    a.s.el = 0;
    a.sys.tpidr_el0 = 77;
    a.sys.cntv_ctl_el0 = 1;
    a.sys.cntv_cval_el0 = 0; // condition met: the timer line must come up on the copy
    a.run_state = CpuRunState::WaitForInterrupt;
    bool line = false;
    b.timer.irq_out[GenericTimer::kVirt] = [&line](bool level) { line = level; };
    auto oa = make_mirrored_object<CpuSnapshotState>(
        kCpuSection, 0, {[&a] { return capture_cpu_snapshot(a); }, {}, {}});
    auto ob = make_mirrored_object<CpuSnapshotState>(
        kCpuSection, 0,
        {[&b] { return capture_cpu_snapshot(b); },
         [](const CpuSnapshotState& st) { return cpu_snapshot_problem(st, 1); },
         [&b](const CpuSnapshotState& st) { restore_cpu_snapshot(b, st); }});
    auto stream = save_objects({oa.get()});
    load_objects(stream, {ob.get()});
    CHECK(b.s == a.s);
    CHECK(b.sys == a.sys);
    CHECK(b.run_state == CpuRunState::WaitForInterrupt);
    CHECK(b.mmu_idx() == kMmuIdxEl0); // recomputed for EL0
    CHECK(line);
}

TEST_CASE("CPU validator refuses states the machine cannot run") {
    CpuSnapshotState st;
    CHECK_FALSE(cpu_snapshot_problem(st, 1));
    st.s.el = 2;
    CHECK(cpu_snapshot_problem(st, 1)->find("EL2") != std::string::npos);
    CHECK_FALSE(cpu_snapshot_problem(st, 2));
    st.s.el = 1;
    st.run_state = 9;
    CHECK(cpu_snapshot_problem(st, 1));
    st.run_state = 0;
    st.s.excl_size = 3;
    CHECK(cpu_snapshot_problem(st, 1));
    st.s.excl_size = 0;
    st.s.spsel = 2;
    CHECK(cpu_snapshot_problem(st, 1));
}

TEST_CASE("GIC state round trip on GICv3 and GICv4.1, random and at reset") {
    for (GicVersion v : {GicVersion::V3, GicVersion::V4_1}) {
        CAPTURE(static_cast<int>(v));
        GicConfig cfg = gic_config(v, 3);
        // Reset state.
        GicV3State reset = gic_initial_state(cfg);
        CHECK(round_trip(reset, kGicSection) == reset);
        // Random state through two GIC objects.
        GicV3 src(cfg), dst(cfg);
        GicV3State st = src.state();
        randomize_gic(st);
        src.load_state(st);
        REQUIRE(src.state() == st);
        auto os = gic_object(src);
        auto od = gic_object(dst);
        auto stream = save_objects({os.get()});
        load_objects(stream, {od.get()});
        CHECK(dst.state() == st);
        CHECK(dst.state().gicd_typer2 == (v == GicVersion::V4_1 ? 0x18fu : 0u));
    }
}

TEST_CASE("TYPER2 travels in subsection gicv3/typer2 only when non-zero; absent means 0") {
    GicV3 v3(gic_config(GicVersion::V3, 1)), v41(gic_config(GicVersion::V4_1, 1));
    auto o3 = gic_object(v3);
    auto o41 = gic_object(v41);
    auto s3 = save_objects({o3.get()});
    auto s41 = save_objects({o41.get()});
    CHECK_FALSE(contains(s3, "gicv3/typer2"));
    CHECK(contains(s41, "gicv3/typer2"));
    // Loading a stream without the subsection sets TYPER2 to 0.
    ByteWriter w;
    save_section_payload(w, v3.state(), kGicSection);
    GicV3State staged = v41.state();
    REQUIRE(staged.gicd_typer2 != 0);
    ByteReader r(w.data().data(), w.size(), "test");
    load_section_payload(r, staged, kGicSection, 1);
    CHECK(staged.gicd_typer2 == 0);
    // And a stream with it restores the value.
    ByteWriter w2;
    save_section_payload(w2, v41.state(), kGicSection);
    GicV3State staged2 = v3.state();
    ByteReader r2(w2.data().data(), w2.size(), "test");
    load_section_payload(r2, staged2, kGicSection, 1);
    CHECK(staged2.gicd_typer2 == v41.state().gicd_typer2);
}

TEST_CASE("a TYPER2 that differs fails the load, names both values, leaves the GIC alone") {
    GicV3 v3(gic_config(GicVersion::V3, 2)), v41(gic_config(GicVersion::V4_1, 2));
    GicV3State before3 = v3.state();
    GicV3State st = v3.state();
    randomize_gic(st);
    v3.load_state(st);
    before3 = v3.state();
    auto o3 = gic_object(v3);
    auto o41 = gic_object(v41);
    std::string msg;
    try {
        load_objects(save_objects({o41.get()}), {o3.get()});
    } catch (const LoadError& e) {
        msg = e.what();
    }
    CHECK(msg.find("snapshot was taken on a GICv4.1 GIC") != std::string::npos);
    CHECK(msg.find("nASSGIcap=1") != std::string::npos);
    CHECK(msg.find("this machine is GICv3 (TYPER2=0)") != std::string::npos);
    CHECK(v3.state() == before3);
    // The other way round.
    GicV3State before41 = v41.state();
    msg.clear();
    try {
        load_objects(save_objects({o3.get()}), {o41.get()});
    } catch (const LoadError& e) {
        msg = e.what();
    }
    CHECK(msg.find("snapshot was taken on a GICv3 (TYPER2=0), this machine is GICv4.1 GIC") !=
          std::string::npos);
    CHECK(v41.state() == before41);
    // Two GICv4.1 that differ only in nASSGIcap (as KVM hosts can).
    auto m = gic_typer2_mismatch(0x18f, 0x08f);
    REQUIRE(m);
    CHECK(m->find("nASSGIcap=1") != std::string::npos);
    CHECK(m->find("nASSGIcap=0") != std::string::npos);
}

TEST_CASE("a GIC snapshot with another CPU count is refused") {
    GicV3 one(gic_config(GicVersion::V3, 1)), two(gic_config(GicVersion::V3, 2));
    auto o1 = gic_object(one);
    auto o2 = gic_object(two);
    CHECK_THROWS_WITH_AS(load_objects(save_objects({o2.get()}), {o1.get()}),
                         doctest::Contains("redistributors"), LoadError);
}

TEST_CASE("PL011: registers, receive FIFO and latches round trip; a long FIFO is refused") {
    Pl011 a(nullptr), b(nullptr);
    a.write(Pl011::kLCR_H, 4, Pl011::kLcrFen | 0x60);
    a.write(Pl011::kIBRD, 4, 0x27);
    a.write(Pl011::kFBRD, 4, 0x4);
    a.write(Pl011::kIMSC, 4, Pl011::kIntRx | Pl011::kIntRt);
    a.write(Pl011::kIFLS, 4, 0x2);
    a.write(Pl011::kCR, 4, 0x301);
    a.write(Pl011::kDMACR, 4, 0x1);
    a.write(Pl011::kILPR, 4, 0x9);
    for (uint8_t c : {'a', 'b', 'c'})
        a.receive(c);
    bool line = false;
    b.irq.connect([&line](bool l) { line = l; });
    Pl011State st = a.save_state();
    Pl011State back = round_trip(st, kPl011Section);
    CHECK(back == st);
    b.load_state(back);
    CHECK(b.save_state() == st);
    CHECK(line == a.irq.level());
    uint64_t v = 0;
    b.read(Pl011::kDR, 4, v);
    CHECK(v == 'a');
    back.rx.assign(17, 'x');
    CHECK_FALSE(Pl011::valid_state(back));
    // Every field, random.
    Pl011State r;
    for (uint32_t* f : {&r.ilpr, &r.ibrd, &r.fbrd, &r.lcr_h, &r.cr, &r.ifls, &r.imsc, &r.dmacr,
                        &r.rsr, &r.ris})
        *f = static_cast<uint32_t>(rng());
    r.rx = {0x101, 0x202, 0x303};
    CHECK(round_trip(r, kPl011Section) == r);
}

TEST_CASE("PL031, virtio-mmio and board state round trip") {
    Pl031State rtc;
    randomize_pod(rtc);
    CHECK(round_trip(rtc, kPl031Section) == rtc);

    VirtioSnapshotState vs;
    vs.device_id = 2;
    randomize_pod(vs.transport.device_features_sel);
    randomize_pod(vs.transport.driver_features_sel);
    randomize_pod(vs.transport.driver_features);
    randomize_pod(vs.transport.queue_sel);
    randomize_pod(vs.transport.interrupt_status);
    randomize_pod(vs.transport.status);
    randomize_pod(vs.transport.config_generation);
    for (int i = 0; i < 2; i++) {
        VirtqConfig q;
        randomize_pod(q.num);
        randomize_pod(q.num_max);
        q.ready = true;
        randomize_pod(q.desc);
        randomize_pod(q.avail);
        randomize_pod(q.used);
        randomize_pod(q.last_avail);
        randomize_pod(q.used_idx);
        vs.transport.queues.push_back(q);
    }
    CHECK(round_trip(vs, kVirtioMmioSection) == vs);

    BoardSnapshotState board{0x123456789, true};
    CHECK(round_trip(board, kBoardSection) == board);
}

TEST_CASE("virtio validator: device kind and queue shape must fit") {
    Bus bus;
    VirtioMmio t(bus, std::make_unique<VirtioRng>(), {});
    VirtioSnapshotState st;
    st.device_id = 4;
    st.transport.queues.resize(1);
    CHECK(virtio_state_mismatch(st, t).empty());
    st.device_id = 2;
    CHECK(virtio_state_mismatch(st, t).find("device 2") != std::string::npos);
    st.device_id = 4;
    st.transport.queues[0].num = 3;
    CHECK_FALSE(virtio_state_mismatch(st, t).empty());
    st.transport.queues.resize(2);
    CHECK_FALSE(virtio_state_mismatch(st, t).empty());
}

TEST_CASE("a vector count larger than its elements could fill is refused before allocating") {
    ByteWriter w;
    w.u32(1000); // 1000 per-CPU GIC records ...
    std::vector<uint8_t> zeros(4000);
    w.bytes(zeros.data(), zeros.size()); // ... in the space of about twenty
    std::vector<GicV3CpuState> v;
    ByteReader r(w.data().data(), w.size(), "test");
    CHECK_THROWS_WITH_AS(load_value(r, v, 1), doctest::Contains("larger than the stream"),
                         LoadError);
    CHECK(v.empty());
    CHECK(min_encoded_size<GicV3CpuState>(1) > 100);
}
