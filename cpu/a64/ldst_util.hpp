// Helpers shared by the load/store groups: the base register (with the SP
// alignment check), alignment faults, and paired 64-bit accesses.
#pragma once
#include "cpu/a64/insn_util.hpp"

#include <cstdint>

namespace kestrel::a64 {

// Data abort with DFSC 0b100001 (alignment fault) for exclusives, atomics
// and acquire/release accesses at an address not aligned to their size.
[[noreturn]] void alignment_fault(Cpu& c, uint64_t va, bool write);
// SP alignment fault (EC 0x26).
[[noreturn]] void sp_alignment_fault(Cpu& c);

// SCTLR_ELx.SA (bit 3) at EL1/EL2, SCTLR_EL1.SA0 (bit 4) at EL0.
inline bool sp_align_check_enabled(const Cpu& c) {
    switch (c.s.el) {
    case 0: return c.sys.sctlr_el1 & (1u << 4);
    case 1: return c.sys.sctlr_el1 & (1u << 3);
    default: return c.sys.sctlr_el2 & (1u << 3);
    }
}

// The base register of a load/store: Rn, where 31 is SP. A misaligned SP
// faults when the current EL's SCTLR enables the check.
inline uint64_t ldst_base(Cpu& c, unsigned rn) {
    if (rn != 31) [[likely]]
        return c.s.x[rn];
    uint64_t sp = c.sp();
    if ((sp & 15) && sp_align_check_enabled(c)) [[unlikely]]
        sp_alignment_fault(c);
    return sp;
}

inline void check_aligned(Cpu& c, uint64_t va, unsigned size, bool write) {
    if (va & (size - 1)) [[unlikely]]
        alignment_fault(c, va, write);
}

inline bool crosses_page(uint64_t va, unsigned size) {
    return ((va & kTlbOffsetMask) + size) > kTlbPageSize;
}

// 16 bytes as two little-endian doublewords.
inline VReg load_pair64(Cpu& c, uint64_t va) {
    VReg v;
    v.lo = c.load<uint64_t>(va);
    v.hi = c.load<uint64_t>(va + 8);
    return v;
}

// Makes sure every page of [va, va+size) can be written before the first
// byte lands, so a fault on a later page leaves memory untouched.
void probe_write(Cpu& c, uint64_t va, unsigned size);

// A pair of words as one doubleword: both land or neither. Each word only
// needs word alignment (Device memory, SCTLR_EL1.A).
inline uint64_t load_pair32(Cpu& c, uint64_t va) {
    return c.load_elems<uint64_t>(va, 4);
}

inline void store_pair32(Cpu& c, uint64_t va, uint64_t v) {
    if (crosses_page(va, 8)) [[unlikely]]
        probe_write(c, va, 8);
    c.store_elems<uint64_t>(va, v, 4);
}

inline void store_pair64(Cpu& c, uint64_t va, uint64_t lo, uint64_t hi) {
    if (crosses_page(va, 16)) [[unlikely]]
        probe_write(c, va, 16);
    c.store<uint64_t>(va, lo);
    c.store<uint64_t>(va + 8, hi);
}

} // namespace kestrel::a64
