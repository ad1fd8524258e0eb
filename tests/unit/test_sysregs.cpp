// System register access rules: EL0 denied or trapped, RAZ ID space,
// unimplemented encodings UNDEFINED, timer registers, SYS operations.
#include "accel/tcg/executor.hpp"
#include "cpu/sysreg.hpp"
#include "cpu_test_util.hpp"
#include "tests/common/identity_map.hpp"

#include <doctest/doctest.h>
#include <set>

using namespace kestrel;
using namespace kestrel::test;

namespace {

constexpr uint64_t kVbar = kRamBase + 0x10000;
constexpr uint64_t kCode = kRamBase + 0x20000;

struct Fixture : TestCore {
    explicit Fixture(const std::string& model = "cortex-a57") : TestCore(model) {
        c().sys.vbar_el1 = kVbar;
        c().s.pc = kCode;
    }
    void to_el0() {
        c().s.el = 0;
        c().s.spsel = 0;
        c().update_mmu_idx();
    }
    // Runs one instruction and reports the EC it raised, or -1.
    int run(uint32_t insn) {
        uint64_t esr_before = c().sys.esr_el1;
        c().sys.esr_el1 = ~0ull;
        unsigned el = c().s.el;
        exec(c(), insn);
        int ec = c().sys.esr_el1 == ~0ull ? -1 : static_cast<int>(c().sys.esr_el1 >> 26);
        if (ec < 0) c().sys.esr_el1 = esr_before;
        // Return to the EL we came from so several accesses can be tried.
        if (ec >= 0) {
            c().s.el = static_cast<uint8_t>(el);
            c().s.spsel = el ? 1 : 0;
            c().update_mmu_idx();
        }
        c().s.pc = kCode;
        return ec;
    }
};

} // namespace

TEST_CASE("every table entry is found by its encoding and name, with no duplicate") {
    std::set<uint32_t> seen;
    for (auto table : {special_sysregs(), el1_sysregs(), id_sysregs(), debug_sysregs(),
                       pmu_sysregs(), timer_sysregs()}) {
        for (const SysRegDesc& d : table) {
            INFO(d.name);
            CHECK(seen.insert(d.enc).second);
            CHECK(find_sysreg(d.enc) == &d);
            CHECK(find_sysreg(d.name) == &d);
        }
    }
}

TEST_CASE("ID register space reads as zero where unallocated; model values elsewhere") {
    Fixture f;
    f.c().s.x[0] = 0x55;
    CHECK(f.run(mrs(0, 3, 0, 0, 3, 3)) == -1); // unallocated: RAZ
    CHECK(f.c().s.x[0] == 0);
    f.c().s.x[0] = 0x55;
    CHECK(f.run(mrs(0, 3, 0, 0, 1, 0)) == -1); // ID_PFR0_EL1: AArch64-only core
    CHECK(f.c().s.x[0] == 0);
    CHECK(f.run(mrs(0, 3, 0, 0, 7, 0)) == -1);
    CHECK(f.c().s.x[0] == f.c().model.id_aa64mmfr0);
    CHECK(f.run(mrs(0, 3, 0, 0, 0, 0)) == -1);
    CHECK(f.c().s.x[0] == 0x411fd070); // MIDR of a Cortex-A57 r1p0
    CHECK(f.run(mrs(0, 3, 0, 0, 7, 1)) == -1);
    CHECK((f.c().s.x[0] >> 20 & 0xf) == 0); // no PAN on cortex-a57
    Fixture m("max");
    CHECK(m.run(mrs(0, 3, 0, 0, 7, 1)) == -1);
    CHECK((m.c().s.x[0] >> 20 & 0xf) == 1);
    // ID registers are not accessible from EL0.
    f.to_el0();
    CHECK(f.run(mrs(0, 3, 0, 0, 7, 0)) == 0x00);
}

TEST_CASE("unimplemented encodings and EL1 registers at EL0 are UNDEFINED") {
    Fixture f;
    CHECK(f.run(mrs(0, 3, 0, 15, 0, 0)) == 0x00);
    CHECK(f.run(msr(3, 0, 15, 0, 0, 0)) == 0x00);
    CHECK(f.run(mrs(0, 3, 4, 4, 1, 0)) == 0x00);  // SP_EL1 needs EL2
    CHECK(f.run(mrs(0, 3, 4, 14, 0, 3)) == 0x00); // CNTVOFF_EL2
    CHECK(f.run(msr(3, 0, 0, 0, 0, 0)) == 0x00);  // MIDR_EL1 is read-only
    f.to_el0();
    CHECK(f.run(mrs(0, 3, 0, 1, 0, 0)) == 0x00);  // SCTLR_EL1
    CHECK(f.run(msr(3, 0, 2, 0, 0, 0)) == 0x00);  // TTBR0_EL1
    CHECK(f.run(msr(3, 3, 13, 0, 3, 0)) == 0x00); // TPIDRRO_EL0 is read-only at EL0
    CHECK(f.run(mrs(0, 3, 3, 13, 0, 3)) == -1);
    CHECK(f.run(sys(0, 8, 7, 0, 31)) == 0x00); // TLBI VMALLE1
    CHECK(f.run(sys(0, 7, 8, 0, 0)) == 0x00);  // AT S1E1R
    CHECK(f.run(sys(0, 7, 6, 1, 0)) == 0x00);  // DC IVAC
}

