// Exception entry (ESR/FAR/ELR/SPSR, vector offsets from each source),
// ERET and illegal exception returns, and the traps of the system
// architecture.
#include "cpu_test_util.hpp"
#include "tests/common/identity_map.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

constexpr uint64_t kVbar = kRamBase + 0x10000;
constexpr uint64_t kCode = kRamBase + 0x20000;

// A core at EL1 (SP_EL1 selected) with VBAR_EL1 set and its PC at kCode.
struct Fixture : TestCore {
    explicit Fixture(const std::string& model = "cortex-a57") : TestCore(model) {
        c().sys.vbar_el1 = kVbar;
        c().s.pc = kCode;
        c().s.daif = 0;
    }
    void to_el0() {
        c().s.el = 0;
        c().s.spsel = 0;
        c().update_mmu_idx();
    }
    uint64_t esr() { return c().sys.esr_el1; }
};

constexpr uint64_t ec_of(uint64_t esr) {
    return esr >> 26;
}

} // namespace

TEST_CASE("SVC from EL1h, EL1t and EL0: syndrome, return address, vector") {
    Fixture f;
    f.c().s.nzcv = kFlagZ | kFlagC;
    f.c().s.excl_size = 8;
    exec(f.c(), svc(0x42));
    CHECK(f.esr() == 0x56000042); // EC 0x15, IL, imm16
    CHECK(f.c().sys.elr_el1 == kCode + 4);
    CHECK(f.c().sys.spsr_el1 == (0x60000000ull | 0x5)); // Z, C, EL1h
    CHECK(f.c().s.pc == kVbar + 0x200);
    CHECK(f.c().s.daif == 0x3c0);
    CHECK(f.c().s.excl_size == 0);

    Fixture t;
    t.c().s.spsel = 0;
    exec(t.c(), svc(1));
    CHECK(t.c().s.pc == kVbar + 0x000);
    CHECK(t.c().sys.spsr_el1 == 0x4); // EL1t
    CHECK(t.c().s.spsel == 1);

    Fixture u;
    u.to_el0();
    u.c().s.daif = 0;
    exec(u.c(), svc(7));
    CHECK(u.c().s.pc == kVbar + 0x400);
    CHECK(u.c().s.el == 1);
    CHECK(u.c().sys.spsr_el1 == 0x0); // EL0t, nothing masked
    CHECK(u.esr() == 0x56000007);
}

TEST_CASE("BRK, UNDEFINED, HVC without EL2: preferred return is the instruction") {
    Fixture f;
    exec(f.c(), brk(0x1234));
    CHECK(f.esr() == ((0x3cull << 26) | (1u << 25) | 0x1234));
    CHECK(f.c().sys.elr_el1 == kCode);

    Fixture g;
    exec(g.c(), kUdf);
    CHECK(g.esr() == 0x02000000); // EC 0, IL
    CHECK(g.c().sys.elr_el1 == kCode);

    Fixture h;
    exec(h.c(), hvc(0));
    CHECK(ec_of(h.esr()) == 0);
    CHECK(h.c().sys.elr_el1 == kCode);

    Fixture e0;
    e0.to_el0();
    exec(e0.c(), hvc(0)); // HVC at EL0 is UNDEFINED
    CHECK(ec_of(e0.esr()) == 0);
    CHECK(e0.c().s.pc == kVbar + 0x400);
}

TEST_CASE("data aborts: same and lower EL classes, DFSC, WnR, FAR") {
    Fixture f;
    const uint64_t hole = 0x1000; // nothing on the bus there
    CHECK_THROWS_AS(f.c().load<uint32_t>(hole), GuestException);
    try {
        f.c().store<uint32_t>(hole, 1);
    } catch (const GuestException& e) {
        f.c().take_exception(e);
    }
    CHECK(ec_of(f.esr()) == 0x25);
    CHECK((f.esr() & 0x3f) == 0x10); // synchronous external abort
    CHECK((f.esr() >> 6 & 1) == 1);  // WnR
    CHECK(f.c().sys.far_el1 == hole);
    CHECK(f.c().s.pc == kVbar + 0x200);

    Fixture g;
    g.to_el0();
    try {
        (void)g.c().load<uint64_t>(hole + 8);
    } catch (const GuestException& e) {
        g.c().take_exception(e);
    }
    CHECK(ec_of(g.esr()) == 0x24);
    CHECK((g.esr() >> 6 & 1) == 0);
    CHECK(g.c().sys.far_el1 == hole + 8);
    CHECK(g.c().s.pc == kVbar + 0x400);
}

