// The KVM-backed GIC against the model of the kernel's vGIC user-access
// interface (kvm_vgic_model.hpp): creation, reset, save/restore, every
// GICD_TYPER2 migration case, and state interchange with the software GIC.
#include "accel/kvm/kvm_gic.hpp"
#include "accel/kvm/kvm_gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gic_state_diff.hpp"
#include "tests/common/gic_guest_state.hpp"
#include "tests/unit/fake_kvm.hpp"
#include "tests/unit/gic_test_rig.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;
namespace g = kestrel::gic;

namespace {

constexpr uint32_t kCap = g::kTyper2NassgiCap;
const KernelBehaviour kAllKernels[] = {KernelBehaviour::PreGicV41, KernelBehaviour::V57to616,
                                       KernelBehaviour::V617};

GicConfig kvm_cfg(unsigned ncpus = 2, unsigned irqs = 256) {
    GicConfig c;
    c.version = GicVersion::V3;
    c.num_irqs = irqs;
    c.cpu_mpidr = GicConfig::virt_mpidrs(ncpus);
    return c;
}

// A VM with vCPUs and its KVM GIC on a fake kernel.
struct KvmRig {
    FakeKvm kvm;
    std::unique_ptr<KvmGic> gic;
    std::vector<std::string> warnings;

