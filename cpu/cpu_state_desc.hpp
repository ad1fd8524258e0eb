// savevm descriptions of a core's state: general and FP/SIMD registers,
// FPCR/FPSR, the exclusive monitor, the system registers (which include the
// generic timer's CNTP_*/CNTV_*/CNTVOFF/CNTKCTL registers) and the run state
// (running, WFI, powered off by PSCI, halted).
//
// Not saved, because they are caches rebuilt after a load
// (restore_cpu_snapshot in cpu_snapshot.cpp): the TLB, the translation
// regime index, the timer output levels, the IRQ/FIQ input lines (driven
// again by the GIC or the timers) and the translated code.
#pragma once
#include "cpu/cpu_state.hpp"
#include "cpu/sysreg_state.hpp"
#include "savevm/section.hpp"

namespace kestrel {

// What one core contributes to a snapshot; plain data so it can be staged.
struct CpuSnapshotState {
    CpuState s;
    SysRegState sys;
    uint8_t run_state = 0; // CpuRunState
    int32_t exit_code = 0;
    bool operator==(const CpuSnapshotState&) const = default;
};

} // namespace kestrel

template <> struct kestrel::savevm::Describe<kestrel::VReg> {
    static constexpr auto fields =
        savevm::fields(field("lo", &kestrel::VReg::lo), field("hi", &kestrel::VReg::hi));
};

template <> struct kestrel::savevm::Describe<kestrel::CpuState> {
    using S = kestrel::CpuState;
    static constexpr auto fields = savevm::fields(
        field("x", &S::x), field("sp_el", &S::sp_el), field("pc", &S::pc), field("nzcv", &S::nzcv),
        field("daif", &S::daif), field("el", &S::el), field("spsel", &S::spsel),
        field("pan", &S::pan), field("uao", &S::uao), field("ss", &S::ss), field("il", &S::il),
        field("v", &S::v), field("fpcr", &S::fpcr), field("fpsr", &S::fpsr),
        field("excl_addr", &S::excl_addr), field("excl_val", &S::excl_val),
        field("excl_size", &S::excl_size));
};

template <> struct kestrel::savevm::Describe<kestrel::SysRegState> {
    using S = kestrel::SysRegState;
    static constexpr auto fields = savevm::fields(
        field("sctlr_el1", &S::sctlr_el1), field("tcr_el1", &S::tcr_el1),
        field("ttbr0_el1", &S::ttbr0_el1), field("ttbr1_el1", &S::ttbr1_el1),
        field("mair_el1", &S::mair_el1), field("amair_el1", &S::amair_el1),
        field("vbar_el1", &S::vbar_el1), field("esr_el1", &S::esr_el1),
        field("far_el1", &S::far_el1), field("elr_el1", &S::elr_el1),
        field("spsr_el1", &S::spsr_el1), field("par_el1", &S::par_el1),
        field("cpacr_el1", &S::cpacr_el1), field("contextidr_el1", &S::contextidr_el1),
        field("afsr0_el1", &S::afsr0_el1), field("afsr1_el1", &S::afsr1_el1),
        field("csselr_el1", &S::csselr_el1), field("mdscr_el1", &S::mdscr_el1),
        field("oslsr_el1", &S::oslsr_el1), field("osdlr_el1", &S::osdlr_el1),
        field("mdccint_el1", &S::mdccint_el1), field("dbgclaim", &S::dbgclaim),
        field("dbgbvr", &S::dbgbvr), field("dbgbcr", &S::dbgbcr), field("dbgwvr", &S::dbgwvr),
        field("dbgwcr", &S::dbgwcr), field("pmcr_el0", &S::pmcr_el0), field("pmcnten", &S::pmcnten),
        field("pminten", &S::pminten), field("pmovs", &S::pmovs),
        field("pmselr_el0", &S::pmselr_el0), field("pmccntr_el0", &S::pmccntr_el0),
        field("pmccfiltr_el0", &S::pmccfiltr_el0), field("pmuserenr_el0", &S::pmuserenr_el0),
        field("tpidr_el0", &S::tpidr_el0), field("tpidrro_el0", &S::tpidrro_el0),
        field("tpidr_el1", &S::tpidr_el1), field("cntfrq_el0", &S::cntfrq_el0),
        field("cntkctl_el1", &S::cntkctl_el1), field("cntp_ctl_el0", &S::cntp_ctl_el0),
        field("cntp_cval_el0", &S::cntp_cval_el0), field("cntv_ctl_el0", &S::cntv_ctl_el0),
        field("cntv_cval_el0", &S::cntv_cval_el0), field("cntvoff_el2", &S::cntvoff_el2),
        field("hcr_el2", &S::hcr_el2), field("sctlr_el2", &S::sctlr_el2),
        field("vbar_el2", &S::vbar_el2), field("esr_el2", &S::esr_el2),
        field("far_el2", &S::far_el2), field("elr_el2", &S::elr_el2),
        field("spsr_el2", &S::spsr_el2), field("tcr_el2", &S::tcr_el2),
        field("ttbr0_el2", &S::ttbr0_el2), field("mair_el2", &S::mair_el2),
        field("vttbr_el2", &S::vttbr_el2), field("vtcr_el2", &S::vtcr_el2),
        field("tpidr_el2", &S::tpidr_el2), field("cptr_el2", &S::cptr_el2),
        field("mdcr_el2", &S::mdcr_el2), field("hpfar_el2", &S::hpfar_el2),
        field("vpidr_el2", &S::vpidr_el2), field("vmpidr_el2", &S::vmpidr_el2),
        field("cnthctl_el2", &S::cnthctl_el2));
};

namespace kestrel {

// Section "cpu", one instance per core (instance = core index).
inline constexpr auto kCpuSection = savevm::section<CpuSnapshotState>(
    "cpu", 1, 1,
    savevm::fields(savevm::field("regs", &CpuSnapshotState::s),
                   savevm::field("sysregs", &CpuSnapshotState::sys),
                   savevm::field("run_state", &CpuSnapshotState::run_state),
                   savevm::field("exit_code", &CpuSnapshotState::exit_code)));

} // namespace kestrel
