// The virt board's snapshot as a whole: every part restored into a second
// machine, a damaged or mismatched stream leaving the machine untouched,
// the guest clock continuing from the saved value, and the golden format.
#include "cpu/guest_counter.hpp"
#include "machine/virt/virt_machine.hpp"
#include "machine/virt/virt_snapshot.hpp"
#include "savevm/format_check.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

using namespace kestrel;
using namespace kestrel::savevm;

namespace {

VirtConfig config(unsigned smp = 2, const std::string& gic = "3") {
    VirtConfig c;
    c.serial = "null";
    c.smp = smp;
    c.gic_version = gic;
    c.ram_size = 16 << 20;
    return c;
}

uint8_t* ram_of(VirtMachine& m) {
    return m.bus().ram_ptr(m.ram().base, m.ram().size);
}

// Puts recognisable state into every part of a machine.
void scribble(VirtMachine& m, uint64_t seed) {
    for (auto& c : m.cpus()) {
        for (unsigned i = 0; i < 31; i++)
            c->s.x[i] = seed * 100 + i + c->index;
        c->s.v[3] = {seed, ~seed};
        c->s.pc = 0x40000000 + 4 * seed;
        c->s.fpsr = static_cast<uint32_t>(seed) & 0x9f;
        c->sys.tpidr_el1 = seed ^ 0x55;
        c->sys.vbar_el1 = 0x40080000;
        c->run_state = CpuRunState::WaitForInterrupt;
    }
    uint8_t* ram = ram_of(m);
    for (uint64_t i = 0; i < 1000; i++)
        ram[(i * 4099 + seed) % m.ram().size] = static_cast<uint8_t>(i + seed);
    GicV3State g = m.gic().state();
    g.enabled[1] = static_cast<uint32_t>(seed);
    g.priority[40] = 0x80;
    g.cpu[0].icc_pmr = 0xf0;
    g.cpu[0].enabled = 1u << 27;
    m.gic().load_state(g);
    m.uart().receive('k');
}

} // namespace

TEST_CASE("a machine restores every CPU, the GIC, the UART and RAM from another's snapshot") {
    VirtMachine a(config()), b(config());
    scribble(a, 7);
    VirtSnapshot sa(a), sb(b);
    SnapshotTiming t;
    auto stream = sa.save(&t);
    CHECK(t.stats.ram_bytes >= a.ram().size);
    CHECK(t.stats.ram_zero_pages > 0);
    sb.load(stream);
    for (size_t i = 0; i < a.cpus().size(); i++) {
        CHECK(b.cpus()[i]->s == a.cpus()[i]->s);
        CHECK(b.cpus()[i]->sys == a.cpus()[i]->sys);
        CHECK(b.cpus()[i]->run_state == CpuRunState::WaitForInterrupt);
    }
    CHECK(b.gic().state() == a.gic().state());
    CHECK(b.uart().save_state() == a.uart().save_state());
    CHECK(std::memcmp(ram_of(a), ram_of(b), a.ram().size) == 0);
}

TEST_CASE("a damaged or mismatched stream leaves the running machine exactly as it was") {
    VirtMachine a(config()), b(config());
    scribble(a, 3);
    scribble(b, 9);
    VirtSnapshot sa(a), sb(b);
    auto stream = sa.save();
    auto before_cpu = b.cpus()[1]->s;
    auto before_gic = b.gic().state();
    std::vector<uint8_t> before_ram(ram_of(b), ram_of(b) + b.ram().size);
    auto unchanged = [&] {
        CHECK(b.cpus()[1]->s == before_cpu);
        CHECK(b.gic().state() == before_gic);
        CHECK(std::memcmp(ram_of(b), before_ram.data(), before_ram.size()) == 0);
    };
    auto truncated = stream;
    truncated.resize(stream.size() - 100);
    CHECK_THROWS_WITH_AS(sb.load(truncated), doctest::Contains("truncated"), LoadError);
    unchanged();
    auto flipped = stream;
    flipped[stream.size() / 2] ^= 4;
    CHECK_THROWS_WITH_AS(sb.load(flipped), doctest::Contains("corrupt"), LoadError);
    unchanged();
    VirtMachine c(config(1));
    CHECK_THROWS_WITH_AS(VirtSnapshot(c).load(stream), doctest::Contains("smp=2"), LoadError);
    // A GICv4.1 machine's snapshot into a GICv3 machine: the config check
    // says what the two GICs are.
    VirtMachine d(config(2, "4.1"));
    auto s41 = VirtSnapshot(d).save();
    std::string msg;
    try {
        sb.load(s41);
    } catch (const LoadError& e) {
        msg = e.what();
    }
    CHECK(msg.find("gic-version=4.1") != std::string::npos);
    CHECK(msg.find("snapshot was taken on a GICv4.1 GIC") != std::string::npos);
    CHECK(msg.find("this machine is GICv3") != std::string::npos);
    unchanged();
}

