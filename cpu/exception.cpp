// Taking exceptions: vectoring, syndrome and return state.
#include "cpu/cpu.hpp"
#include "cpu/log.hpp"

#include <cstdio>

namespace kestrel {

namespace {

enum VectorKind : uint64_t { kVecSync = 0x000, kVecIrq = 0x080, kVecFiq = 0x100, kVecSError = 0x180 };

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

// Enters target_el at the given vector; returns the vector address.
uint64_t enter(Cpu& c, unsigned target_el, VectorKind kind, uint64_t return_pc) {
    ElRegs r = regs_for(c, target_el);
    uint64_t offset;
    if (c.s.el == target_el)
        offset = c.s.spsel ? 0x200 : 0x000;
    else
        offset = 0x400; // lower EL using AArch64
    *r.spsr = c.pstate_to_spsr();
    *r.elr = return_pc;
    c.s.el = static_cast<uint8_t>(target_el);
    c.s.spsel = 1;
    c.s.daif = 0x3c0;
    c.s.il = 0;
    c.s.ss = 0;
    // PAN is set on exception entry to EL1 when SCTLR_EL1.SPAN is 0.
    if (target_el == 1 && c.model.has(Feature::PAN) && !(c.sys.sctlr_el1 & (1ull << 23)))
        c.s.pan = 1;
    c.update_mmu_idx();
    c.s.pc = (*r.vbar & ~0x7ffull) + offset + kind;
    return c.s.pc;
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
    default: return "exception";
    }
}

} // namespace

void Cpu::take_exception(const GuestException& e) {
    unsigned target = e.target_el ? e.target_el : (s.el > 1 ? s.el : 1);
    ElRegs r = regs_for(*this, target);
    uint64_t vector = (*r.vbar & ~0x7ffull) + (s.el == target ? (s.spsel ? 0x200 : 0) : 0x400);
    // A fault on fetching the very vector we are about to enter would loop
    // forever: report the guest's original problem and stop this core.
    bool fetch_fault = e.ec == ExcClass::InsnAbortSame || e.ec == ExcClass::InsnAbortLower;
    if (fetch_fault && s.pc == vector) {
        std::fprintf(stderr,
                     "kestrel: CPU%u: no usable exception vector at 0x%llx (VBAR_EL%u) after %s "
                     "at PC 0x%llx (ESR 0x%llx, FAR 0x%llx)\n",
                     index, static_cast<unsigned long long>(vector), target,
                     class_name(static_cast<ExcClass>(*r.esr >> 26)),
                     static_cast<unsigned long long>(*r.elr), static_cast<unsigned long long>(*r.esr),
                     static_cast<unsigned long long>(*r.far));
        run_state = CpuRunState::Halted;
        exit_code = 1;
        return;
    }
    uint64_t esr = (static_cast<uint64_t>(e.ec) << 26) | (e.il ? (1u << 25) : 0) | (e.iss & 0x1ffffff);
    uint64_t pc = s.pc;
    if (log_enabled(kLogInt))
        log_printf(
            "CPU%u: taking %s [EC 0x%02x] from EL%u to EL%u: ESR 0x%llx ELR 0x%llx FAR 0x%llx\n",
            index, class_name(e.ec), static_cast<unsigned>(e.ec), s.el, target,
            static_cast<unsigned long long>(esr), static_cast<unsigned long long>(pc),
            static_cast<unsigned long long>(e.far_valid ? e.far : *r.far));
    enter(*this, target, kVecSync, pc);
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
    enter(*this, s.el > 1 ? s.el : 1, fiq ? kVecFiq : kVecIrq, s.pc);
    return true;
}

} // namespace kestrel
