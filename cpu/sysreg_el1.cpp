// EL1 control, translation, exception and thread ID registers.
#include "cpu/sysreg_access.hpp"

namespace kestrel {

namespace {

// SCTLR_EL1 (Armv8.0 layout): the bits a guest may change, and the RES1 bits.
constexpr uint64_t kSctlrWritable = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) |
                                    (1u << 5) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 12) |
                                    (1u << 14) | (1u << 15) | (1u << 16) | (1u << 18) | (1u << 19) |
                                    (1u << 26);
constexpr uint64_t kSctlrRes1 = (1u << 11) | (1u << 20) | (1u << 22) | (1u << 28) | (1u << 29);
constexpr uint64_t kSctlrSpan = 1u << 23; // writable with FEAT_PAN, RES1 without

void write_sctlr(Cpu& c, uint64_t v) {
    uint64_t writable = kSctlrWritable | (c.model.has(Feature::PAN) ? kSctlrSpan : 0);
    uint64_t res1 = kSctlrRes1 | (c.model.has(Feature::PAN) ? 0 : kSctlrSpan);
    uint64_t nv = (v & writable) | res1;
    if (nv != c.sys.sctlr_el1) {
        c.sys.sctlr_el1 = nv;
        c.tlb_flush_all(); // M, WXN and the alignment bits change what entries mean
        c.update_mmu_idx();
    }
}

// TCR_EL1 fields of Armv8.0 (no hardware AF/DBM, no HPD): bits 38:0 less
// the RES0 bits 6 and 35.
constexpr uint64_t kTcrWritable = ((1ull << 39) - 1) & ~(1ull << 6) & ~(1ull << 35);

void write_tcr(Cpu& c, uint64_t v) {
    v &= kTcrWritable;
    if (v != c.sys.tcr_el1) {
        c.sys.tcr_el1 = v;
        c.tlb_flush_all();
    }
}

// A new TTBR value may switch the ASID: the TLB holds only the current
// ASID's non-global entries, so drop them (global entries stay valid).
void write_ttbr0(Cpu& c, uint64_t v) {
    if (v != c.sys.ttbr0_el1) {
        c.sys.ttbr0_el1 = v;
        c.tlb.flush_nonglobal();
    }
}
void write_ttbr1(Cpu& c, uint64_t v) {
    if (v != c.sys.ttbr1_el1) {
        c.sys.ttbr1_el1 = v;
        c.tlb.flush_nonglobal();
    }
}

// TPIDRRO_EL0 is read-only at EL0.
void write_tpidrro(Cpu& c, uint64_t v) {
    if (c.s.el == 0) c.undefined();
    c.sys.tpidrro_el0 = v;
}

uint64_t read_isr(Cpu& c) {
    uint64_t v = 0;
    if (c.irq_line.load(std::memory_order_relaxed)) v |= 1u << 7;
    if (c.fiq_line.load(std::memory_order_relaxed)) v |= 1u << 6;
    return v;
}

const SysRegDesc kEl1[] = {
    {"SCTLR_EL1", sysreg_enc(3, 0, 1, 0, 0), 1, [](Cpu& c) -> uint64_t { return c.sys.sctlr_el1; },
     write_sctlr, true},
    {"ACTLR_EL1", sysreg_enc(3, 0, 1, 0, 1), 1, SYSREG_RAZ_WI},
    {"CPACR_EL1", sysreg_enc(3, 0, 1, 0, 2), 1, SYSREG_RW_MASK(cpacr_el1, 3u << 20), true},
    {"TTBR0_EL1", sysreg_enc(3, 0, 2, 0, 0), 1, [](Cpu& c) -> uint64_t { return c.sys.ttbr0_el1; },
     write_ttbr0, true},
    {"TTBR1_EL1", sysreg_enc(3, 0, 2, 0, 1), 1, [](Cpu& c) -> uint64_t { return c.sys.ttbr1_el1; },
     write_ttbr1, true},
    {"TCR_EL1", sysreg_enc(3, 0, 2, 0, 2), 1, [](Cpu& c) -> uint64_t { return c.sys.tcr_el1; },
     write_tcr, true},
    {"AFSR0_EL1", sysreg_enc(3, 0, 5, 1, 0), 1, SYSREG_RW(afsr0_el1)},
    {"AFSR1_EL1", sysreg_enc(3, 0, 5, 1, 1), 1, SYSREG_RW(afsr1_el1)},
    {"ESR_EL1", sysreg_enc(3, 0, 5, 2, 0), 1, SYSREG_RW_MASK(esr_el1, 0xffffffffu)},
    {"FAR_EL1", sysreg_enc(3, 0, 6, 0, 0), 1, SYSREG_RW(far_el1)},
    {"PAR_EL1", sysreg_enc(3, 0, 7, 4, 0), 1, SYSREG_RW(par_el1)},
    {"MAIR_EL1", sysreg_enc(3, 0, 10, 2, 0), 1, SYSREG_RW(mair_el1)},
    {"AMAIR_EL1", sysreg_enc(3, 0, 10, 3, 0), 1, SYSREG_RW(amair_el1)},
    {"VBAR_EL1", sysreg_enc(3, 0, 12, 0, 0), 1, SYSREG_RW_MASK(vbar_el1, ~0x7ffull)},
    {"ISR_EL1", sysreg_enc(3, 0, 12, 1, 0), 1, read_isr, nullptr},
    {"CONTEXTIDR_EL1", sysreg_enc(3, 0, 13, 0, 1), 1, SYSREG_RW_MASK(contextidr_el1, 0xffffffffu)},
    {"TPIDR_EL1", sysreg_enc(3, 0, 13, 0, 4), 1, SYSREG_RW(tpidr_el1)},
    {"TPIDR_EL0", sysreg_enc(3, 3, 13, 0, 2), 0, SYSREG_RW(tpidr_el0)},
    {"TPIDRRO_EL0", sysreg_enc(3, 3, 13, 0, 3), 0,
     [](Cpu& c) -> uint64_t { return c.sys.tpidrro_el0; }, write_tpidrro},
};

} // namespace

std::span<const SysRegDesc> el1_sysregs() {
    return kEl1;
}

} // namespace kestrel
