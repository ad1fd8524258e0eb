// PMUv3 registers a kernel probes. The PMU has no event counters
// (PMCR_EL0.N = 0); the cycle counter runs from the system counter while
// enabled, scaled to a nominal 1 GHz.
#include "cpu/sysreg_access.hpp"

namespace kestrel {

namespace {

constexpr uint64_t kCycleCounterBit = 1ull << 31; // PMCNTEN/PMINTEN/PMOVS bit of PMCCNTR
constexpr uint64_t kPmcrImp = 0x41ull << 24;      // implementer: Arm, N = 0
constexpr uint64_t kPmcrWritable = 0x79;          // E, D, X, DP, LC (P and C act on write)
constexpr uint64_t kCyclesPerTick = 16;           // 62.5 MHz counter -> 1 GHz cycles

// PMUSERENR_EL0: EN (all), SW (PMSWINC), CR (cycle counter read), ER (event counters).
bool pmu_en(const Cpu& c) {
    return c.sys.pmuserenr_el0 & 1;
}
bool pmu_cr(const Cpu& c) {
    return c.sys.pmuserenr_el0 & 5;
}
bool pmu_sw(const Cpu& c) {
    return c.sys.pmuserenr_el0 & 3;
}
bool pmu_er(const Cpu& c) {
    return c.sys.pmuserenr_el0 & 9;
}

bool cycle_counter_running(const Cpu& c) {
    return (c.sys.pmcr_el0 & 1) && (c.sys.pmcnten & kCycleCounterBit);
}

// pmccntr_el0 holds the count while stopped, or count minus cycles-now
// while running.
uint64_t cycles_now() {
    return guest_counter_ticks() * kCyclesPerTick;
}
uint64_t read_ccntr(Cpu& c) {
    return c.sys.pmccntr_el0 + (cycle_counter_running(c) ? cycles_now() : 0);
}
void write_ccntr(Cpu& c, uint64_t v) {
    c.sys.pmccntr_el0 = v - (cycle_counter_running(c) ? cycles_now() : 0);
}

// Starting or stopping the cycle counter rebases the stored value.
template <typename F> void change_running(Cpu& c, F change) {
    uint64_t count = read_ccntr(c);
    change();
    write_ccntr(c, count);
}

void write_pmcr(Cpu& c, uint64_t v) {
    change_running(c, [&] { c.sys.pmcr_el0 = v & kPmcrWritable; });
    if (v & 4) write_ccntr(c, 0); // C: reset the cycle counter
}

uint64_t read_pmcr(Cpu& c) {
    return kPmcrImp | c.sys.pmcr_el0;
}

void write_user_only_at_el1(Cpu& c, uint64_t v) {
    if (c.s.el == 0) c.undefined();
    c.sys.pmuserenr_el0 = v & 0xf;
}

const SysRegDesc kPmu[] = {
    {"PMCR_EL0", sysreg_enc(3, 3, 9, 12, 0), 0, read_pmcr, write_pmcr, false, pmu_en},
    {"PMCNTENSET_EL0", sysreg_enc(3, 3, 9, 12, 1), 0,
     [](Cpu& c) -> uint64_t { return c.sys.pmcnten; },
     [](Cpu& c, uint64_t v) { change_running(c, [&] { c.sys.pmcnten |= v & kCycleCounterBit; }); },
     false, pmu_en},
    {"PMCNTENCLR_EL0", sysreg_enc(3, 3, 9, 12, 2), 0,
     [](Cpu& c) -> uint64_t { return c.sys.pmcnten; },
     [](Cpu& c, uint64_t v) {
         change_running(c, [&] { c.sys.pmcnten &= ~(v & kCycleCounterBit); });
     },
     false, pmu_en},
    {"PMOVSCLR_EL0", sysreg_enc(3, 3, 9, 12, 3), 0, [](Cpu& c) -> uint64_t { return c.sys.pmovs; },
     [](Cpu& c, uint64_t v) { c.sys.pmovs &= ~(v & kCycleCounterBit); }, false, pmu_en},
    {"PMSWINC_EL0", sysreg_enc(3, 3, 9, 12, 4), 0, nullptr, [](Cpu&, uint64_t) {}, false, pmu_sw},
    {"PMSELR_EL0", sysreg_enc(3, 3, 9, 12, 5), 0, SYSREG_RW_MASK(pmselr_el0, 0x1f), false, pmu_er},
    {"PMCEID0_EL0", sysreg_enc(3, 3, 9, 12, 6), 0, SYSREG_RO(0), false, pmu_en},
    {"PMCEID1_EL0", sysreg_enc(3, 3, 9, 12, 7), 0, SYSREG_RO(0), false, pmu_en},
    {"PMCCNTR_EL0", sysreg_enc(3, 3, 9, 13, 0), 0, read_ccntr, write_ccntr, false, pmu_cr},
    // With no event counters only PMSELR_EL0.SEL = 31 (the cycle filter)
    // selects anything; the rest reads as zero.
    {"PMXEVTYPER_EL0", sysreg_enc(3, 3, 9, 13, 1), 0,
     [](Cpu& c) -> uint64_t { return (c.sys.pmselr_el0 & 0x1f) == 31 ? c.sys.pmccfiltr_el0 : 0; },
     [](Cpu& c, uint64_t v) {
         if ((c.sys.pmselr_el0 & 0x1f) == 31) c.sys.pmccfiltr_el0 = v & 0xfc000000u;
     },
     false, pmu_en},
    {"PMXEVCNTR_EL0", sysreg_enc(3, 3, 9, 13, 2), 0, SYSREG_RAZ_WI, false, pmu_er},
    {"PMUSERENR_EL0", sysreg_enc(3, 3, 9, 14, 0), 0,
     [](Cpu& c) -> uint64_t { return c.sys.pmuserenr_el0; }, write_user_only_at_el1},
    {"PMINTENSET_EL1", sysreg_enc(3, 0, 9, 14, 1), 1,
     [](Cpu& c) -> uint64_t { return c.sys.pminten; },
     [](Cpu& c, uint64_t v) { c.sys.pminten |= v & kCycleCounterBit; }},
    {"PMINTENCLR_EL1", sysreg_enc(3, 0, 9, 14, 2), 1,
     [](Cpu& c) -> uint64_t { return c.sys.pminten; },
     [](Cpu& c, uint64_t v) { c.sys.pminten &= ~(v & kCycleCounterBit); }},
    {"PMOVSSET_EL0", sysreg_enc(3, 3, 9, 14, 3), 0, [](Cpu& c) -> uint64_t { return c.sys.pmovs; },
     [](Cpu& c, uint64_t v) { c.sys.pmovs |= v & kCycleCounterBit; }, false, pmu_en},
    {"PMCCFILTR_EL0", sysreg_enc(3, 3, 14, 15, 7), 0, SYSREG_RW_MASK(pmccfiltr_el0, 0xfc000000u),
     false, pmu_en},
};

} // namespace

std::span<const SysRegDesc> pmu_sysregs() {
    return kPmu;
}

} // namespace kestrel
