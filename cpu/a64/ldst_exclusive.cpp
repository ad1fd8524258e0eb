// Exclusive and ordered loads/stores: LDXR/LDAXR, STXR/STLXR, their pair
// forms LDXP/LDAXP/STXP/STLXP, and LDAR/STLR. Cores run one at a time, so
// acquire/release ordering needs nothing beyond program order.
//
// The local exclusive monitor (CpuState::excl_*) records the address, size
// and loaded value. A store-exclusive succeeds only when the monitor is armed
// for the same address and size and memory still holds the loaded value:
// another core's store in between (round-robin slices) changes the value and
// makes it fail. Every store-exclusive and CLREX disarms the monitor.
// The system-architecture side must disarm it too (excl_size = 0) when an
// exception is taken and on ERET, as the architecture requires.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/ldst_util.hpp"

namespace kestrel::a64 {
namespace {

// All of these require natural alignment of the whole access.
template <typename T> void load_exclusive(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    check_aligned(c, va, sizeof(T), false);
    T v = c.load<T>(va);
    c.s.excl_addr = va;
    c.s.excl_size = sizeof(T);
    c.s.excl_val[0] = v;
    c.set_xr(bits(i, 0, 5), v);
}

template <typename T> void store_exclusive(Cpu& c, uint32_t i) {
    unsigned rs = bits(i, 16, 5);
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    // Whether aborts are detected before the local monitor check is
    // IMPLEMENTATION DEFINED; like the reference emulator, a store to an
    // address the monitor does not hold fails without faulting (an armed
    // monitor always holds an aligned address).
    bool armed = c.s.excl_size == sizeof(T) && c.s.excl_addr == va;
    if (armed) check_aligned(c, va, sizeof(T), true);
    T data = static_cast<T>(c.xr(bits(i, 0, 5)));
    bool ok = armed &&
              c.load<T>(va) == static_cast<T>(c.s.excl_val[0]);
    c.s.excl_size = 0;
    if (ok) c.store<T>(va, data);
    c.set_xr(rs, ok ? 0 : 1);
}

// Pairs: W pairs are one doubleword, X pairs 16 bytes. With Rt == Rt2 the
// second value is left (as qemu does).
template <bool Is64> void load_exclusive_pair(Cpu& c, uint32_t i) {
    constexpr unsigned kSize = Is64 ? 16 : 8;
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    check_aligned(c, va, kSize, false);
    uint64_t a, b;
    if constexpr (Is64) {
        VReg v = load_pair64(c, va);
        a = v.lo;
        b = v.hi;
        c.s.excl_val[0] = a;
        c.s.excl_val[1] = b;
    } else {
        uint64_t v = c.load<uint64_t>(va);
        c.s.excl_val[0] = v;
        a = static_cast<uint32_t>(v);
        b = v >> 32;
    }
    c.s.excl_addr = va;
    c.s.excl_size = kSize;
    c.set_xr(bits(i, 0, 5), a);
    c.set_xr(bits(i, 10, 5), b);
}

template <bool Is64> void store_exclusive_pair(Cpu& c, uint32_t i) {
    constexpr unsigned kSize = Is64 ? 16 : 8;
    unsigned rs = bits(i, 16, 5), rt = bits(i, 0, 5), rt2 = bits(i, 10, 5);
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    bool ok = c.s.excl_size == kSize && c.s.excl_addr == va; // see store_exclusive
    if (ok) check_aligned(c, va, kSize, true);
    if constexpr (Is64) {
        uint64_t a = c.xr(rt), b = c.xr(rt2);
        if (ok) {
            VReg cur = load_pair64(c, va);
            ok = cur.lo == c.s.excl_val[0] && cur.hi == c.s.excl_val[1];
        }
        c.s.excl_size = 0;
        if (ok) store_pair64(c, va, a, b);
    } else {
        uint64_t v = static_cast<uint64_t>(c.wr(rt)) | (static_cast<uint64_t>(c.wr(rt2)) << 32);
        ok = ok && c.load<uint64_t>(va) == c.s.excl_val[0];
        c.s.excl_size = 0;
        if (ok) store_pair32(c, va, v);
    }
    c.set_xr(rs, ok ? 0 : 1);
}

template <typename T> void load_acquire(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    check_aligned(c, va, sizeof(T), false);
    c.set_xr(bits(i, 0, 5), c.load<T>(va));
}

template <typename T> void store_release(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    check_aligned(c, va, sizeof(T), true);
    c.store<T>(va, static_cast<T>(c.xr(bits(i, 0, 5))));
}

constexpr const char* kGroup = "ldst_exclusive";
constexpr uint16_t kMem = kInsnMem;

// size 001000 o2 L o1 Rs o0 Rt2 Rn Rt. o0 picks the acquire/release form
// (LDAXR vs LDXR, ...), which behaves the same here. Rs and Rt2 are
// should-be-one fields where unused; like qemu, other values are accepted.
constexpr InsnDesc kInsns[] = {
    {"STXRB", kGroup, P("00 001000 0 0 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), store_exclusive<uint8_t>,
     Feature::Base, kMem},
    {"STXRH", kGroup, P("01 001000 0 0 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), store_exclusive<uint16_t>,
     Feature::Base, kMem},
    {"STXR_W", kGroup, P("10 001000 0 0 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), store_exclusive<uint32_t>,
     Feature::Base, kMem},
    {"STXR_X", kGroup, P("11 001000 0 0 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), store_exclusive<uint64_t>,
     Feature::Base, kMem},
    {"LDXRB", kGroup, P("00 001000 0 1 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), load_exclusive<uint8_t>,
     Feature::Base, kMem},
    {"LDXRH", kGroup, P("01 001000 0 1 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), load_exclusive<uint16_t>,
     Feature::Base, kMem},
    {"LDXR_W", kGroup, P("10 001000 0 1 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), load_exclusive<uint32_t>,
     Feature::Base, kMem},
    {"LDXR_X", kGroup, P("11 001000 0 1 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), load_exclusive<uint64_t>,
     Feature::Base, kMem},
    {"STXP_W", kGroup, P("10 001000 0 0 1 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), store_exclusive_pair<false>,
     Feature::Base, kMem},
    {"STXP_X", kGroup, P("11 001000 0 0 1 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), store_exclusive_pair<true>,
     Feature::Base, kMem},
    {"LDXP_W", kGroup, P("10 001000 0 1 1 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), load_exclusive_pair<false>,
     Feature::Base, kMem},
    {"LDXP_X", kGroup, P("11 001000 0 1 1 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5"), load_exclusive_pair<true>,
     Feature::Base, kMem},
    // o0 = 0 would be the LORegions forms (STLLR/LDLAR), not implemented.
    {"STLRB", kGroup, P("00 001000 1 0 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), store_release<uint8_t>,
     Feature::Base, kMem},
    {"STLRH", kGroup, P("01 001000 1 0 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), store_release<uint16_t>,
     Feature::Base, kMem},
    {"STLR_W", kGroup, P("10 001000 1 0 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), store_release<uint32_t>,
     Feature::Base, kMem},
    {"STLR_X", kGroup, P("11 001000 1 0 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), store_release<uint64_t>,
     Feature::Base, kMem},
    {"LDARB", kGroup, P("00 001000 1 1 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), load_acquire<uint8_t>,
     Feature::Base, kMem},
    {"LDARH", kGroup, P("01 001000 1 1 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), load_acquire<uint16_t>,
     Feature::Base, kMem},
    {"LDAR_W", kGroup, P("10 001000 1 1 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), load_acquire<uint32_t>,
     Feature::Base, kMem},
    {"LDAR_X", kGroup, P("11 001000 1 1 0 Rs:5 1 Rt2:5 Rn:5 Rt:5"), load_acquire<uint64_t>,
     Feature::Base, kMem},
};

} // namespace

std::span<const InsnDesc> ldst_exclusive_insns() {
    return kInsns;
}

} // namespace kestrel::a64
