// The virt board's device wiring: GIC frames and version, timer PPIs, the
// UART's SPI, the GIC's part in board reset and CPU_ON.
#include "guest_code.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "machine/virt/memory_map.hpp"
#include "machine/virt/virt_machine.hpp"
#include "temp_files.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

VirtConfig board(unsigned smp = 1, const std::string& gic = "3") {
    VirtConfig c;
    c.serial = "null";
    c.smp = smp;
    c.gic_version = gic;
    return c;
}

uint64_t rd32(VirtMachine& m, uint64_t pa) {
    uint64_t v = 0;
    REQUIRE(m.bus().read(pa, 4, v) == MemResult::Ok);
    return v;
}

void wr32(VirtMachine& m, uint64_t pa, uint64_t v) {
    REQUIRE(m.bus().write(pa, 4, v) == MemResult::Ok);
}

std::string error_of(const VirtConfig& c) {
    try {
        VirtMachine m(c);
    } catch (const MachineError& e) {
        return e.what();
    }
    return "";
}

constexpr uint64_t kGicdPidr2 = virt::kGicDistBase + 0xffe8;
constexpr uint64_t kGicdTyper2 = virt::kGicDistBase + 0xc;

} // namespace

TEST_CASE("virt devices: GICv3 frames, one 128 KiB redistributor per core") {
    VirtMachine m(board(3));
    const BusRegion* d = m.bus().find(virt::kGicDistBase);
    REQUIRE(d);
    CHECK(d->device == &m.gic().dist_device());
    const BusRegion* r = m.bus().find(virt::kGicRedistBase);
    REQUIRE(r);
    CHECK(r->device == &m.gic().redist_device());
    CHECK(r->size == 3 * 0x20000);
    CHECK(m.bus().find(virt::kGicRedistBase + 3 * 0x20000) == nullptr);
    const BusRegion* its = m.bus().find(virt::kGicItsBase);
    REQUIRE(its);
    CHECK(its->device == &m.gic().its_device());
    CHECK(((rd32(m, kGicdPidr2) >> 4) & 0xf) == 3);
    CHECK(rd32(m, kGicdTyper2) == 0);
    for (auto& c : m.cpus()) {
        CHECK(c->gic == &m.gic());
        CHECK(((c->model.id_aa64pfr0 >> 24) & 0xf) == 1); // ICC_* interface present
    }
    // GICR_TYPER of the last core has Last set, with its processor number.
    uint64_t typer = 0;
    REQUIRE(m.bus().read(virt::kGicRedistBase + 2 * 0x20000 + 8, 8, typer) == MemResult::Ok);
    CHECK((typer >> 4 & 1) == 1);
    CHECK((typer >> 8 & 0xffff) == 2);
}

TEST_CASE("virt devices: gic-version=4.1 has 256 KiB redistributors and TYPER2") {
    VirtMachine m(board(2, "4.1"));
    CHECK(m.bus().find(virt::kGicRedistBase)->size == 2 * 0x40000);
    CHECK(((rd32(m, kGicdPidr2) >> 4) & 0xf) == 4);
    CHECK(rd32(m, kGicdTyper2) != 0);
    CHECK(m.gic().config().v4());
}

TEST_CASE("virt devices: bad GIC versions and too many cores are clear errors") {
    CHECK(error_of(board(1, "2")).find("GIC version '2'") != std::string::npos);
    CHECK(error_of(board(1, "4.0")).find("gic-version=3, 4.1 or max") != std::string::npos);
    // 0xF60000 bytes of redistributors: 123 cores on GICv3, 61 on GICv4.1.
    CHECK(error_of(board(123, "3")).empty());
    CHECK(error_of(board(124, "3")).find("1 to 123") != std::string::npos);
    CHECK(error_of(board(61, "4.1")).empty());
    CHECK(error_of(board(62, "4.1")).find("1 to 61") != std::string::npos);
}