TEST_CASE("EL0 access controlled by SCTLR_EL1 and CNTKCTL_EL1 traps with EC 0x18") {
    Fixture f;
    f.to_el0();
    f.c().sys.sctlr_el1 &= ~((1ull << 15) | (1ull << 9) | (1ull << 26) | (1ull << 14));
    f.c().sys.cntkctl_el1 = 0;
    CHECK(f.run(mrs(3, 3, 3, 0, 0, 1)) == 0x18); // CTR_EL0 with UCT = 0
    // ISS: op0 3, op2 1, op1 3, CRn 0, Rt 3, CRm 0, read.
    CHECK((f.c().sys.esr_el1 & 0x1ffffff) ==
          ((3u << 20) | (1u << 17) | (3u << 14) | (3u << 5) | 1));
    CHECK(f.run(mrs(0, 3, 3, 14, 0, 1)) == 0x18); // CNTPCT_EL0
    CHECK(f.run(mrs(0, 3, 3, 14, 0, 2)) == 0x18); // CNTVCT_EL0
    CHECK(f.run(mrs(0, 3, 3, 14, 2, 1)) == 0x18); // CNTP_CTL_EL0
    CHECK(f.run(mrs(0, 3, 3, 14, 3, 1)) == 0x18); // CNTV_CTL_EL0
    CHECK(f.run(mrs(0, 3, 3, 14, 0, 0)) == 0x18); // CNTFRQ_EL0
    CHECK(f.run(mrs(0, 3, 3, 4, 2, 1)) == 0x18);  // DAIF with UMA = 0
    CHECK(f.run(0xd50342ffu) == 0x18);            // MSR DAIFClr, #2
    CHECK(f.run(sys(3, 7, 4, 1, 0)) == 0x18);     // DC ZVA with DZE = 0
    CHECK(f.run(sys(3, 7, 10, 1, 0)) == 0x18);    // DC CVAC with UCI = 0
    CHECK(f.run(sys(3, 7, 5, 1, 0)) == 0x18);     // IC IVAU with UCI = 0
    CHECK(f.run(mrs(0, 3, 3, 9, 12, 0)) == 0x18); // PMCR_EL0 with PMUSERENR = 0
    // DZP reads 1 at EL0 while DC ZVA is prohibited there.
    CHECK(f.run(mrs(0, 3, 3, 0, 0, 7)) == -1);
    CHECK((f.c().s.x[0] >> 4 & 1) == 1);

    f.c().sys.sctlr_el1 |= (1ull << 15) | (1ull << 9) | (1ull << 26) | (1ull << 14);
    f.c().sys.cntkctl_el1 = 0x303;
    CHECK(f.run(mrs(3, 3, 3, 0, 0, 1)) == -1);
    CHECK(f.c().s.x[3] == f.c().model.ctr_el0);
    CHECK(f.run(mrs(0, 3, 3, 14, 0, 1)) == -1);
    CHECK(f.run(mrs(0, 3, 3, 14, 2, 1)) == -1);
    CHECK(f.run(mrs(0, 3, 3, 14, 0, 0)) == -1);
    CHECK(f.c().s.x[0] == kCounterFrequencyHz);
    CHECK(f.run(mrs(0, 3, 3, 0, 0, 7)) == -1);
    CHECK((f.c().s.x[0] >> 4 & 1) == 0);
}

TEST_CASE("SCTLR_EL1 keeps RES1 bits and TCR_EL1 drops RES0 bits") {
    Fixture f;
    f.c().s.x[1] = 0;
    CHECK(f.run(msr(3, 0, 1, 0, 0, 1)) == -1);
    CHECK(f.c().sys.sctlr_el1 == 0x30d00800);
    f.c().s.x[1] = ~0ull;
    CHECK(f.run(msr(3, 0, 2, 0, 2, 1)) == -1);
    CHECK(f.c().sys.tcr_el1 == (((1ull << 39) - 1) & ~(1ull << 6) & ~(1ull << 35)));
}

TEST_CASE("OS lock and breakpoint registers for the advertised count") {
    Fixture f;
    CHECK(f.run(mrs(0, 2, 0, 1, 1, 4)) == -1); // OSLSR_EL1
    CHECK((f.c().s.x[0] & 2) == 2);            // locked at reset
    f.c().s.x[1] = 0;
    CHECK(f.run(msr(2, 0, 1, 0, 4, 1)) == -1); // OSLAR_EL1 <- 0
    CHECK(f.run(mrs(0, 2, 0, 1, 1, 4)) == -1);
    CHECK((f.c().s.x[0] & 2) == 0);
    f.c().s.x[1] = 0x1234;
    CHECK(f.run(msr(2, 0, 0, 5, 4, 1)) == -1); // DBGBVR5_EL1: 6 breakpoints
    CHECK(f.run(mrs(0, 2, 0, 0, 5, 4)) == -1);
    CHECK(f.c().s.x[0] == 0x1234);
    CHECK(f.run(msr(2, 0, 0, 6, 4, 1)) == 0x00); // DBGBVR6_EL1 does not exist
    CHECK(f.run(msr(2, 0, 0, 3, 7, 1)) == -1);   // DBGWCR3_EL1: 4 watchpoints
    CHECK(f.run(msr(2, 0, 0, 4, 7, 1)) == 0x00);
    CHECK(f.run(mrs(0, 3, 3, 9, 12, 0)) == -1); // PMCR_EL0: N = 0
    CHECK((f.c().s.x[0] >> 11 & 0x1f) == 0);
}

