// LSE atomics (FEAT_LSE): LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/
// LDUMIN (the ST* forms are these with Rt = XZR), SWP, CAS and CASP, each
// in B/H/W/X sizes (CASP: W/X pairs) with the A/L ordering bits, which
// need nothing extra while cores run one at a time.
//
// Each is a read followed by one write; registers change only after the
// write, so a fault leaves them intact. Unaligned addresses fault.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/ldst_util.hpp"

#include <type_traits>

namespace kestrel::a64 {
namespace {

enum class Rmw : uint8_t { Add, Clr, Eor, Set, SMax, SMin, UMax, UMin, Swp };

template <typename T, Rmw Op> inline T combine(T old, T s) {
    using S = std::make_signed_t<T>;
    if constexpr (Op == Rmw::Add) return static_cast<T>(old + s);
    if constexpr (Op == Rmw::Clr) return static_cast<T>(old & ~s);
    if constexpr (Op == Rmw::Eor) return static_cast<T>(old ^ s);
    if constexpr (Op == Rmw::Set) return static_cast<T>(old | s);
    if constexpr (Op == Rmw::SMax) return static_cast<S>(old) > static_cast<S>(s) ? old : s;
    if constexpr (Op == Rmw::SMin) return static_cast<S>(old) < static_cast<S>(s) ? old : s;
    if constexpr (Op == Rmw::UMax) return old > s ? old : s;
    if constexpr (Op == Rmw::UMin) return old < s ? old : s;
    if constexpr (Op == Rmw::Swp) return s;
}

template <typename T, Rmw Op> void atomic_rmw(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    check_aligned(c, va, sizeof(T), true);
    T s = static_cast<T>(c.xr(bits(i, 16, 5)));
    T old = c.load<T>(va);
    c.store<T>(va, combine<T, Op>(old, s));
    c.set_xr(bits(i, 0, 5), old);
}

// CAS: Rs holds the expected value and receives the old one. A failed
// compare writes the old value back, so the access always needs write
// permission (as qemu's compare-and-exchange does).
template <typename T> void cas(Cpu& c, uint32_t i) {
    unsigned rs = bits(i, 16, 5);
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    check_aligned(c, va, sizeof(T), true);
    T expected = static_cast<T>(c.xr(rs)), desired = static_cast<T>(c.xr(bits(i, 0, 5)));
    T old = c.load<T>(va);
    c.store<T>(va, old == expected ? desired : old);
    c.set_xr(rs, old);
}

// CASP: Rs/Rs+1 expected, Rt/Rt+1 new values; both must be even.
template <bool Is64> void casp(Cpu& c, uint32_t i) {
    unsigned rs = bits(i, 16, 5), rt = bits(i, 0, 5);
    if ((rs | rt) & 1) c.undefined();
    uint64_t va = ldst_base(c, bits(i, 5, 5));
    if constexpr (Is64) {
        check_aligned(c, va, 16, true);
        VReg old = load_pair64(c, va);
        bool eq = old.lo == c.xr(rs) && old.hi == c.xr(rs + 1);
        if (eq)
            store_pair64(c, va, c.xr(rt), c.xr(rt + 1));
        else
            store_pair64(c, va, old.lo, old.hi);
        c.set_xr(rs, old.lo);
        c.set_xr(rs + 1, old.hi);
    } else {
        check_aligned(c, va, 8, true);
        uint64_t expected =
            static_cast<uint64_t>(c.wr(rs)) | (static_cast<uint64_t>(c.wr(rs + 1)) << 32);
        uint64_t desired =
            static_cast<uint64_t>(c.wr(rt)) | (static_cast<uint64_t>(c.wr(rt + 1)) << 32);
        uint64_t old = c.load<uint64_t>(va);
        store_pair32(c, va, old == expected ? desired : old);
        c.set_xr(rs, static_cast<uint32_t>(old));
        c.set_xr(rs + 1, old >> 32);
    }
}

constexpr const char* kGroup = "ldst_atomic";
constexpr uint16_t kMem = kInsnMem;

// size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt; A/R are the acquire/release bits.
// clang-format off
#define RMW_SIZES(NAME, O3OPC, OP)                                                                 \
    {NAME "B", kGroup, P("00 111 0 00 A:1 R:1 1 Rs:5 " O3OPC " 00 Rn:5 Rt:5"),                     \
     atomic_rmw<uint8_t, OP>, Feature::LSE, kMem},                                                 \
    {NAME "H", kGroup, P("01 111 0 00 A:1 R:1 1 Rs:5 " O3OPC " 00 Rn:5 Rt:5"),                     \
     atomic_rmw<uint16_t, OP>, Feature::LSE, kMem},                                                \
    {NAME "_W", kGroup, P("10 111 0 00 A:1 R:1 1 Rs:5 " O3OPC " 00 Rn:5 Rt:5"),                    \
     atomic_rmw<uint32_t, OP>, Feature::LSE, kMem},                                                \
    {NAME "_X", kGroup, P("11 111 0 00 A:1 R:1 1 Rs:5 " O3OPC " 00 Rn:5 Rt:5"),                    \
     atomic_rmw<uint64_t, OP>, Feature::LSE, kMem}
// clang-format on

constexpr InsnDesc kInsns[] = {
    RMW_SIZES("LDADD", "0 000", Rmw::Add),
    RMW_SIZES("LDCLR", "0 001", Rmw::Clr),
    RMW_SIZES("LDEOR", "0 010", Rmw::Eor),
    RMW_SIZES("LDSET", "0 011", Rmw::Set),
    RMW_SIZES("LDSMAX", "0 100", Rmw::SMax),
    RMW_SIZES("LDSMIN", "0 101", Rmw::SMin),
    RMW_SIZES("LDUMAX", "0 110", Rmw::UMax),
    RMW_SIZES("LDUMIN", "0 111", Rmw::UMin),
    RMW_SIZES("SWP", "1 000", Rmw::Swp),
    // size 001000 1 L 1 Rs o0 11111 Rn Rt; L = acquire, o0 = release.
    {"CASB", kGroup, P("00 001000 1 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5"), cas<uint8_t>, Feature::LSE,
     kMem},
    {"CASH", kGroup, P("01 001000 1 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5"), cas<uint16_t>, Feature::LSE,
     kMem},
    {"CAS_W", kGroup, P("10 001000 1 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5"), cas<uint32_t>, Feature::LSE,
     kMem},
    {"CAS_X", kGroup, P("11 001000 1 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5"), cas<uint64_t>, Feature::LSE,
     kMem},
    // 0 sz 001000 0 L 1 Rs o0 11111 Rn Rt
    {"CASP_W", kGroup, P("00 001000 0 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5"), casp<false>, Feature::LSE,
     kMem},
    {"CASP_X", kGroup, P("01 001000 0 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5"), casp<true>, Feature::LSE,
     kMem},
};

#undef RMW_SIZES

} // namespace

std::span<const InsnDesc> ldst_atomic_insns() {
    return kInsns;
}

} // namespace kestrel::a64
