// Advanced SIMD vector/scalar x indexed element (integer): MUL/MLA/MLS,
// long multiplies, and the saturating doubling multiplies. The second
// operand is one lane of Vm: H:L:M with Rm<3:0> for 16-bit elements, H:L
// with M:Rm for 32-bit ones.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_int.hpp"

namespace kestrel::a64 {
namespace {

// Operation selector: (U << 4) | opcode.
enum : unsigned {
    kSmlal = 0x2,
    kSqdmlal = 0x3,
    kSmlsl = 0x6,
    kSqdmlsl = 0x7,
    kMul = 0x8,
    kSmull = 0xa,
    kSqdmull = 0xb,
    kSqdmulh = 0xc,
    kSqrdmulh = 0xd,
    kU = 0x10,
    kMla = kU | 0x0,
    kUmlal = kU | 0x2,
    kMls = kU | 0x4,
    kUmlsl = kU | 0x6,
    kUmull = kU | 0xa,
};

template <typename T> void same_size(Cpu& c, uint32_t i, unsigned sel, T b, unsigned bytes) {
    constexpr unsigned esize = sizeof(T) * 8;
    const VReg n = c.s.v[rn_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    bool sat = false;
    const __int128 y = ival(b, false);
    for (unsigned e = 0; e < bytes / sizeof(T); e++) {
        const T a = elem<T>(n, e);
        T v;
        switch (sel) {
        case kMul: v = mul_lo<T>(a, b); break;
        case kMla: v = static_cast<T>(elem<T>(d, e) + mul_lo<T>(a, b)); break;
        case kMls: v = static_cast<T>(elem<T>(d, e) - mul_lo<T>(a, b)); break;
        case kSqdmulh: v = sat_signed<T>((2 * ival(a, false) * y) >> esize, sat); break;
        default: // SQRDMULH
            v = sat_signed<T>(
                (2 * ival(a, false) * y + (static_cast<__int128>(1) << (esize - 1))) >> esize, sat);
            break;
        }
        set_elem<T>(r, e, v);
    }
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, bytes == 16);
}

template <typename T> void widening(Cpu& c, uint32_t i, unsigned sel, T b, bool part, bool scalar) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    bool sat = false;
    const bool u = sel & kU;
    const __int128 y = ival(b, u);
    const unsigned count = scalar ? 1 : 8 / sizeof(T), off = part ? 8 / sizeof(T) : 0;
    for (unsigned e = 0; e < count; e++) {
        const __int128 x = ival(elem<T>(n, e + off), u), acc = ival(elem<TW>(d, e), u);
        __int128 v;
        switch (sel) {
        case kSmlal:
        case kUmlal: v = acc + x * y; break;
        case kSmlsl:
        case kUmlsl: v = acc - x * y; break;
        case kSmull:
        case kUmull: v = x * y; break;
        default: { // SQDMLAL/SQDMLSL/SQDMULL
            const __int128 p = static_cast<S<TW>>(sat_signed<TW>(2 * x * y, sat));
            if (sel == kSqdmull)
                v = p;
            else
                v = static_cast<S<TW>>(sat_signed<TW>(sel == kSqdmlal ? acc + p : acc - p, sat));
            break;
        }
        }
        set_elem<TW>(r, e, static_cast<TW>(v));
    }
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, !scalar);
}

void by_elem(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30) && !scalar;
    const unsigned size = bits(i, 22, 2), sel = (bit(i, 29) << 4) | bits(i, 12, 4);
    if (size != 1 && size != 2) c.undefined();
    c.check_fp_enabled();
    const unsigned h = bit(i, 11), l = bit(i, 21), m = bit(i, 20);
    const unsigned index = size == 1 ? (h << 2) | (l << 1) | m : (h << 1) | l;
    const unsigned rm = size == 1 ? bits(i, 16, 4) : bits(i, 16, 5);
    const VReg mv = c.s.v[rm];
    auto run = [&]<typename T>() {
        const T b = elem<T>(mv, index);
        switch (sel) {
        case kMul:
        case kMla:
        case kMls:
        case kSqdmulh:
        case kSqrdmulh: same_size<T>(c, i, sel, b, scalar ? sizeof(T) : (q ? 16 : 8)); break;
        default: widening<T>(c, i, sel, b, q, scalar); break;
        }
    };
    if (size == 1)
        run.template operator()<uint16_t>();
    else
        run.template operator()<uint32_t>();
}

#define VE(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_by_elem", P("0 Q:1 " u " 01111 size:2 L:1 M:1 Rm:4 " opc " H:1 0 Rn:5 Rd:5"),  \
            by_elem, Feature::AdvSIMD                                                              \
    }
#define SE(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_by_elem", P("01 " u " 11111 size:2 L:1 M:1 Rm:4 " opc " H:1 0 Rn:5 Rd:5"),     \
            by_elem, Feature::AdvSIMD                                                              \
    }

constexpr InsnDesc kInsns[] = {
    VE("MLA_elem", "1", "0000"),        VE("MLS_elem", "1", "0100"),
    VE("MUL_elem", "0", "1000"),        VE("SMLAL_elem", "0", "0010"),
    VE("UMLAL_elem", "1", "0010"),      VE("SMLSL_elem", "0", "0110"),
    VE("UMLSL_elem", "1", "0110"),      VE("SMULL_elem", "0", "1010"),
    VE("UMULL_elem", "1", "1010"),      VE("SQDMLAL_elem", "0", "0011"),
    VE("SQDMLSL_elem", "0", "0111"),    VE("SQDMULL_elem", "0", "1011"),
    VE("SQDMULH_elem", "0", "1100"),    VE("SQRDMULH_elem", "0", "1101"),
    SE("SQDMLAL_elem_s", "0", "0011"),  SE("SQDMLSL_elem_s", "0", "0111"),
    SE("SQDMULL_elem_s", "0", "1011"),  SE("SQDMULH_elem_s", "0", "1100"),
    SE("SQRDMULH_elem_s", "0", "1101"),
};

#undef VE
#undef SE

} // namespace

std::span<const InsnDesc> simd_by_elem_insns() {
    return kInsns;
}

} // namespace kestrel::a64