TEST_CASE("virt devices: timers drive their core's PPIs 30 and 27") {
    VirtMachine m(board(2));
    Cpu& c1 = *m.cpus()[1];
    // Condition met (CVAL 0 <= count), enabled, not masked: the line rises.
    c1.timer.write_cval(GenericTimer::kPhys, 0);
    c1.timer.write_ctl(GenericTimer::kPhys, 1);
    c1.timer.update();
    CHECK(m.gic().state().cpu[1].level == (1u << 30));
    CHECK(m.gic().state().cpu[0].level == 0);
    c1.timer.write_cval(GenericTimer::kVirt, 0);
    c1.timer.write_ctl(GenericTimer::kVirt, 1);
    c1.timer.update();
    CHECK(m.gic().state().cpu[1].level == ((1u << 30) | (1u << 27)));
    c1.timer.write_ctl(GenericTimer::kPhys, 3); // IMASK drops the line
    c1.timer.update();
    CHECK(m.gic().state().cpu[1].level == (1u << 27));
    // With the PPI enabled in the GIC the core's IRQ line follows.
    wr32(m, virt::kGicDistBase, 0x13); // ARE | EnableGrp1 | EnableGrp0
    const uint64_t sgi1 = virt::kGicRedistBase + 0x20000 + 0x10000;
    wr32(m, virt::kGicRedistBase + 0x20000 + 0x14, 0); // wake redistributor 1
    wr32(m, sgi1 + 0x80, 0xffffffff);                  // all Group 1
    wr32(m, sgi1 + 0x100, 1u << 27);                   // enable PPI 27
    m.gic().icc_write(1, IccReg::PMR, 0xff);
    m.gic().icc_write(1, IccReg::IGRPEN1, 1);
    CHECK(c1.irq_line.load());
    CHECK_FALSE(m.cpus()[0]->irq_line.load());
    CHECK(m.gic().icc_read(1, IccReg::HPPIR1) == 27);
}

TEST_CASE("virt devices: the UART interrupt is SPI 1 (INTID 33), level") {
    VirtMachine m(board());
    const uint32_t bit33 = 1u << (33 % 32);
    CHECK((m.gic().state().level[1] & bit33) == 0);
    wr32(m, virt::kUartBase + 0x38, 1u << 4); // UARTIMSC.RXIM
    m.uart().receive('x');
    CHECK((m.gic().state().level[1] & bit33) != 0);
    uint64_t dr = 0;
    REQUIRE(m.bus().read(virt::kUartBase, 4, dr) == MemResult::Ok);
    CHECK((dr & 0xff) == 'x');
    CHECK((m.gic().state().level[1] & bit33) == 0);
}

TEST_CASE("virt devices: SYSTEM_RESET returns the GIC to a fresh GIC's state") {
    TempDir dir;
    std::vector<uint32_t> code;
    load_imm64(code, 0, 0x84000009); // SYSTEM_RESET
    code.push_back(kHvc0);
    VirtConfig cfg = board(2, "4.1");
    cfg.kernel = dir.file("reset.bin", to_bytes(code));
    VirtMachine m(cfg);
    const GicV3State fresh = m.gic().state();
    // Program some state before the guest resets the board.
    wr32(m, virt::kGicDistBase, 0x13);
    wr32(m, virt::kGicDistBase + 0x100 + 4, 0xff); // enable SPIs 32..39
    wr32(m, virt::kGicDistBase + 0x200 + 4, 0x0f); // pend SPIs 32..35
    wr32(m, virt::kGicRedistBase + 0x14, 0);
    m.gic().icc_write(0, IccReg::PMR, 0x80);
    m.gic().icc_write(1, IccReg::BPR1, 5);
    REQUIRE_FALSE(m.gic().state() == fresh);
    bool checked = false, same = false;
    m.cpus()[0]->hooks.hvc = [&](Cpu& cpu, uint16_t imm) {
        if (m.resets() >= 2) {
            same = m.gic().state() == fresh;
            checked = true;
            m.request_quit(0);
            cpu.halt(0);
            return true;
        }
        return imm == 0 && m.psci().call(cpu);
    };
    CHECK(m.run() == 0);
    CHECK(checked);
    CHECK(same);
}

TEST_CASE("virt devices: CPU_ON clears a timer PPI the core's reset forgot") {
    TempDir dir;
    const uint64_t base = virt::kRamBase + 0x80000;
    std::vector<uint32_t> code;
    load_imm64(code, 0, 0xc4000003); // CPU_ON(1, base + 0x100, 0)
    load_imm64(code, 1, 1);
    load_imm64(code, 2, base + 0x100);
    load_imm64(code, 3, 0);
    code.push_back(kHvc0);
    code.push_back(kBranchSelf);
    code.resize(0x100 / 4, kBrk0);
    code.push_back(kHvc0); // the secondary reports in
    code.push_back(kBranchSelf);
    VirtConfig cfg = board(2);
    cfg.kernel = dir.file("on.bin", to_bytes(code));
    VirtMachine m(cfg);
    Cpu& c1 = *m.cpus()[1];
    // The secondary's timer fired before it was (re)started.
    c1.timer.write_cval(GenericTimer::kPhys, 0);
    c1.timer.write_ctl(GenericTimer::kPhys, 1);
    c1.timer.update();
    REQUIRE(m.gic().state().cpu[1].level == (1u << 30));
    uint32_t level_at_start = ~0u;
    c1.hooks.hvc = [&](Cpu& cpu, uint16_t) {
        level_at_start = m.gic().state().cpu[1].level;
        m.request_quit(0);
        cpu.halt(0);
        return true;
    };
    CHECK(m.run() == 0);
    CHECK(level_at_start == 0);
}
