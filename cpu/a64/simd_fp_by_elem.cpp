// Advanced SIMD vector/scalar x indexed element (floating point): FMLA,
// FMLS (fused), FMUL and FMULX by one lane of Vm. Single: index H:L, Vm =
// M:Rm; double: index H (L = 1 is reserved), Vm = M:Rm. The half-precision
// forms (size 00) need FP16 and are not in the table.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_fp_util.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;

enum class Op { Fmla, Fmls, Mul, Mulx };

template <Op op, class T>
inline Bits<T> lane_op(Bits<T> a, Bits<T> b, Bits<T> d, fp::FpStatus& st) {
    if constexpr (op == Op::Fmla)
        return fp::mul_add<T>(d, a, b, st);
    else if constexpr (op == Op::Fmls)
        return fp::mul_add<T>(d, fp::neg<T>(a), b, st);
    else if constexpr (op == Op::Mul)
        return fp::mul<T>(a, b, st);
    else
        return fp::mulx<T>(a, b, st);
}

template <Op op> void by_elem(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30);
    const unsigned sz = bit(i, 22), h = bit(i, 11), l = bit(i, 21);
    if (sz && l) c.undefined();
    if (!fp_vector_size_ok(sz, q, scalar)) c.undefined();
    c.check_fp_enabled();
    const unsigned index = sz ? h : (h << 1) | l;
    const VReg mv = c.s.v[bits(i, 16, 5)];
    with_fp_sz(sz, [&]<class T>() {
        const FpShape shape = fp_shape<T>(scalar, q);
        const VReg n = c.s.v[rn_of(i)], d = c.s.v[rd_of(i)];
        const Bits<T> b = lane<T>(mv, index);
        VReg r;
        {
            FpScope s(c);
            for (unsigned e = 0; e < shape.lanes; e++)
                set_lane<T>(r, e, lane_op<op, T>(lane<T>(n, e), b, lane<T>(d, e), s.st));
        }
        write_fp_result<T>(c, rd_of(i), r, shape);
    });
}

// size<1> = 1 (single or double); sz is size<0>.
#define VE(name, u, opc, op)                                                                       \
    {                                                                                              \
        name, "simd_fp_by_elem",                                                                   \
            P("0 Q:1 " u " 01111 1 sz:1 L:1 M:1 Rm:4 " opc " H:1 0 Rn:5 Rd:5"), by_elem<op>,       \
            Feature::AdvSIMD                                                                       \
    }
#define SE(name, u, opc, op)                                                                       \
    {                                                                                              \
        name, "simd_fp_by_elem", P("01 " u " 11111 1 sz:1 L:1 M:1 Rm:4 " opc " H:1 0 Rn:5 Rd:5"),  \
            by_elem<op>, Feature::AdvSIMD                                                          \
    }

constexpr InsnDesc kInsns[] = {
    VE("FMLA_elem_v", "0", "0001", Op::Fmla), VE("FMLS_elem_v", "0", "0101", Op::Fmls),
    VE("FMUL_elem_v", "0", "1001", Op::Mul),  VE("FMULX_elem_v", "1", "1001", Op::Mulx),
    SE("FMLA_elem_s", "0", "0001", Op::Fmla), SE("FMLS_elem_s", "0", "0101", Op::Fmls),
    SE("FMUL_elem_s", "0", "1001", Op::Mul),  SE("FMULX_elem_s", "1", "1001", Op::Mulx),
};

#undef VE
#undef SE

} // namespace

std::span<const InsnDesc> simd_fp_by_elem_insns() {
    return kInsns;
}

} // namespace kestrel::a64