TEST_CASE("AT writes PAR_EL1; TLBI IS reaches sibling cores") {
    Fixture f;
    // MMU off: AT gives the flat address, Device attributes.
    f.c().s.x[0] = kRamBase + 0x1234;
    CHECK(f.run(sys(0, 7, 8, 0, 0)) == -1);
    CHECK(f.c().sys.par_el1 == ((kRamBase + 0x1000) | (2u << 7) | (1u << 9) | (1u << 11)));
    // A fault: F = 1 and the status code.
    f.c().sys.sctlr_el1 |= 1; // MMU on with TTBR0 = 0 (nothing there)
    f.c().sys.tcr_el1 = 16 | (5ull << 32);
    f.c().s.x[0] = 0x1000;
    CHECK(f.run(sys(0, 7, 8, 0, 0)) == -1);
    CHECK(f.c().sys.par_el1 == (1 | (0x14u << 1) | (1u << 11)));

    Bus bus;
    bus.add_ram(kRamBase, kRamSize, "ram");
    auto model = *find_cpu_model("cortex-a57");
    Cpu a(0, model, bus), b(1, model, bus);
    std::vector<Cpu*> all{&a, &b};
    a.siblings = b.siblings = &all;
    (void)a.load<uint64_t>(kRamBase);
    (void)b.load<uint64_t>(kRamBase);
    CHECK(b.tlb.entry(b.mmu_idx(), kRamBase).tag_read == kRamBase);
    a.s.pc = kCode;
    exec(a, sys(0, 8, 7, 0, 31)); // VMALLE1: local only
    CHECK(a.tlb.entry(a.mmu_idx(), kRamBase).tag_read == kTlbNoTag);
    CHECK(b.tlb.entry(b.mmu_idx(), kRamBase).tag_read == kRamBase);
    (void)a.load<uint64_t>(kRamBase);
    exec(a, sys(0, 8, 3, 0, 31)); // VMALLE1IS: every core
    CHECK(a.tlb.entry(a.mmu_idx(), kRamBase).tag_read == kTlbNoTag);
    CHECK(b.tlb.entry(b.mmu_idx(), kRamBase).tag_read == kTlbNoTag);
    (void)b.load<uint64_t>(kRamBase + 0x5000);
    a.s.x[0] = (kRamBase + 0x5000) >> 12;
    exec(a, sys(0, 8, 3, 1, 0)); // VAE1IS
    CHECK(b.tlb.entry(b.mmu_idx(), kRamBase + 0x5000).tag_read == kTlbNoTag);
}

TEST_CASE("DC ZVA zeroes the aligned 64-byte block holding the address") {
    Fixture f;
    // DC ZVA needs Normal memory: with the MMU off data memory is Device.
    IdentityMap map(f.bus, kRamBase + kRamSize - 0x1000);
    map.clear();
    map.map_all(IdentityMap::kNormalEl0Rw);
    map.enable(f.c());
    for (unsigned i = 0; i < 128; i += 8)
        f.w64(kRamBase + 0x3000 + i, ~0ull);
    f.c().s.x[0] = kRamBase + 0x3044;
    CHECK(f.run(sys(3, 7, 4, 1, 0)) == -1);
    CHECK(f.r64(kRamBase + 0x3038) == ~0ull);
    for (unsigned i = 0x40; i < 0x80; i += 8)
        CHECK(f.r64(kRamBase + 0x3000 + i) == 0);
    CHECK(f.r64(kRamBase + 0x3080) == 0); // untouched RAM beyond (zero from the start)
    CHECK(f.r64(kRamBase + 0x3000) == ~0ull);
}

TEST_CASE("DC ZVA with the MMU off is an alignment fault (data memory is Device)") {
    Fixture f;
    for (unsigned i = 0; i < 64; i += 8)
        f.w64(kRamBase + 0x3000 + i, ~0ull);
    f.c().s.x[0] = kRamBase + 0x3000; // even an aligned address
    CHECK(f.run(sys(3, 7, 4, 1, 0)) == 0x25);
    CHECK((f.c().sys.esr_el1 & 0x3f) == 0x21); // DFSC: alignment fault
    CHECK((f.c().sys.esr_el1 >> 6 & 1) == 1);  // WnR
    CHECK(f.c().sys.far_el1 == kRamBase + 0x3000);
    for (unsigned i = 0; i < 64; i += 8)
        CHECK(f.r64(kRamBase + 0x3000 + i) == ~0ull);
}
