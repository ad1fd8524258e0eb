// Advanced SIMD three different: widening (long/wide), narrowing high-half
// and long multiply forms, PMULL, and the scalar SQDMLAL/SQDMLSL/SQDMULL.
// The "2" variants (Q=1) read the upper half of the narrow sources or write
// the upper half of a narrow result.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_int.hpp"

namespace kestrel::a64 {
namespace {

enum : unsigned {
    kAddl = 0x0,
    kAddw = 0x1,
    kSubl = 0x2,
    kSubw = 0x3,
    kAddhn = 0x4,
    kAbal = 0x5,
    kSubhn = 0x6,
    kAbdl = 0x7,
    kMlal = 0x8,
    kQdmlal = 0x9,
    kMlsl = 0xa,
    kQdmlsl = 0xb,
    kMull = 0xc,
    kQdmull = 0xd,
    kPmull = 0xe,
};

// Narrowing high-half forms: ADDHN/RADDHN/SUBHN/RSUBHN.
template <typename T> void narrow_high(Cpu& c, uint32_t i, bool sub, bool round, bool part) {
    using TW = W<T>;
    constexpr unsigned esize = sizeof(T) * 8;
    const VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)];
    VReg r = part ? c.s.v[rd_of(i)] : VReg{};
    const unsigned count = 8 / sizeof(T), off = part ? count : 0;
    const TW rc = round ? static_cast<TW>(TW{1} << (esize - 1)) : TW{0};
    for (unsigned e = 0; e < count; e++) {
        TW a = elem<TW>(n, e), b = elem<TW>(m, e);
        TW s = sub ? static_cast<TW>(a - b) : static_cast<TW>(a + b);
        s = static_cast<TW>(s + rc);
        set_elem<T>(r, e + off, static_cast<T>(s >> esize));
    }
    write_vec(c, rd_of(i), r, part);
}

// Long and wide forms; `scalar` for the scalar saturating-doubling forms.
template <typename T> void widen(Cpu& c, uint32_t i, unsigned op, bool u, bool part, bool scalar) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    bool sat = false;
    const unsigned count = scalar ? 1 : 8 / sizeof(T), off = part ? 8 / sizeof(T) : 0;
    for (unsigned e = 0; e < count; e++) {
        const __int128 a =
            (op == kAddw || op == kSubw) ? ival(elem<TW>(n, e), u) : ival(elem<T>(n, e + off), u);
        const __int128 b = ival(elem<T>(m, e + off), u);
        const __int128 acc = ival(elem<TW>(d, e), u);
        __int128 v;
        switch (op) {
        case kAddl:
        case kAddw: v = a + b; break;
        case kSubl:
        case kSubw: v = a - b; break;
        case kAbal: v = acc + (a > b ? a - b : b - a); break;
        case kAbdl: v = a > b ? a - b : b - a; break;
        case kMlal: v = acc + a * b; break;
        case kMlsl: v = acc - a * b; break;
        case kMull: v = a * b; break;
        case kPmull: // polynomial: the raw lane bits, never sign-extended
            v = static_cast<__int128>(clmul64(elem<T>(n, e + off), elem<T>(m, e + off)));
            break;
        default: { // SQDMLAL/SQDMLSL/SQDMULL
            __int128 p = static_cast<S<TW>>(sat_signed<TW>(2 * a * b, sat));
            if (op == kQdmull) {
                v = p;
            } else {
                v = op == kQdmlal ? acc + p : acc - p;
                v = static_cast<S<TW>>(sat_signed<TW>(v, sat));
            }
            break;
        }
        }
        set_elem<TW>(r, e, static_cast<TW>(v));
    }
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, !scalar);
}

void three_diff(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), part = bit(i, 30) && !scalar, u = bit(i, 29);
    const unsigned size = bits(i, 22, 2), op = bits(i, 12, 4);
    const bool qdm = op == kQdmlal || op == kQdmlsl || op == kQdmull;
    if (qdm ? (size == 0 || size == 3) : size == 3) c.undefined();
    if (op == kPmull && size != 0) c.undefined();
    c.check_fp_enabled();
    auto run = [&]<typename T>() {
        if constexpr (sizeof(T) < 8) {
            if (op == kAddhn || op == kSubhn)
                narrow_high<T>(c, i, op == kSubhn, u, part);
            else
                widen<T>(c, i, op, u, part, scalar);
        }
    };
    with_usize(size, run);
}

// PMULL/PMULL2 with 64-bit elements: one 128-bit carry-less product.
void pmull64(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const bool part = bit(i, 30);
    const VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)];
    unsigned __int128 p = clmul64(part ? n.hi : n.lo, part ? m.hi : m.lo);
    VReg r;
    r.lo = static_cast<uint64_t>(p);
    r.hi = static_cast<uint64_t>(p >> 64);
    c.s.v[rd_of(i)] = r;
}

#define TD(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_three_diff", P("0 Q:1 " u " 01110 size:2 1 Rm:5 " opc " 00 Rn:5 Rd:5"),        \
            three_diff, Feature::AdvSIMD                                                           \
    }

constexpr InsnDesc kInsns[] = {
    TD("SADDL", "0", "0000"),
    TD("UADDL", "1", "0000"),
    TD("SADDW", "0", "0001"),
    TD("UADDW", "1", "0001"),
    TD("SSUBL", "0", "0010"),
    TD("USUBL", "1", "0010"),
    TD("SSUBW", "0", "0011"),
    TD("USUBW", "1", "0011"),
    TD("ADDHN", "0", "0100"),
    TD("RADDHN", "1", "0100"),
    TD("SABAL", "0", "0101"),
    TD("UABAL", "1", "0101"),
    TD("SUBHN", "0", "0110"),
    TD("RSUBHN", "1", "0110"),
    TD("SABDL", "0", "0111"),
    TD("UABDL", "1", "0111"),
    TD("SMLAL", "0", "1000"),
    TD("UMLAL", "1", "1000"),
    TD("SQDMLAL", "0", "1001"),
    TD("SMLSL", "0", "1010"),
    TD("UMLSL", "1", "1010"),
    TD("SQDMLSL", "0", "1011"),
    TD("SMULL", "0", "1100"),
    TD("UMULL", "1", "1100"),
    TD("SQDMULL", "0", "1101"),
    {"PMULL_8", "simd_three_diff", P("0 Q:1 0 01110 00 1 Rm:5 1110 00 Rn:5 Rd:5"), three_diff,
     Feature::AdvSIMD},
    {"PMULL_64", "simd_three_diff", P("0 Q:1 0 01110 11 1 Rm:5 1110 00 Rn:5 Rd:5"), pmull64,
     Feature::PMULL},
    {"SQDMLAL_s", "simd_three_diff", P("01 0 11110 size:2 1 Rm:5 1001 00 Rn:5 Rd:5"), three_diff,
     Feature::AdvSIMD},
    {"SQDMLSL_s", "simd_three_diff", P("01 0 11110 size:2 1 Rm:5 1011 00 Rn:5 Rd:5"), three_diff,
     Feature::AdvSIMD},
    {"SQDMULL_s", "simd_three_diff", P("01 0 11110 size:2 1 Rm:5 1101 00 Rn:5 Rd:5"), three_diff,
     Feature::AdvSIMD},
};

#undef TD

} // namespace

std::span<const InsnDesc> simd_three_diff_insns() {
    return kInsns;
}

} // namespace kestrel::a64
