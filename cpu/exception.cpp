// Taking exceptions: vectoring, syndrome and return state; ERET.
#include "cpu/cpu.hpp"
#include "cpu/log.hpp"

#include <cstdio>

namespace kestrel {

namespace {

enum VectorKind : uint64_t {
    kVecSync = 0x000,
    kVecIrq = 0x080,
    kVecFiq = 0x100,
    kVecSError = 0x180
};

// The per-EL exception registers. EL1 and EL2 exist in the state; a target
// EL the model does not implement is never chosen.
struct ElRegs {
    uint64_t* vbar;
    uint64_t* esr;
    uint64_t* far;
    uint64_t* elr;
    uint64_t* spsr;
};

ElRegs regs_for(Cpu& c, unsigned el) {
    if (el == 2)
        return {&c.sys.vbar_el2, &c.sys.esr_el2, &c.sys.far_el2, &c.sys.elr_el2, &c.sys.spsr_el2};
    return {&c.sys.vbar_el1, &c.sys.esr_el1, &c.sys.far_el1, &c.sys.elr_el1, &c.sys.spsr_el1};
}

unsigned default_target(const Cpu& c) {
    return c.s.el > 1 ? c.s.el : 1;
}

// Offset of the vector group: current EL with SP_EL0, current EL with
// SP_ELx, or lower EL using AArch64.
uint64_t group_offset(const Cpu& c, unsigned target_el) {
    if (c.s.el == target_el) return c.s.spsel ? 0x200 : 0x000;
    return 0x400;
}

// Exception classes that come in a "lower EL" / "same EL" pair.
ExcClass class_for_origin(ExcClass ec, bool from_lower) {
    auto v = static_cast<uint8_t>(ec);
    switch (v) {
    case 0x20:
    case 0x21: // instruction abort
    case 0x24:
    case 0x25: // data abort
    case 0x30:
    case 0x31: // breakpoint
    case 0x32:
    case 0x33: // software step
    case 0x34:
    case 0x35: // watchpoint
        return static_cast<ExcClass>(from_lower ? (v & ~1u) : (v | 1u));
    default: return ec;
    }
}

// Enters target_el at the given vector with the PSTATE the architecture
// sets on exception entry; saves SPSR_ELx and ELR_ELx.
void enter(Cpu& c, unsigned target_el, VectorKind kind, uint64_t return_pc) {
    ElRegs r = regs_for(c, target_el);
    uint64_t vector = (*r.vbar & ~0x7ffull) + group_offset(c, target_el) + kind;
    *r.spsr = c.pstate_to_spsr();
    *r.elr = return_pc;
    c.s.el = static_cast<uint8_t>(target_el);
    c.s.spsel = 1;
    c.s.daif = 0x3c0;
    c.s.il = 0;
    c.s.ss = 0;
    c.s.uao = 0;
    // PAN is set on exception entry to EL1 when SCTLR_EL1.SPAN is 0.
    if (target_el == 1 && c.model.has(Feature::PAN) && !(c.sys.sctlr_el1 & (1ull << 23)))
        c.s.pan = 1;
    c.s.excl_size = 0; // exception entry clears the local exclusive monitor
    c.update_mmu_idx();
    c.s.pc = vector;
}

const char* class_name(ExcClass ec) {
    switch (ec) {
    case ExcClass::Unknown: return "UNDEFINED instruction";
    case ExcClass::SVC64: return "SVC";
    case ExcClass::HVC64: return "HVC";
    case ExcClass::SMC64: return "SMC";
    case ExcClass::SysReg: return "system register trap";
    case ExcClass::InsnAbortLower:
    case ExcClass::InsnAbortSame: return "instruction abort";
    case ExcClass::DataAbortLower:
    case ExcClass::DataAbortSame: return "data abort";
    case ExcClass::PCAlign: return "PC alignment fault";
    case ExcClass::SPAlign: return "SP alignment fault";
    case ExcClass::BRK64: return "BRK";
    case ExcClass::FPAccess: return "FP access trap";
    case ExcClass::IllegalState: return "illegal execution state";
    default: return "exception";
    }
}

} // namespace

void Cpu::take_exception(const GuestException& e) {
    unsigned target = e.target_el ? e.target_el : default_target(*this);
    ElRegs r = regs_for(*this, target);
    uint64_t vector = (*r.vbar & ~0x7ffull) + group_offset(*this, target);
    ExcClass ec = class_for_origin(e.ec, target > s.el);
    // A fault on fetching the very vector we are about to enter would loop
    // forever: report the guest's original problem and stop this core.
    bool fetch_fault = ec == ExcClass::InsnAbortSame || ec == ExcClass::InsnAbortLower;
    if (fetch_fault && s.pc == vector) {
        std::fprintf(stderr,
                     "kestrel: CPU%u: no usable exception vector at 0x%llx (VBAR_EL%u) after %s "
                     "at PC 0x%llx (ESR 0x%llx, FAR 0x%llx)\n",
                     index, static_cast<unsigned long long>(vector), target,
                     class_name(static_cast<ExcClass>(*r.esr >> 26)),
                     static_cast<unsigned long long>(*r.elr),
                     static_cast<unsigned long long>(*r.esr),
                     static_cast<unsigned long long>(*r.far));
        run_state = CpuRunState::Halted;
        exit_code = 1;
        return;
    }
    uint64_t esr =
        (static_cast<uint64_t>(ec) << 26) | (e.il ? (1u << 25) : 0) | (e.iss & 0x1ffffff);
    if (log_enabled(kLogInt))
        log_printf(
            "CPU%u: taking %s [EC 0x%02x] from EL%u to EL%u: ESR 0x%llx ELR 0x%llx FAR 0x%llx\n",
            index, class_name(ec), static_cast<unsigned>(ec), s.el, target,
            static_cast<unsigned long long>(esr), static_cast<unsigned long long>(s.pc),
            static_cast<unsigned long long>(e.far_valid ? e.far : *r.far));
    enter(*this, target, kVecSync, s.pc);
    *r.esr = esr;
    if (e.far_valid) *r.far = e.far;
}

bool Cpu::check_interrupts() {
    bool fiq = fiq_line.load(std::memory_order_relaxed) && !(s.daif & 0x40);
    bool irq = irq_line.load(std::memory_order_relaxed) && !(s.daif & 0x80);
    if (!fiq && !irq) return false;
    if (run_state == CpuRunState::WaitForInterrupt) run_state = CpuRunState::Running;
    if (log_enabled(kLogInt))
        log_printf("CPU%u: taking %s from EL%u at PC 0x%llx\n", index, fiq ? "FIQ" : "IRQ", s.el,
                   static_cast<unsigned long long>(s.pc));
    enter(*this, default_target(*this), fiq ? kVecFiq : kVecIrq, s.pc);
    return true;
}

uint64_t Cpu::pstate_to_spsr() const {
    uint64_t v = s.nzcv | s.daif;
    v |= static_cast<uint64_t>(s.el) << 2;
    v |= s.spsel;
    if (s.pan) v |= 1u << 22;
    if (s.uao) v |= 1u << 23;
    if (s.ss) v |= 1u << 21;
    if (s.il) v |= 1u << 20;
    return v;
}

void Cpu::spsr_to_pstate(uint64_t spsr) {
    s.nzcv = static_cast<uint32_t>(spsr) & 0xf0000000u;
    s.daif = static_cast<uint32_t>(spsr) & 0x3c0u;
    s.el = (spsr >> 2) & 3;
    s.spsel = spsr & 1;
    s.pan = model.has(Feature::PAN) ? (spsr >> 22) & 1 : 0;
    s.uao = 0; // FEAT_UAO is not implemented
    s.ss = (spsr >> 21) & 1;
    s.il = (spsr >> 20) & 1;
    update_mmu_idx();
}

namespace {

// AArch64.IllegalExceptionReturn for a core with AArch64-only EL0/EL1 and
// optionally EL2.
bool illegal_return(const Cpu& c, uint64_t spsr) {
    if (spsr & 0x10) return true; // AArch32 is not implemented
    unsigned target = (spsr >> 2) & 3;
    if (spsr & 2) return true; // M[1] is reserved
    if (target > c.s.el) return true;
    bool has_el2 = ((c.model.id_aa64pfr0 >> 8) & 0xf) != 0;
    if (target == 3 || (target == 2 && !has_el2)) return true;
    if (target == 0 && (spsr & 1)) return true; // EL0 has no SP_EL0 choice
    return false;
}

} // namespace

void Cpu::exception_return() {
    ElRegs r = regs_for(*this, s.el);
    uint64_t spsr = *r.spsr, elr = *r.elr;
    s.excl_size = 0; // ERET clears the local exclusive monitor
    if (illegal_return(*this, spsr)) {
        // EL and SP stay; the other fields come from SPSR and PSTATE.IL is
        // set so the next instruction takes an Illegal Execution state
        // exception.
        uint8_t el = s.el, spsel = s.spsel;
        spsr_to_pstate(spsr);
        s.el = el;
        s.spsel = spsel;
        s.il = 1;
        update_mmu_idx();
    } else {
        spsr_to_pstate(spsr);
    }
    s.pc = elr;
}

uint32_t Cpu::sysreg_trap_iss(uint32_t insn) {
    uint32_t op0 = (insn >> 19) & 3, op1 = (insn >> 16) & 7, crn = (insn >> 12) & 0xf;
    uint32_t crm = (insn >> 8) & 0xf, op2 = (insn >> 5) & 7, rt = insn & 0x1f,
             read = (insn >> 21) & 1;
    return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read;
}

void Cpu::raise_sysreg_trap(uint32_t insn) {
    GuestException e;
    e.ec = ExcClass::SysReg;
    e.iss = sysreg_trap_iss(insn);
    throw e;
}

void Cpu::raise_sp_alignment() {
    GuestException e;
    e.ec = ExcClass::SPAlign;
    throw e;
}

void Cpu::raise_fp_trap() {
    GuestException e;
    e.ec = ExcClass::FPAccess;
    // ISS for a trap from AArch64 state: CV = 1 and COND = 0b1110 (the Arm
    // ARM's rule for this ISS encoding; qemu-system-aarch64 reports the same).
    e.iss = (1u << 24) | (0xeu << 20);
    throw e;
}

} // namespace kestrel
