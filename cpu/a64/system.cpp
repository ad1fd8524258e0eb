// Exception generation, hints, barriers, PSTATE access and MRS/MSR.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"
#include "cpu/sysreg.hpp"

namespace kestrel::a64 {
namespace {

void svc(Cpu& c, uint32_t i) {
    c.s.pc += 4; // preferred return address: the next instruction
    GuestException e;
    e.ec = ExcClass::SVC64;
    e.iss = bits(i, 5, 16);
    c.raise(e);
}

void hvc(Cpu& c, uint32_t i) {
    if (c.s.el == 0) c.undefined();
    if (c.hooks.hvc && c.hooks.hvc(c, static_cast<uint16_t>(bits(i, 5, 16)))) {
        c.s.pc += 4;
        return;
    }
    // No EL2 to take it: HVC is UNDEFINED.
    c.undefined();
}

void smc(Cpu& c, uint32_t i) {
    if (c.s.el == 0) c.undefined();
    if (c.hooks.smc && c.hooks.smc(c, static_cast<uint16_t>(bits(i, 5, 16)))) {
        c.s.pc += 4;
        return;
    }
    c.undefined(); // no EL3
}

void brk(Cpu& c, uint32_t i) {
    GuestException e;
    e.ec = ExcClass::BRK64;
    e.iss = bits(i, 5, 16);
    c.raise(e);
}

void hlt(Cpu& c, uint32_t i) {
    if (c.hooks.hlt && c.hooks.hlt(c, static_cast<uint16_t>(bits(i, 5, 16)))) {
        c.s.pc += 4;
        return;
    }
    c.undefined(); // halting debug is not enabled
}

void nop(Cpu&, uint32_t) {}

// The WFx trap syndrome: CV = 1, COND = AL, TI = 0 for WFI, 1 for WFE.
[[noreturn]] void wfx_trap(Cpu& c, bool wfe) {
    GuestException e;
    e.ec = ExcClass::WFx;
    e.iss = (1u << 24) | (0xeu << 20) | (wfe ? 1u : 0u);
    c.raise(e);
}

void wfi(Cpu& c, uint32_t) {
    // A pending interrupt (even a masked one) makes WFI complete at once;
    // otherwise EL0 may be trapped by SCTLR_EL1.nTWI before it sleeps.
    if (c.irq_line.load(std::memory_order_relaxed) || c.fiq_line.load(std::memory_order_relaxed)) {
        c.s.pc += 4;
        return;
    }
    if (c.s.el == 0 && !(c.sys.sctlr_el1 & (1u << 16))) wfx_trap(c, false);
    c.s.pc += 4;
    c.run_state = CpuRunState::WaitForInterrupt;
}

// A core that waits for another one (WFE in a lock or wait loop, YIELD in
// cpu_relax()) ends its time slice, so the core it waits for runs next
// instead of after the rest of a slice spent spinning.
void yield_slice(Cpu& c) {
    if (c.siblings && c.siblings->size() > 1) c.exit_request.store(true, std::memory_order_relaxed);
}

// WFE never sleeps (a spinning guest re-checks its condition), but EL0 is
// trapped while SCTLR_EL1.nTWE is clear.
void wfe(Cpu& c, uint32_t) {
    if (c.s.el == 0 && !(c.sys.sctlr_el1 & (1u << 18))) wfx_trap(c, true);
    yield_slice(c);
}

void yield(Cpu& c, uint32_t) {
    yield_slice(c);
}

void eret(Cpu& c, uint32_t) {
    if (c.s.el == 0) c.undefined();
    c.exception_return();
}

void end_block(Cpu& c, uint32_t) {
    c.s.pc += 4;
} // ISB: later code is fetched anew

void clrex(Cpu& c, uint32_t) {
    c.s.excl_size = 0;
}

void msr_imm(Cpu& c, uint32_t i) {
    unsigned op1 = bits(i, 16, 3), op2 = bits(i, 5, 3), crm = bits(i, 8, 4);
    unsigned field = (op1 << 3) | op2;
    switch (field) {
    case 0x05: // SPSel
        if (c.s.el == 0) c.undefined();
        c.s.spsel = crm & 1;
        break;
    case 0x1e:                                                                     // DAIFSet
        if (c.s.el == 0 && !(c.sys.sctlr_el1 & (1u << 9))) c.raise_sysreg_trap(i); // SCTLR_EL1.UMA
        c.s.daif |= (crm & 0xf) << 6;
        break;
    case 0x1f: // DAIFClr
        if (c.s.el == 0 && !(c.sys.sctlr_el1 & (1u << 9))) c.raise_sysreg_trap(i);
        c.s.daif &= ~((crm & 0xf) << 6);
        break;
    case 0x04: // PAN
        if (c.s.el == 0 || !c.model.has(Feature::PAN)) c.undefined();
        c.s.pan = crm & 1;
        c.update_mmu_idx();
        break;
    default: c.undefined();
    }
    c.s.pc += 4;
}

const SysRegDesc* sysreg_for(Cpu& c, uint32_t i) {
    uint32_t enc =
        sysreg_enc(2 + bit(i, 19), bits(i, 16, 3), bits(i, 12, 4), bits(i, 8, 4), bits(i, 5, 3));
    const SysRegDesc* d = find_sysreg(enc);
    if (!d || c.s.el < d->min_el) c.undefined();
    // EL0 access that a control bit forbids is trapped to EL1, not UNDEFINED.
    if (c.s.el == 0 && d->el0_allowed && !d->el0_allowed(c)) c.raise_sysreg_trap(i);
    return d;
}

void mrs(Cpu& c, uint32_t i) {
    const SysRegDesc* d = sysreg_for(c, i);
    if (!d->read) c.undefined();
    c.set_xr(bits(i, 0, 5), d->read(c));
}

void msr_reg(Cpu& c, uint32_t i) {
    const SysRegDesc* d = sysreg_for(c, i);
    if (!d->write) c.undefined();
    d->write(c, c.xr(bits(i, 0, 5)));
    c.s.pc += 4;
}

constexpr uint16_t kSys = kInsnSystem | kInsnNoDifftest;

constexpr InsnDesc kInsns[] = {
    {"SVC", "exception", P("11010100 000 imm16:16 000 01"), svc, Feature::Base,
     kInsnEndsBlock | kSys},
    {"HVC", "exception", P("11010100 000 imm16:16 000 10"), hvc, Feature::Base,
     kInsnEndsBlock | kSys},
    {"SMC", "exception", P("11010100 000 imm16:16 000 11"), smc, Feature::Base,
     kInsnEndsBlock | kSys},
    {"BRK", "exception", P("11010100 001 imm16:16 000 00"), brk, Feature::Base,
     kInsnEndsBlock | kSys},
    {"HLT", "exception", P("11010100 010 imm16:16 000 00"), hlt, Feature::Base,
     kInsnEndsBlock | kSys},
    {"WFI", "hint", P("11010101 00000011 0010 0000 011 11111"), wfi, Feature::Base,
     kInsnEndsBlock | kSys},
    {"WFE", "hint", P("11010101 00000011 0010 0000 010 11111"), wfe, Feature::Base, kSys},
    {"YIELD", "hint", P("11010101 00000011 0010 0000 001 11111"), yield, Feature::Base, kSys},
    // NOP, SEV, SEVL and the other allocated hints behave as NOP.
    {"HINT", "hint", P("11010101 00000011 0010 CRm:4 op2:3 11111"), nop, Feature::Base, 0},
    {"CLREX", "barrier", P("11010101 00000011 0011 CRm:4 010 11111"), clrex, Feature::Base, 0},
    {"DSB", "barrier", P("11010101 00000011 0011 CRm:4 100 11111"), nop, Feature::Base, 0},
    {"DMB", "barrier", P("11010101 00000011 0011 CRm:4 101 11111"), nop, Feature::Base, 0},
    {"ISB", "barrier", P("11010101 00000011 0011 CRm:4 110 11111"), end_block, Feature::Base,
     kInsnEndsBlock},
    {"ERET", "exception", P("11010110 1001 1111 0000 00 11111 00000"), eret, Feature::Base,
     kInsnEndsBlock | kSys},
    {"MSR_imm", "pstate", P("11010101 00000 op1:3 0100 CRm:4 op2:3 11111"), msr_imm, Feature::Base,
     kInsnEndsBlock | kSys},
    {"MRS", "sysreg", P("11010101 001 1 o0:1 op1:3 CRn:4 CRm:4 op2:3 Rt:5"), mrs, Feature::Base,
     kSys},
    {"MSR_reg", "sysreg", P("11010101 000 1 o0:1 op1:3 CRn:4 CRm:4 op2:3 Rt:5"), msr_reg,
     Feature::Base, kInsnEndsBlock | kSys},
};

} // namespace

std::span<const InsnDesc> system_insns() {
    return kInsns;
}

} // namespace kestrel::a64