TEST_CASE("after a restore the guest counter continues from the saved value") {
    VirtMachine a(config(1));
    VirtSnapshot s(a);
    set_guest_counter_ticks(1'000'000'000); // 16 s of guest time
    auto stream = s.save();
    set_guest_counter_ticks(5'000'000'000ull); // the guest ran on (80 s)
    s.load(stream);
    uint64_t now = guest_counter_ticks();
    CHECK(now >= 1'000'000'000);
    CHECK(now < 1'000'000'000 + 62'500'000); // within a second of the saved count
    // Frozen while stopped: no ticks pass.
    freeze_guest_counter();
    uint64_t f = guest_counter_ticks();
    CHECK(guest_counter_ticks() == f);
    thaw_guest_counter();
    CHECK(guest_counter_ticks() >= f);
}

TEST_CASE("the configuration record names the machine") {
    VirtMachine a(config(2, "4.1"));
    auto cfg = VirtSnapshot(a).config();
    CHECK(config_value(cfg, "machine") == "virt");
    CHECK(config_value(cfg, "smp") == "2");
    CHECK(config_value(cfg, "gic-version") == "4.1");
    CHECK(config_value(cfg, "ram") == std::to_string(16 << 20));
    CHECK(config_value(cfg, "cpu") == "cortex-a57");
    CHECK_FALSE(config_value(cfg, "devices").empty());
}

TEST_CASE("format check: a field change without a version bump is reported") {
    nlohmann::json golden = {
        {"format_version", 1},
        {"sections", {{{"name", "cpu"}, {"version", 1}, {"min_version", 1}, {"fields", {"x"}}}}}};
    auto same = golden;
    CHECK(compare_formats(golden, same).empty());
    auto changed = golden;
    changed["sections"][0]["fields"] = {"x", "y"};
    auto r = compare_formats(golden, changed);
    REQUIRE(r.size() == 1);
    CHECK(r[0].find("without a version bump") != std::string::npos);
    changed["sections"][0]["version"] = 2;
    r = compare_formats(golden, changed);
    REQUIRE(r.size() == 1);
    CHECK(r[0].find("now version 2") != std::string::npos);
}

TEST_CASE("golden format: the snapshot format matches tests/savevm/state-format.json") {
    // Regenerate after a deliberate, version-bumped change with
    //   build/kestrel -device virtio-rng-device -dump-state-format
    //   (output into tests/savevm/state-format.json)
    std::ifstream f(KESTREL_GOLDEN_FORMAT);
    REQUIRE_MESSAGE(f.good(), "cannot read " KESTREL_GOLDEN_FORMAT);
    nlohmann::json golden = nlohmann::json::parse(f);
    VirtConfig c;
    c.serial = "null";
    c.virtio.push_back({VirtioDeviceConfig::Kind::Rng, "", false});
    VirtMachine m(c);
    nlohmann::json current = VirtSnapshot(m).describe_format();
    for (const std::string& problem : compare_formats(golden, current))
        FAIL_CHECK(problem);
}

#include "hw/virtio/virtio_blk.hpp"
#include "machine/virt/virt_control.hpp"
#include "temp_files.hpp"

#include <filesystem>

TEST_CASE("savevm/loadvm/delvm with a writable disk restore its contents, also in a new process") {
    kestrel::test::TempDir dir;
    std::string image = dir.file("disk.img", std::vector<uint8_t>(256 * 1024, 0x11));
    std::string snaps = dir.path("snaps");
    VirtConfig c = config(1);
    c.virtio.push_back({VirtioDeviceConfig::Kind::Rng, "", false});
    c.virtio.push_back({VirtioDeviceConfig::Kind::Block, image, false});
    auto disk_of = [](VirtMachine& m) -> BlockBackend& {
        return dynamic_cast<VirtioBlk&>(m.virtio()[1]->device()).backend();
    };
    auto read_all = [](BlockBackend& b) {
        std::vector<uint8_t> v(b.size());
        REQUIRE(b.read(0, v.data(), v.size()));
        return v;
    };
    std::vector<uint8_t> junk(8192, 0xee);
    {
        VirtMachine m(c);
        VirtControl ctl(m, snaps);
        REQUIRE(ctl.savevm("with-disk").ok);
        CHECK(std::filesystem::exists(snaps + "/with-disk.disk0"));
        CHECK(config_value(ctl.snapshot().config(), "devices").find("virtio1:blk/262144") !=
              std::string::npos);
        REQUIRE(disk_of(m).write(4096, junk.data(), junk.size())); // the guest writes
        auto r = ctl.loadvm("with-disk");
        REQUIRE_MESSAGE(r.ok, r.message);
        CHECK(read_all(disk_of(m)) == std::vector<uint8_t>(256 * 1024, 0x11));
        REQUIRE(disk_of(m).write(100000, junk.data(), junk.size()));
    }
    {
        VirtMachine m(c);
        VirtControl ctl(m, snaps);
        auto r = ctl.loadvm("with-disk");
        REQUIRE_MESSAGE(r.ok, r.message);
        CHECK(read_all(disk_of(m)) == std::vector<uint8_t>(256 * 1024, 0x11));
        REQUIRE(ctl.delvm("with-disk").ok);
        CHECK_FALSE(std::filesystem::exists(snaps + "/with-disk.disk0"));
        CHECK(ctl.snapshots().empty());
        // A snapshot whose disk contents went missing is refused.
        REQUIRE(ctl.savevm("lost").ok);
        std::filesystem::remove(snaps + "/lost.disk0");
    }
    VirtMachine m(c);
    VirtControl ctl(m, snaps);
    auto r = ctl.loadvm("lost");
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("disk") != std::string::npos);
}

TEST_CASE("after a load the GIC sees every interrupt line as its source drives it") {
    // A snapshot taken when the virtual timer's condition had just been met
    // but the timer had not been polled yet: the GIC's input is still low.
    VirtMachine a(config(1)), b(config(1));
    auto arm_timer = [](VirtMachine& m) {
        Cpu& c = *m.cpus()[0];
        c.sys.cntv_cval_el0 = 0; // condition met at any count
        c.sys.cntv_ctl_el0 = 1;  // enabled, not masked
    };
    arm_timer(a);
    const uint32_t vtimer = 1u << GenericTimer::kVirtIntid;
    REQUIRE((a.gic().state().cpu[0].level & vtimer) == 0);
    auto stream = VirtSnapshot(a).save();
    // The destination's timer already fired and drove its line high.
    arm_timer(b);
    b.cpus()[0]->timer.update();
    REQUIRE(b.cpus()[0]->timer.output(GenericTimer::kVirt));
    REQUIRE((b.gic().state().cpu[0].level & vtimer) != 0);
    VirtSnapshot(b).load(stream);
    // The restored timer's output is high, and so must the GIC's input be,
    // or the interrupt would never come (the timer only signals changes).
    CHECK(b.cpus()[0]->timer.output(GenericTimer::kVirt));
    CHECK((b.gic().state().cpu[0].level & vtimer) != 0);
    b.cpus()[0]->timer.update();
    CHECK((b.gic().state().cpu[0].level & vtimer) != 0);
}
