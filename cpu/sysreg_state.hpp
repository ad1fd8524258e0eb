// System register values of one core (the architectural part; saved by savevm).
#pragma once
#include <cstdint>

namespace kestrel {

struct SysRegState {
    // EL1 translation and control
    uint64_t sctlr_el1 = 0;
    uint64_t tcr_el1 = 0;
    uint64_t ttbr0_el1 = 0;
    uint64_t ttbr1_el1 = 0;
    uint64_t mair_el1 = 0;
    uint64_t amair_el1 = 0;
    uint64_t vbar_el1 = 0;
    uint64_t esr_el1 = 0;
    uint64_t far_el1 = 0;
    uint64_t elr_el1 = 0;
    uint64_t spsr_el1 = 0;
    uint64_t par_el1 = 0;
    uint64_t cpacr_el1 = 0;
    uint64_t contextidr_el1 = 0;
    uint64_t afsr0_el1 = 0;
    uint64_t afsr1_el1 = 0;
    uint64_t csselr_el1 = 0;
    uint64_t mdscr_el1 = 0;
    uint64_t oslsr_el1 = 0;
    uint64_t osdlr_el1 = 0;
    uint64_t mdccint_el1 = 0;
    uint64_t dbgclaim = 0; // DBGCLAIMSET/CLR_EL1 tag bits
    // Breakpoint and watchpoint registers: stored, not yet acted upon.
    uint64_t dbgbvr[16] = {};
    uint64_t dbgbcr[16] = {};
    uint64_t dbgwvr[16] = {};
    uint64_t dbgwcr[16] = {};
    // PMUv3 with no event counters (PMCR_EL0.N = 0): cycle counter only.
    uint64_t pmcr_el0 = 0;
    uint64_t pmcnten = 0; // PMCNTENSET/CLR_EL0
    uint64_t pminten = 0; // PMINTENSET/CLR_EL1
    uint64_t pmovs = 0;   // PMOVSSET/CLR_EL0
    uint64_t pmselr_el0 = 0;
    uint64_t pmccntr_el0 = 0;
    uint64_t pmccfiltr_el0 = 0;
    uint64_t pmuserenr_el0 = 0;
    // thread ID registers
    uint64_t tpidr_el0 = 0;
    uint64_t tpidrro_el0 = 0;
    uint64_t tpidr_el1 = 0;
    // generic timer
    uint64_t cntfrq_el0 = 0;
    uint64_t cntkctl_el1 = 0;
    uint64_t cntp_ctl_el0 = 0;
    uint64_t cntp_cval_el0 = 0;
    uint64_t cntv_ctl_el0 = 0;
    uint64_t cntv_cval_el0 = 0;
    uint64_t cntvoff_el2 = 0;
    // EL2 (present when the board enables virtualization)
    uint64_t hcr_el2 = 0;
    uint64_t sctlr_el2 = 0;
    uint64_t vbar_el2 = 0;
    uint64_t esr_el2 = 0;
    uint64_t far_el2 = 0;
    uint64_t elr_el2 = 0;
    uint64_t spsr_el2 = 0;
    uint64_t tcr_el2 = 0;
    uint64_t ttbr0_el2 = 0;
    uint64_t mair_el2 = 0;
    uint64_t vttbr_el2 = 0;
    uint64_t vtcr_el2 = 0;
    uint64_t tpidr_el2 = 0;
    uint64_t cptr_el2 = 0;
    uint64_t mdcr_el2 = 0;
    uint64_t hpfar_el2 = 0;
    uint64_t vpidr_el2 = 0;
    uint64_t vmpidr_el2 = 0;
    uint64_t cnthctl_el2 = 0;

    bool operator==(const SysRegState&) const = default;
};

} // namespace kestrel
