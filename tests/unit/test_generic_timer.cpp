// The generic timer: ISTATUS and the output line against CVAL and TVAL,
// masking, the EL0 view, and WFI wake-up through the executor.
#include "accel/tcg/executor.hpp"
#include "cpu_test_util.hpp"

#include <chrono>
#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

uint64_t g_now = 0;
uint64_t fake_counter() {
    return g_now;
}

} // namespace

TEST_CASE("ISTATUS and the output line follow the counter against CVAL") {
    SysRegState sys;
    GenericTimer t(sys);
    t.counter = fake_counter;
    bool line = false;
    int edges = 0;
    t.irq_out[GenericTimer::kPhys] = [&](bool l) {
        line = l;
        edges++;
    };
    g_now = 1000;
    t.write_cval(GenericTimer::kPhys, 1500);
    CHECK(t.read_ctl(GenericTimer::kPhys) == 0); // disabled: no ISTATUS
    t.write_ctl(GenericTimer::kPhys, 1);
    CHECK(t.read_ctl(GenericTimer::kPhys) == 1);
    CHECK_FALSE(line);
    CHECK(t.update() == 500 * 16); // 500 ticks of 16 ns
    g_now = 1499;
    t.update();
    CHECK_FALSE(line);
    g_now = 1500;
    CHECK(t.update() == -1);
    CHECK(line);
    CHECK(t.read_ctl(GenericTimer::kPhys) == 5); // ENABLE | ISTATUS
    // IMASK drops the line but not ISTATUS.
    t.write_ctl(GenericTimer::kPhys, 3);
    CHECK_FALSE(line);
    CHECK(t.read_ctl(GenericTimer::kPhys) == 7);
    t.write_ctl(GenericTimer::kPhys, 1);
    CHECK(line);
    // Moving CVAL into the future clears the condition.
    t.write_cval(GenericTimer::kPhys, 5000);
    CHECK_FALSE(line);
    CHECK(edges == 4);
}

TEST_CASE("TVAL is the signed 32-bit distance to CVAL") {
    SysRegState sys;
    GenericTimer t(sys);
    t.counter = fake_counter;
    bool vline = false;
    t.irq_out[GenericTimer::kVirt] = [&](bool l) { vline = l; };
    g_now = 0x1'0000'0000ull;
    t.write_tval(GenericTimer::kVirt, 100);
    CHECK(t.read_cval(GenericTimer::kVirt) == 0x1'0000'0064ull);
    CHECK(t.read_tval(GenericTimer::kVirt) == 100);
    g_now += 150;
    CHECK(t.read_tval(GenericTimer::kVirt) == 0xffffffceull); // -50
    t.write_ctl(GenericTimer::kVirt, 1);
    CHECK(vline);
    t.write_tval(GenericTimer::kVirt, 0xffffff00u); // negative: already expired
    CHECK(t.read_cval(GenericTimer::kVirt) == g_now - 256);
    CHECK(vline);
}

TEST_CASE("the virtual count subtracts CNTVOFF") {
    SysRegState sys;
    GenericTimer t(sys);
    t.counter = fake_counter;
    g_now = 5000;
    sys.cntvoff_el2 = 1000;
    CHECK(t.virtual_count() == 4000);
    CHECK(t.physical_count() == 5000);
}

TEST_CASE("a core in WFI wakes when its timer fires (output wired to the IRQ line)") {
    TestCore t;
    Cpu& c = t.c();
    c.sys.vbar_el1 = kRamBase + 0x10000;
    // Code: WFI; HLT #1. The IRQ vector (EL1h, +0x280): HLT #2.
    const uint64_t code = kRamBase + 0x20000;
    t.w32(code, kWfi);
    t.w32(code + 4, hlt(1));
    t.w32(kRamBase + 0x10280, hlt(2));
    c.s.pc = code;
    c.s.daif = 0; // IRQs unmasked
    int stopped_at = 0;
    c.hooks.hlt = [&](Cpu& cpu, uint16_t imm) -> bool {
        stopped_at = imm;
        cpu.halt(0);
    };
    c.timer.irq_out[GenericTimer::kPhys] = [&](bool l) { c.irq_line = l; };
    TcgExecutor ex(t.bus, {&c});
    ex.poll_devices = [&] { return c.timer.update(); };
    // Fire 2 ms from now.
    c.timer.write_tval(GenericTimer::kPhys, 125'000);
    c.timer.write_ctl(GenericTimer::kPhys, 1);
    auto start = std::chrono::steady_clock::now();
    ex.run();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    CHECK(stopped_at == 2);           // the IRQ was taken
    CHECK(c.sys.elr_el1 == code + 4); // after the WFI
    CHECK(ms >= 1);
    CHECK(ms < 1000);
}