TEST_CASE("MMU off: data memory is Device, so unaligned data accesses are alignment faults") {
    Fixture f;
    f.w64(kRamBase + 0x100, 0x8877665544332211ull);
    CHECK(f.c().load<uint32_t>(kRamBase + 0x104) == 0x88776655u); // aligned: fine
    try {
        (void)f.c().load<uint32_t>(kRamBase + 0x101);
        FAIL("no fault");
    } catch (const GuestException& e) {
        f.c().take_exception(e);
    }
    CHECK(ec_of(f.esr()) == 0x25);
    CHECK((f.esr() & 0x3f) == 0x21); // DFSC: alignment fault
    CHECK((f.esr() >> 6 & 1) == 0);  // a read
    CHECK(f.c().sys.far_el1 == kRamBase + 0x101);
    CHECK(f.c().s.pc == kVbar + 0x200);

    Fixture g;
    g.to_el0();
    try {
        g.c().store<uint16_t>(kRamBase + 0x1ff, 0xabcd);
        FAIL("no fault");
    } catch (const GuestException& e) {
        g.c().take_exception(e);
    }
    CHECK(ec_of(g.esr()) == 0x24); // from EL0
    CHECK((g.esr() & 0x3f) == 0x21);
    CHECK((g.esr() >> 6 & 1) == 1); // WnR
    CHECK(g.c().sys.far_el1 == kRamBase + 0x1ff);
    CHECK(g.r64(kRamBase + 0x1f8) == 0); // nothing written
}

TEST_CASE("MMU on, Normal memory: unaligned data accesses are allowed unless SCTLR_EL1.A") {
    Fixture f;
    IdentityMap map(f.bus, kRamBase + kRamSize - 0x1000);
    map.clear();
    map.map_all(IdentityMap::kNormalEl0Rw);
    map.enable(f.c());
    f.w64(kRamBase + 0x100, 0x8877665544332211ull);
    CHECK(f.c().load<uint32_t>(kRamBase + 0x101) == 0x55443322u);
    f.c().sys.sctlr_el1 |= 2; // A
    try {
        (void)f.c().load<uint32_t>(kRamBase + 0x101);
        FAIL("no fault");
    } catch (const GuestException& e) {
        CHECK(e.ec == ExcClass::DataAbortSame);
        CHECK((e.iss & 0x3f) == 0x21);
        CHECK(e.far == kRamBase + 0x101);
    }
}

TEST_CASE("instruction aborts and PC alignment") {
    Fixture f;
    f.to_el0();
    f.c().s.pc = 0x2000; // nothing there
    uint64_t pa;
    try {
        f.c().fetch(f.c().s.pc, pa);
        FAIL("no fault");
    } catch (const GuestException& e) {
        f.c().take_exception(e);
    }
    CHECK(ec_of(f.esr()) == 0x20);
    CHECK((f.esr() & 0x3f) == 0x10);
    CHECK(f.c().sys.far_el1 == 0x2000);
    CHECK(f.c().sys.elr_el1 == 0x2000);
}

TEST_CASE("IRQ and FIQ: masking and vector offsets from each source") {
    struct Case {
        unsigned el, spsel;
        bool fiq;
        uint64_t offset;
    };
    const Case cases[] = {{1, 1, false, 0x280}, {1, 0, false, 0x080}, {0, 0, false, 0x480},
                          {1, 1, true, 0x300},  {1, 0, true, 0x100},  {0, 0, true, 0x500}};
    for (const Case& k : cases) {
        Fixture f;
        f.c().s.el = static_cast<uint8_t>(k.el);
        f.c().s.spsel = static_cast<uint8_t>(k.spsel);
        f.c().s.daif = k.fiq ? 0x40 : 0x80; // masked first
        (k.fiq ? f.c().fiq_line : f.c().irq_line) = true;
        CHECK_FALSE(f.c().check_interrupts());
        f.c().s.daif = 0;
        REQUIRE(f.c().check_interrupts());
        CHECK(f.c().s.pc == kVbar + k.offset);
        CHECK(f.c().sys.elr_el1 == kCode); // the next instruction to run
        CHECK(f.c().sys.spsr_el1 == ((k.el << 2) | k.spsel));
    }
}

TEST_CASE("ERET restores PSTATE from SPSR and jumps to ELR") {
    Fixture f;
    f.c().sys.spsr_el1 = 0x900003c0ull | 0x0; // N, V, DAIF masked, EL0t
    f.c().sys.elr_el1 = kRamBase + 0x3000;
    f.c().s.excl_size = 4;
    exec(f.c(), kEret);
    CHECK(f.c().s.el == 0);
    CHECK(f.c().s.spsel == 0);
    CHECK(f.c().s.nzcv == 0x90000000u);
    CHECK(f.c().s.daif == 0x3c0);
    CHECK(f.c().s.pc == kRamBase + 0x3000);
    CHECK(f.c().s.excl_size == 0);
    CHECK(f.c().mmu_idx() == kMmuIdxEl0);

    // ERET at EL0 is UNDEFINED.
    exec(f.c(), kEret);
    CHECK(f.c().s.el == 1);
    CHECK(ec_of(f.esr()) == 0);

    // EL1t.
    Fixture g;
    g.c().sys.spsr_el1 = 0x4;
    g.c().sys.elr_el1 = 0x1234;
    exec(g.c(), kEret);
    CHECK(g.c().s.el == 1);
    CHECK(g.c().s.spsel == 0);
    CHECK(g.c().s.il == 0);
}