    KvmRig(KernelBehaviour b, HostGic host, unsigned ncpus = 2, bool do_init = true)
        : kvm(b, VgicHost{host}) {
        int vm = kvm.create_vm(0);
        for (unsigned i = 0; i < ncpus; i++)
            REQUIRE(kvm.create_vcpu(vm, i) >= 0);
        gic = std::make_unique<KvmGic>(kvm, vm, kvm_cfg(ncpus));
        gic->warn = [this](const std::string& m) { warnings.push_back(m); };
        gic->create();
        if (do_init) gic->init();
    }
    GicV3State pull() {
        GicV3State s;
        auto err = gic->pull_from_kernel(s);
        REQUIRE_MESSAGE(!err, *err);
        return s;
    }
    size_t typer2_writes() const { return kvm.vgic.dist_accesses(g::d::TYPER2).size(); }
};

// A state as a running guest leaves it (tests/common/gic_guest_state.hpp),
// with line levels and more edge-triggered interrupts, the virtual timer
// PPI enabled, and Linux's LPI tables.
GicV3State guest_like(GicV3State s) {
    s = test::guest_like_gic_state(s);
    test::set_linux_lpi_tables(s);
    s.pending[1] |= 0x1;
    s.level[1] = 0x00000002;
    s.edge_trigger[3] = 0x00000001;
    s.irouter[40] = 0x0;
    s.gicd_statusr = 0;
    for (GicV3CpuState& c : s.cpu) {
        c.enabled |= 0x08000000; // PPI 27 (virtual timer)
        c.level = 0x08000000;
        c.edge_trigger = 0xffff | (1u << 20);
    }
    return s;
}

bool has(const std::vector<std::string>& v, const std::string& needle) {
    for (const auto& s : v)
        if (s.find(needle) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("KVM GIC creation: addresses, interrupts, TYPER2 from the kernel before any push") {
    for (KernelBehaviour b : kAllKernels) {
        for (HostGic h : {HostGic::V3, HostGic::V41Vsgi}) {
            const std::string kernel_name = behaviour_name(b);
            CAPTURE(kernel_name);
            CAPTURE(h == HostGic::V3 ? "GICv3 host" : "GICv4.1 host");
            KvmRig t(b, h, 2, false);
            // 6.17+ lets TYPER2 be read before CTRL_INIT; older kernels do not.
            CHECK(t.gic->typer2_before_init() == (b == KernelBehaviour::V617));
            CHECK_FALSE(t.kvm.vgic.initialized());
            t.gic->init();
            CHECK(t.kvm.vgic.initialized());
            CHECK(t.kvm.vgic.nr_irqs() == 256);
            const uint32_t want =
                b != KernelBehaviour::PreGicV41 && h == HostGic::V41Vsgi ? kCap : 0;
            CHECK(t.gic->kernel_typer2() == want);
            CHECK(t.gic->reset_state().gicd_typer2 == want);
            // The first TYPER2 access is a read, and no TYPER2 write happened.
            auto acc = t.kvm.vgic.dist_accesses(g::d::TYPER2, false);
            REQUIRE(!acc.empty());
            CHECK_FALSE(acc.front().write);
            CHECK(t.typer2_writes() == 0);
            // Every access before CTRL_INIT that the kernel refused was
            // tolerated, and nothing but IIDR/TYPER2 was tried.
            for (const auto& a : t.kvm.vgic.log) {
                if (a.initialized || a.group != kvm::KVM_DEV_ARM_VGIC_GRP_DIST_REGS) continue;
                CHECK(
                    ((a.attr & 0xffffffff) == g::d::IIDR || (a.attr & 0xffffffff) == g::d::TYPER2));
            }
        }
    }
}

TEST_CASE("KVM GIC: GICv4.1 configuration and geometry are refused with a message") {
    FakeKvm kvm;
    GicConfig c = kvm_cfg(1);
    c.version = GicVersion::V4_1;
    CHECK_THROWS_AS(KvmGic(kvm, 10, c), GicConfigError);
    KvmRig t(KernelBehaviour::V617, HostGic::V3, 2);
    GicV3State other = gic_initial_state(kvm_cfg(3));
    GicRestoreCheck r = t.gic->prepare_restore(other);
    REQUIRE(r.error);
    CHECK(r.error->find("3 redistributors") != std::string::npos);
}

TEST_CASE("KVM GIC reset never writes TYPER2 and keeps the kernel's value") {
    for (KernelBehaviour b : kAllKernels) {
        const std::string kernel_name = behaviour_name(b);
        CAPTURE(kernel_name);
        KvmRig t(b, HostGic::V41Vsgi);
        const uint32_t kernel = t.kvm.vgic.typer2();
        // The guest runs and changes things; then the board resets.
        REQUIRE_FALSE(t.gic->push_to_kernel(guest_like(t.pull())));
        const size_t writes_before = t.typer2_writes();
        REQUIRE_FALSE(t.gic->reset());
        REQUIRE_FALSE(t.gic->reset());
        CHECK(t.typer2_writes() == writes_before); // reset wrote no TYPER2 at all
        for (const auto& a : t.kvm.vgic.dist_accesses(g::d::TYPER2))
            CHECK(a.value == kernel); // and nothing ever wrote 0 over a GICv4.1 value
        GicV3State s = t.pull();
        CHECK(s.gicd_typer2 == kernel);
        CHECK(t.kvm.vgic.typer2() == kernel);
        // Every other register is back at its reset value; the input line
        // levels are not registers and stay as the devices drive them.
        GicV3State want = t.gic->reset_state();
        CHECK(s.level[1] == 0x2);
        want.level = s.level;
        for (size_t i = 0; i < want.cpu.size(); i++)
            want.cpu[i].level = s.cpu[i].level;
        auto d = gic_state_diff(s, want);
        CHECK_MESSAGE(d.empty(), d.front());
    }
}

TEST_CASE("KVM GIC reset keeps the device line levels") {
    KvmRig t(KernelBehaviour::V617, HostGic::V3);
    t.gic->set_spi(33, true);
    REQUIRE_FALSE(t.gic->reset());
    CHECK(t.kvm.vgic.spi_line(33));
    CHECK(t.pull().level[1] == 0x2);
}

TEST_CASE("KVM GIC: lines raised before init reach the kernel after it, not before") {
    KvmRig t(KernelBehaviour::V617, HostGic::V41Vsgi, 1, false);
    t.gic->set_spi(40, true);
    CHECK_FALSE(t.kvm.vgic.initialized()); // no lazy init through KVM_IRQ_LINE
    CHECK(t.kvm.irq_lines.empty());
    t.gic->init();
    CHECK(t.kvm.vgic.spi_line(40));
}

TEST_CASE("KVM GIC save/restore round trip through the kernel") {
    for (KernelBehaviour b : kAllKernels) {
        for (HostGic h : {HostGic::V3, HostGic::V41Vsgi}) {
            const std::string kernel_name = behaviour_name(b);
            CAPTURE(kernel_name);
            KvmRig src(b, h);
            const GicV3State programmed = guest_like(src.gic->reset_state());
            REQUIRE_FALSE(src.gic->push_to_kernel(programmed));
            REQUIRE_FALSE(src.gic->save_pending_tables());
            const GicV3State saved = src.pull();
            // Everything the guest programmed came back, ID registers included.
            auto diff = gic_state_diff(saved, programmed, {.id_registers = true});
            CHECK_MESSAGE(diff.empty(), diff.front());

            // Restore on a second VM on the same kind of host, at start-up
            // and at run time.
            for (bool start_up : {true, false}) {
                KvmRig dst(b, h, 2, !start_up);
                GicRestoreCheck chk = dst.gic->prepare_restore(saved);
                REQUIRE_MESSAGE(!chk.error, *chk.error);
                CHECK(chk.warnings.empty());
                REQUIRE_FALSE(dst.gic->push_to_kernel(saved));
                GicV3State back = dst.pull();
                auto d2 = gic_state_diff(back, saved, {.id_registers = true});
                CHECK_MESSAGE(d2.empty(), d2.front());
            }
        }
    }
}

TEST_CASE("KVM GIC restore order: IIDR/TYPER2 first, GICD_CTLR next, PROPBASER/PENDBASER "
          "before GICR_CTLR") {
    KvmRig t(KernelBehaviour::V617, HostGic::V3);
    GicV3State s = guest_like(t.gic->reset_state());
    const size_t start = t.kvm.vgic.log.size();
    REQUIRE_FALSE(t.gic->push_to_kernel(s));
    std::vector<VgicModel::Access> w;
    for (size_t i = start; i < t.kvm.vgic.log.size(); i++)
        if (t.kvm.vgic.log[i].write) w.push_back(t.kvm.vgic.log[i]);
    REQUIRE(w.size() > 4);
    auto dist_off = [](const VgicModel::Access& a) {
        return a.group == kvm::KVM_DEV_ARM_VGIC_GRP_DIST_REGS ? (a.attr & 0xffffffff) : ~0ull;
    };
    CHECK(dist_off(w[0]) == g::d::IIDR);
    CHECK(dist_off(w[1]) == g::d::TYPER2);
    CHECK(dist_off(w[2]) == g::d::CTLR);
    // Per redistributor: the LPI table bases come before GICR_CTLR.
    for (uint64_t mp : {0ull, 1ull}) {
        int prop = -1, pend = -1, ctlr = -1;
        for (size_t i = 0; i < w.size(); i++) {
            if (w[i].group != kvm::KVM_DEV_ARM_VGIC_GRP_REDIST_REGS || (w[i].attr >> 32) != mp)
                continue;
            const uint64_t off = w[i].attr & 0xffffffff;
            if (off == g::r::PROPBASER && prop < 0) prop = static_cast<int>(i);
            if (off == g::r::PENDBASER && pend < 0) pend = static_cast<int>(i);
            if (off == g::r::CTLR && ctlr < 0) ctlr = static_cast<int>(i);
        }
        CHECK(prop >= 0);
        CHECK(prop < ctlr);
        CHECK(pend < ctlr);
    }
}

TEST_CASE("KVM GIC: an ioctl error on the save/restore path is reported") {
    KvmRig t(KernelBehaviour::V617, HostGic::V3);
    GicV3State s = guest_like(t.gic->reset_state());
    s.cpu[1].icc_ctlr &= ~(1ull << 15); // A3V differs from the host: the kernel refuses
    auto err = t.gic->push_to_kernel(s);
    REQUIRE(err);
    CHECK(err->find("ICC_CTLR_EL1") != std::string::npos);
    CHECK(err->find("-EINVAL") != std::string::npos);
}

namespace {

struct MigrationCase {
    HostGic src, dst;
    KernelBehaviour kernel; // destination kernel (the source runs the same, or 6.17 when the
                            // source must show a GICv4.1 TYPER2)
    bool start_up;
};

} // namespace

TEST_CASE("GICD_TYPER2 migration: v3 -> v4.1 host and v4.1 -> v3 host, every kernel, start-up "
          "and run time") {
    for (KernelBehaviour k : kAllKernels) {
        for (auto [src_host, dst_host] :
             {std::pair{HostGic::V3, HostGic::V41Vsgi}, std::pair{HostGic::V41Vsgi, HostGic::V3}}) {
            for (bool start_up : {true, false}) {
                const bool to_v41 = dst_host == HostGic::V41Vsgi;
                const std::string kernel_name = behaviour_name(k);
                CAPTURE(kernel_name);
                CAPTURE(to_v41 ? "v3 -> v4.1 host" : "v4.1 -> v3 host");
                CAPTURE(start_up ? "start-up (-loadvm/-incoming)" : "running VM (loadvm)");
                // A pre-GICv4.1 source kernel never shows nASSGIcap; to have
                // a GICv4.1 snapshot the source runs 6.17.
                const KernelBehaviour src_kernel =
                    (!to_v41 && k == KernelBehaviour::PreGicV41) ? KernelBehaviour::V617 : k;
                KvmRig src(src_kernel, src_host);
                const GicV3State saved_before = src.pull();
                GicV3State snap = guest_like(src.gic->reset_state());
                if (!to_v41) snap.gicd_ctlr |= g::kCtlrNassgiReq; // the guest used vSGIs
                REQUIRE_FALSE(src.gic->push_to_kernel(snap));
                const GicV3State saved = src.pull();
                const uint32_t src_t2 = saved.gicd_typer2;
                CHECK(src_t2 == (to_v41 ? 0u : kCap));

                KvmRig dst(k, dst_host, 2, !start_up);
                GicV3State running_before;
                if (!start_up) {
                    // The destination already runs a guest of its own.
                    REQUIRE_FALSE(dst.gic->push_to_kernel(guest_like(dst.gic->reset_state())));
                    running_before = dst.pull();
                }
                const uint32_t dst_t2 = dst.kvm.vgic.typer2();
                const size_t log_before = dst.kvm.vgic.log.size();
                GicRestoreCheck chk = dst.gic->prepare_restore(saved);

                // What must happen, from GICV3.md's table.
                enum { Ok, OkIgnored, Refused } want;
                int want_errno = 0;
                if (src_t2 == dst_t2)
                    want = Ok;
                else if (k == KernelBehaviour::PreGicV41)
                    want = OkIgnored;
                else if (k == KernelBehaviour::V57to616) {
                    want = Refused;
                    want_errno = EINVAL;
                } else if (!start_up) {
                    want = Refused;
                    want_errno = EBUSY;
                } else if (to_v41) {
                    want = Ok; // 6.17 start-up: nASSGIcap turned off before init
                } else {
                    want = Refused; // nASSGIcap=1 on a host without vSGIs
                    want_errno = EINVAL;
                }

                if (want == Refused) {
                    REQUIRE(chk.error);
                    const std::string& m = *chk.error;
                    CAPTURE(m);
                    CHECK(m.find("source GICD_TYPER2 " + std::string(src_t2 ? "0x100" : "0x0")) !=
                          std::string::npos);
                    CHECK(m.find("destination (this kernel's vGIC) GICD_TYPER2 " +
                                 std::string(dst_t2 ? "0x100" : "0x0")) != std::string::npos);
                    CHECK(m.find(want_errno == EBUSY ? "-EBUSY" : "-EINVAL") != std::string::npos);
                    // Unharmed: the kernel's TYPER2 and (at run time) the
                    // running guest's whole GIC state are unchanged, and no
                    // register but TYPER2 was written by the attempt.
                    CHECK(dst.kvm.vgic.typer2() == dst_t2);
                    // (Kernels before 6.17 are initialised first at start-up.)
                    const bool only_typer2 = !start_up || k == KernelBehaviour::V617;
                    for (size_t i = log_before; only_typer2 && i < dst.kvm.vgic.log.size(); i++) {
                        const auto& a = dst.kvm.vgic.log[i];
                        if (!a.write || a.group == kvm::KVM_DEV_ARM_VGIC_GRP_CTRL) continue;
                        CHECK(a.group == kvm::KVM_DEV_ARM_VGIC_GRP_DIST_REGS);
                        CHECK((a.attr & 0xffffffff) == g::d::TYPER2);
                    }
                    if (!start_up) {
                        auto d = gic_state_diff(dst.pull(), running_before, {.id_registers = true});
                        CHECK_MESSAGE(d.empty(), d.front());
                    }
                } else {
                    REQUIRE_MESSAGE(!chk.error, *chk.error);
                    CHECK(has(chk.warnings, "ignored") == (want == OkIgnored));
                    REQUIRE_FALSE(dst.gic->push_to_kernel(saved));
                    GicV3State back = dst.pull();
                    // The guest keeps what it was saved with, except what
                    // the destination kernel cannot hold.
                    auto d = gic_state_diff(back, saved);
                    if (want == OkIgnored) {
                        // nASSGIreq does not exist on a pre-GICv4.1 kernel.
                        CHECK(back.gicd_typer2 == dst_t2);
                        CHECK((back.gicd_ctlr & g::kCtlrNassgiReq) == 0);
                    } else {
                        CHECK_MESSAGE(d.empty(), d.front());
                        CHECK(back.gicd_typer2 == src_t2);
                        CHECK(dst.kvm.vgic.typer2() == src_t2);
                    }
                }
                // The source is untouched by anything the destination did.
                auto ds = gic_state_diff(src.pull(), saved, {.id_registers = true});
                CHECK_MESSAGE(ds.empty(), ds.front());
                (void)saved_before;
            }
        }
    }
}

TEST_CASE("GICD_TYPER2: after a 6.17 start-up downgrade, reset keeps nASSGIcap off") {
    KvmRig src(KernelBehaviour::V617, HostGic::V3);
    GicV3State saved = src.pull();
    KvmRig dst(KernelBehaviour::V617, HostGic::V41Vsgi, 2, false);
    GicRestoreCheck chk = dst.gic->prepare_restore(saved);
    REQUIRE_FALSE(chk.error);
    REQUIRE_FALSE(dst.gic->push_to_kernel(saved));
    CHECK(dst.gic->kernel_typer2() == 0);
    REQUIRE_FALSE(dst.gic->reset());
    CHECK(dst.pull().gicd_typer2 == 0);
    CHECK(dst.kvm.vgic.vm_nassgicap() == false);
}

TEST_CASE("GICD_CTLR.nASSGIreq is masked unless the VM has direct vSGIs") {
    for (KernelBehaviour k : kAllKernels) {
        for (HostGic h : {HostGic::V3, HostGic::V41Vsgi}) {
            const std::string kernel_name = behaviour_name(k);
            CAPTURE(kernel_name);
            KvmRig t(k, h);
            GicV3State s = t.gic->reset_state();
            s.gicd_ctlr |= g::kCtlrNassgiReq;
            REQUIRE_FALSE(t.gic->push_to_kernel(s));
            const bool kept = k != KernelBehaviour::PreGicV41 && h == HostGic::V41Vsgi;
            CHECK(((t.pull().gicd_ctlr & g::kCtlrNassgiReq) != 0) == kept);
        }
    }
}

namespace {

// A software GIC brought up as a Linux guest would: Group 1 only, SPIs
// routed to cores, PPIs and SGIs enabled, pending and active interrupts.
GicV3State software_guest_state(GicRig& t) {
    for (unsigned cpu = 0; cpu < t.cpus.size(); cpu++) {
        t.rw(cpu, g::r::WAKER, 0);
        // LPI tables as Linux sets them up: Inner Shareable, RaWaWb.
        t.rw(cpu, g::r::PROPBASER, 0x4100'0000ull | (1ull << 10) | (7ull << 7) | 15, 8);
        t.rw(cpu, g::r::PENDBASER, (0x4200'0000ull + 0x10000 * cpu) | (1ull << 10) | (7ull << 7),
             8);
        t.iccw(cpu, "ICC_PMR_EL1", 0xf0);
        t.iccw(cpu, "ICC_IGRPEN1_EL1", 1);
        t.iccw(cpu, "ICC_CTLR_EL1", 0x2); // EOImode
        t.sgiw(cpu, g::d::IGROUPR, 0xffffffff);
        t.sgiw(cpu, g::d::ISENABLER, 0x0800ffff);
        t.sgiw(cpu, g::d::IPRIORITYR + 27, 0xa0, 1);
        t.sgiw(cpu, g::d::ISPENDR, 0x4);
    }
    t.dw(g::d::CTLR, g::kCtlrEnableGrp1);
    for (unsigned intid : {33u, 34u, 48u, 49u, 70u})
        t.setup_spi(intid, 0x80, intid % 2);
    t.dw(g::d::ICFGR + 12, 0x2); // INTID 48 edge
    t.dw(g::d::ISPENDR + 4, 1u << 2);
    t.dw(g::d::ISACTIVER + 8, 1u << 6);
    // CPU 0 takes SGI 2 (active, with its active-priority bit).
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 2);
    return t.gic->state();
}

} // namespace

TEST_CASE("Interchange: a software GICv3 state loads into the KVM GIC and back unchanged") {
    struct Dest {
        KernelBehaviour k;
        HostGic h;
        bool start_up;
    };
    std::vector<Dest> dests;
    for (KernelBehaviour k : kAllKernels)
        for (bool su : {true, false})
            dests.push_back({k, HostGic::V3, su});
    // A GICv4.1 host takes a GICv3 snapshot at start-up on 6.17+.
    dests.push_back({KernelBehaviour::V617, HostGic::V41Vsgi, true});
    dests.push_back({KernelBehaviour::PreGicV41, HostGic::V41Vsgi, false});
    for (const Dest& dd : dests) {
        const std::string kernel_name = behaviour_name(dd.k);
        CAPTURE(kernel_name);
        CAPTURE(dd.start_up);
        GicRig sw(GicVersion::V3, 2);
        const GicV3State soft = software_guest_state(sw);
        KvmRig kg(dd.k, dd.h, 2, !dd.start_up);
        GicRestoreCheck chk = kg.gic->prepare_restore(soft);
        REQUIRE_MESSAGE(!chk.error, *chk.error);
        CHECK(chk.warnings.empty());
        REQUIRE_FALSE(kg.gic->push_to_kernel(soft));
        const GicV3State in_kernel = kg.pull();
        auto d = gic_state_diff(in_kernel, soft, {.its = false});
        CHECK_MESSAGE(d.empty(), d.front());
        CHECK(in_kernel.gicd_typer2 == 0);
        // ...and back into a fresh software GIC.
        GicRig sw2(GicVersion::V3, 2);
        sw2.gic->load_state(in_kernel);
        auto d2 = gic_state_diff(sw2.gic->state(), soft, {.its = false});
        CHECK_MESSAGE(d2.empty(), d2.front());
        // The software GIC runs on from it: SGI 2 (priority 0) is still
        // active on CPU 0.
        CHECK(sw2.icc(0, "ICC_RPR_EL1") == 0);
        CHECK(sw2.icc(1, "ICC_RPR_EL1") == 0xff);
    }
}

TEST_CASE("Interchange, GICv4.1: the software GIC's TYPER2 (VIL=1, VID=15) is validated by the "
          "kernel") {
    GicRig sw(GicVersion::V4_1, 2);
    const GicV3State soft = software_guest_state(sw);
    REQUIRE(soft.gicd_typer2 == (kCap | g::kTyper2Vil | 15));
    for (KernelBehaviour k : kAllKernels) {
        const std::string kernel_name = behaviour_name(k);
        CAPTURE(kernel_name);
        KvmRig kg(k, HostGic::V41Vsgi, 2, false);
        GicRestoreCheck chk = kg.gic->prepare_restore(soft);
        if (k == KernelBehaviour::PreGicV41) {
            // Ignored (read back 0): a warning, and the registers load.
            REQUIRE_FALSE(chk.error);
            CHECK(has(chk.warnings, "ignored"));
            REQUIRE_FALSE(kg.gic->push_to_kernel(soft));
            auto d = gic_state_diff(kg.pull(), soft, {.its = false});
            CHECK_MESSAGE(d.empty(), d.front());
        } else {
            // VIL/VID always read 0 under KVM: the kernel refuses 0x18f.
            REQUIRE(chk.error);
            CHECK(chk.error->find("0x18f") != std::string::npos);
            CHECK(chk.error->find("-EINVAL") != std::string::npos);
        }
    }
    // With a TYPER2 that states 16-bit vPEIDs as VIL=0 (the same meaning,
    // and KVM's encoding), the state moves both ways on every kernel.
    GicV3State kvm_shaped = soft;
    kvm_shaped.gicd_typer2 = kCap;
    for (KernelBehaviour k : {KernelBehaviour::V57to616, KernelBehaviour::V617}) {
        for (bool su : {true, false}) {
            const std::string kernel_name = behaviour_name(k);
            CAPTURE(kernel_name);
            KvmRig kg(k, HostGic::V41Vsgi, 2, !su);
            GicRestoreCheck chk = kg.gic->prepare_restore(kvm_shaped);
            REQUIRE_MESSAGE(!chk.error, *chk.error);
            REQUIRE_FALSE(kg.gic->push_to_kernel(kvm_shaped));
            GicV3State back = kg.pull();
            auto d = gic_state_diff(back, kvm_shaped, {.its = false});
            CHECK_MESSAGE(d.empty(), d.front());
            CHECK(back.gicd_typer2 == kCap);
            GicRig sw2(GicVersion::V4_1, 2);
            sw2.gic->load_state(back);
            auto d2 = gic_state_diff(sw2.gic->state(), kvm_shaped, {.its = false});
            CHECK_MESSAGE(d2.empty(), d2.front());
        }
    }
}

TEST_CASE("Registers the kernel's vGIC cannot hold are reported, not silently dropped") {
    GicRig sw(GicVersion::V3, 1);
    sw.bring_up(0); // also sets GICD_CTLR.EnableGrp0
    sw.dw(g::d::IROUTER + 8 * 40, g::kIrouterIrm, 8);
    const GicV3State soft = sw.gic->state();
    auto losses = kvm_vgic_losses(soft);
    CHECK(has(losses, "EnableGrp0"));
    CHECK(has(losses, "IRM"));
    KvmRig kg(KernelBehaviour::V617, HostGic::V3, 1);
    GicRestoreCheck chk = kg.gic->prepare_restore(soft);
    REQUIRE_FALSE(chk.error);
    CHECK(has(chk.warnings, "EnableGrp0"));
    CHECK(kvm_vgic_losses(gic_initial_state(kvm_cfg(1))).size() == 1); // reset WAKER: asleep
}
