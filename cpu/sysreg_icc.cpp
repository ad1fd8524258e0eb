// ICC_* system registers. Each entry forwards to the interrupt controller
// wired to the core (Cpu::gic); without one the registers are UNDEFINED.
// Only ICC_AP0R0/AP1R0 exist: the CPU interface implements 5 priority bits,
// so ICC_AP<n>R1..3 are UNDEFINED (not listed).
#include "cpu/sysreg_icc.hpp"

#include "cpu/cpu.hpp"

namespace kestrel {
namespace {

GicCpuInterface& gic_of(Cpu& c) {
    if (!c.gic) c.undefined();
    return *c.gic;
}

template <IccReg R> uint64_t icc_rd(Cpu& c) {
    return gic_of(c).icc_read(c.index, R);
}
template <IccReg R> void icc_wr(Cpu& c, uint64_t v) {
    gic_of(c).icc_write(c.index, R, v);
}

#define ICC_RW(r) icc_rd<IccReg::r>, icc_wr<IccReg::r>
#define ICC_RO(r) icc_rd<IccReg::r>, nullptr
#define ICC_WO(r) nullptr, icc_wr<IccReg::r>

// Writes end the translation block: they may change which interrupt is
// signalled, and the core must see the new line state before the next
// instruction. IAR reads change state too but MRS never ends a block; the
// executor re-checks the lines at the next block boundary.
const SysRegDesc kIccRegs[] = {
    {"ICC_PMR_EL1", sysreg_enc(3, 0, 4, 6, 0), 1, ICC_RW(PMR), true},
    {"ICC_IAR0_EL1", sysreg_enc(3, 0, 12, 8, 0), 1, ICC_RO(IAR0)},
    {"ICC_EOIR0_EL1", sysreg_enc(3, 0, 12, 8, 1), 1, ICC_WO(EOIR0), true},
    {"ICC_HPPIR0_EL1", sysreg_enc(3, 0, 12, 8, 2), 1, ICC_RO(HPPIR0)},
    {"ICC_BPR0_EL1", sysreg_enc(3, 0, 12, 8, 3), 1, ICC_RW(BPR0), true},
    {"ICC_AP0R0_EL1", sysreg_enc(3, 0, 12, 8, 4), 1, ICC_RW(AP0R0), true},
    {"ICC_AP1R0_EL1", sysreg_enc(3, 0, 12, 9, 0), 1, ICC_RW(AP1R0), true},
    {"ICC_DIR_EL1", sysreg_enc(3, 0, 12, 11, 1), 1, ICC_WO(DIR), true},
    {"ICC_RPR_EL1", sysreg_enc(3, 0, 12, 11, 3), 1, ICC_RO(RPR)},
    {"ICC_SGI1R_EL1", sysreg_enc(3, 0, 12, 11, 5), 1, ICC_WO(SGI1R), true},
    {"ICC_ASGI1R_EL1", sysreg_enc(3, 0, 12, 11, 6), 1, ICC_WO(ASGI1R), true},
    {"ICC_SGI0R_EL1", sysreg_enc(3, 0, 12, 11, 7), 1, ICC_WO(SGI0R), true},
    {"ICC_IAR1_EL1", sysreg_enc(3, 0, 12, 12, 0), 1, ICC_RO(IAR1)},
    {"ICC_EOIR1_EL1", sysreg_enc(3, 0, 12, 12, 1), 1, ICC_WO(EOIR1), true},
    {"ICC_HPPIR1_EL1", sysreg_enc(3, 0, 12, 12, 2), 1, ICC_RO(HPPIR1)},
    {"ICC_BPR1_EL1", sysreg_enc(3, 0, 12, 12, 3), 1, ICC_RW(BPR1), true},
    {"ICC_CTLR_EL1", sysreg_enc(3, 0, 12, 12, 4), 1, ICC_RW(CTLR), true},
    {"ICC_SRE_EL1", sysreg_enc(3, 0, 12, 12, 5), 1, ICC_RW(SRE)},
    {"ICC_IGRPEN0_EL1", sysreg_enc(3, 0, 12, 12, 6), 1, ICC_RW(IGRPEN0), true},
    {"ICC_IGRPEN1_EL1", sysreg_enc(3, 0, 12, 12, 7), 1, ICC_RW(IGRPEN1), true},
    {"ICC_SRE_EL2", sysreg_enc(3, 4, 12, 9, 5), 2, ICC_RW(SRE_EL2)},
};

} // namespace

std::span<const SysRegDesc> icc_sysregs() {
    return kIccRegs;
}

} // namespace kestrel