TEST_CASE("illegal exception returns set PSTATE.IL and keep EL and SP") {
    // EL2h without EL2, EL0 with SP_EL1 (M = 0b0001), AArch32, reserved M[1].
    for (uint64_t m : {0x9ull, 0x1ull, 0x10ull, 0x6ull, 0xdull}) {
        INFO("M " << m);
        Fixture f;
        f.c().sys.spsr_el1 = 0x20000000ull | m; // C flag
        f.c().sys.elr_el1 = kRamBase + 0x4000;
        exec(f.c(), kEret);
        CHECK(f.c().s.il == 1);
        CHECK(f.c().s.el == 1);
        CHECK(f.c().s.spsel == 1);
        CHECK(f.c().s.nzcv == 0x20000000u); // flags still restored
        CHECK(f.c().s.pc == kRamBase + 0x4000);
        // The next instruction takes an Illegal Execution state exception,
        // whose SPSR records IL and which clears it.
        GuestException e;
        e.ec = ExcClass::IllegalState;
        f.c().take_exception(e);
        CHECK(ec_of(f.esr()) == 0x0e);
        CHECK((f.c().sys.spsr_el1 >> 20 & 1) == 1);
        CHECK(f.c().s.il == 0);
    }
}

TEST_CASE("PAN is set on exception entry when SCTLR_EL1.SPAN is clear (max model)") {
    Fixture f("max");
    f.c().sys.sctlr_el1 &= ~(1ull << 23);
    exec(f.c(), svc(0));
    CHECK(f.c().s.pan == 1);
    CHECK(f.c().mmu_idx() == kMmuIdxEl1Pan);
    CHECK((f.c().sys.spsr_el1 >> 22 & 1) == 0);
    // ERET restores PAN from SPSR.
    exec(f.c(), kEret);
    CHECK(f.c().s.pan == 0);

    Fixture g; // cortex-a57 has no PAN: entry leaves it clear
    g.c().sys.sctlr_el1 &= ~(1ull << 23);
    exec(g.c(), svc(0));
    CHECK(g.c().s.pan == 0);
}

TEST_CASE("WFI/WFE at EL0 trap to EL1 unless SCTLR_EL1.nTWI/nTWE") {
    Fixture f;
    f.to_el0();
    f.c().sys.sctlr_el1 &= ~((1ull << 16) | (1ull << 18));
    exec(f.c(), kWfi);
    CHECK(f.esr() == ((0x01ull << 26) | (1u << 25) | (1u << 24) | (0xeu << 20)));
    CHECK(f.c().sys.elr_el1 == kCode);
    CHECK(f.c().run_state == CpuRunState::Running);

    Fixture g;
    g.to_el0();
    g.c().sys.sctlr_el1 &= ~(1ull << 18);
    exec(g.c(), kWfe);
    CHECK(g.esr() == ((0x01ull << 26) | (1u << 25) | (1u << 24) | (0xeu << 20) | 1));

    Fixture h;
    h.to_el0();
    h.c().sys.sctlr_el1 |= (1ull << 16);
    exec(h.c(), kWfi);
    CHECK(h.c().run_state == CpuRunState::WaitForInterrupt);
    CHECK(h.c().s.el == 0);
    CHECK(h.c().s.pc == kCode + 4);

    // A pending interrupt makes WFI complete without sleeping or trapping.
    Fixture i;
    i.to_el0();
    i.c().sys.sctlr_el1 &= ~(1ull << 16);
    i.c().irq_line = true;
    exec(i.c(), kWfi);
    CHECK(i.c().run_state == CpuRunState::Running);
    CHECK(i.c().s.el == 0);
}

TEST_CASE("FP access trap and SP alignment helpers") {
    Fixture f;
    f.c().sys.cpacr_el1 = 0;
    try {
        f.c().check_fp_enabled();
        FAIL("no trap");
    } catch (const GuestException& e) {
        f.c().take_exception(e);
    }
    CHECK(f.esr() == 0x1fe00000);   // EC 0x07, IL, CV, COND AL
    f.c().sys.cpacr_el1 = 1u << 20; // trap EL0 only
    CHECK_NOTHROW(f.c().check_fp_enabled());
    f.to_el0();
    CHECK_THROWS_AS(f.c().check_fp_enabled(), GuestException);

    Fixture g;
    g.c().sys.sctlr_el1 |= 1u << 3; // SA
    CHECK_NOTHROW(g.c().check_sp_alignment(0x1000));
    try {
        g.c().check_sp_alignment(0x1008);
        FAIL("no fault");
    } catch (const GuestException& e) {
        CHECK(e.ec == ExcClass::SPAlign);
    }
}
