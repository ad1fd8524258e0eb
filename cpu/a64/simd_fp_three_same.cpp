// Advanced SIMD three same (floating point), vector and scalar: arithmetic,
// fused multiply-add, min/max, compares, absolute compares, the reciprocal
// steps and the pairwise forms. In these encodings size<1> selects the
// operation and size<0> (sz) the lane format.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_fp_util.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;

enum class Op {
    Maxnm,
    Fmla,
    Add,
    Mulx,
    Cmeq,
    Max,
    Recps,
    Minnm,
    Fmls,
    Sub,
    Min,
    Rsqrts,
    Mul,
    Cmge,
    Acge,
    Div,
    Abd,
    Cmgt,
    Acgt,
    Maxnmp,
    Addp,
    Maxp,
    Minnmp,
    Minp,
};

template <Op> constexpr bool kUnhandled = false;

constexpr bool is_pairwise(Op op) {
    return op == Op::Maxnmp || op == Op::Addp || op == Op::Maxp || op == Op::Minnmp ||
           op == Op::Minp;
}

// One lane: a (Vn), b (Vm), d (the old Vd, the FMLA/FMLS addend).
template <Op op, class T>
inline Bits<T> lane_op(Bits<T> a, Bits<T> b, Bits<T> d, fp::FpStatus& st) {
    if constexpr (op == Op::Add || op == Op::Addp)
        return fp::add<T>(a, b, st);
    else if constexpr (op == Op::Sub)
        return fp::sub<T>(a, b, st);
    else if constexpr (op == Op::Mul)
        return fp::mul<T>(a, b, st);
    else if constexpr (op == Op::Div)
        return fp::div<T>(a, b, st);
    else if constexpr (op == Op::Mulx)
        return fp::mulx<T>(a, b, st);
    else if constexpr (op == Op::Max || op == Op::Maxp)
        return fp::max<T>(a, b, st);
    else if constexpr (op == Op::Min || op == Op::Minp)
        return fp::min<T>(a, b, st);
    else if constexpr (op == Op::Maxnm || op == Op::Maxnmp)
        return fp::max_num<T>(a, b, st);
    else if constexpr (op == Op::Minnm || op == Op::Minnmp)
        return fp::min_num<T>(a, b, st);
    // FMLA/FMLS: one rounding; FMLS negates the Vn element (NaN sign too).
    else if constexpr (op == Op::Fmla)
        return fp::mul_add<T>(d, a, b, st);
    else if constexpr (op == Op::Fmls)
        return fp::mul_add<T>(d, fp::neg<T>(a), b, st);
    else if constexpr (op == Op::Abd)
        return fp::abs<T>(fp::sub<T>(a, b, st));
    else if constexpr (op == Op::Recps)
        return fp::recip_step<T>(a, b, st);
    else if constexpr (op == Op::Rsqrts)
        return fp::rsqrt_step<T>(a, b, st);
    else if constexpr (op == Op::Cmeq)
        return lane_mask<T>(fp::compare_eq<T>(a, b, st));
    else if constexpr (op == Op::Cmge)
        return lane_mask<T>(fp::compare_ge<T>(a, b, st));
    else if constexpr (op == Op::Cmgt)
        return lane_mask<T>(fp::compare_gt<T>(a, b, st));
    else if constexpr (op == Op::Acge)
        return lane_mask<T>(fp::compare_ge<T>(fp::abs<T>(a), fp::abs<T>(b), st));
    else if constexpr (op == Op::Acgt)
        return lane_mask<T>(fp::compare_gt<T>(fp::abs<T>(a), fp::abs<T>(b), st));
    else
        static_assert(kUnhandled<op>, "unhandled operation");
}

template <Op op, class T> void run(Cpu& c, uint32_t i, FpShape shape) {
    const VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    FpScope s(c);
    if constexpr (is_pairwise(op)) {
        // Adjacent pairs of the concatenation Vm:Vn, Vn's pairs first.
        const unsigned half = shape.lanes / 2;
        for (unsigned e = 0; e < shape.lanes; e++) {
            const VReg& src = e < half ? n : m;
            const unsigned p = 2 * (e % half);
            set_lane<T>(r, e, lane_op<op, T>(lane<T>(src, p), lane<T>(src, p + 1), 0, s.st));
        }
    } else {
        for (unsigned e = 0; e < shape.lanes; e++)
            set_lane<T>(r, e, lane_op<op, T>(lane<T>(n, e), lane<T>(m, e), lane<T>(d, e), s.st));
    }
    write_fp_result<T>(c, rd_of(i), r, shape);
}

template <Op op> void three_same(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30);
    const unsigned sz = bit(i, 22);
    if (!fp_vector_size_ok(sz, q, scalar)) c.undefined();
    c.check_fp_enabled();
    with_fp_sz(sz, [&]<class T>() { run<op, T>(c, i, fp_shape<T>(scalar, q)); });
}

// U, a (size<1>) and opcode select the operation.
#define V3(name, u, a, opc, op)                                                                    \
    {                                                                                              \
        name, "simd_fp_three_same", P("0 Q:1 " u " 01110 " a " sz:1 1 Rm:5 " opc " 1 Rn:5 Rd:5"),  \
            three_same<op>, Feature::AdvSIMD                                                       \
    }
#define S3(name, u, a, opc, op)                                                                    \
    {                                                                                              \
        name, "simd_fp_three_same", P("01 " u " 11110 " a " sz:1 1 Rm:5 " opc " 1 Rn:5 Rd:5"),     \
            three_same<op>, Feature::AdvSIMD                                                       \
    }

constexpr InsnDesc kInsns[] = {
    V3("FMAXNM_v", "0", "0", "11000", Op::Maxnm),
    V3("FMLA_v", "0", "0", "11001", Op::Fmla),
    V3("FADD_v", "0", "0", "11010", Op::Add),
    V3("FMULX_v", "0", "0", "11011", Op::Mulx),
    V3("FCMEQ_v", "0", "0", "11100", Op::Cmeq),
    V3("FMAX_v", "0", "0", "11110", Op::Max),
    V3("FRECPS_v", "0", "0", "11111", Op::Recps),
    V3("FMINNM_v", "0", "1", "11000", Op::Minnm),
    V3("FMLS_v", "0", "1", "11001", Op::Fmls),
    V3("FSUB_v", "0", "1", "11010", Op::Sub),
    V3("FMIN_v", "0", "1", "11110", Op::Min),
    V3("FRSQRTS_v", "0", "1", "11111", Op::Rsqrts),
    V3("FMAXNMP_v", "1", "0", "11000", Op::Maxnmp),
    V3("FADDP_v", "1", "0", "11010", Op::Addp),
    V3("FMUL_v", "1", "0", "11011", Op::Mul),
    V3("FCMGE_v", "1", "0", "11100", Op::Cmge),
    V3("FACGE_v", "1", "0", "11101", Op::Acge),
    V3("FMAXP_v", "1", "0", "11110", Op::Maxp),
    V3("FDIV_v", "1", "0", "11111", Op::Div),
    V3("FMINNMP_v", "1", "1", "11000", Op::Minnmp),
    V3("FABD_v", "1", "1", "11010", Op::Abd),
    V3("FCMGT_v", "1", "1", "11100", Op::Cmgt),
    V3("FACGT_v", "1", "1", "11101", Op::Acgt),
    V3("FMINP_v", "1", "1", "11110", Op::Minp),
    // Scalar forms; FMULX, FRECPS and FRSQRTS (scalar) are in fp_scalar_simd.cpp.
    S3("FCMEQ_s", "0", "0", "11100", Op::Cmeq),
    S3("FCMGE_s", "1", "0", "11100", Op::Cmge),
    S3("FACGE_s", "1", "0", "11101", Op::Acge),
    S3("FABD_s", "1", "1", "11010", Op::Abd),
    S3("FCMGT_s", "1", "1", "11100", Op::Cmgt),
    S3("FACGT_s", "1", "1", "11101", Op::Acgt),
};

#undef V3
#undef S3

} // namespace

std::span<const InsnDesc> simd_fp_three_same_insns() {
    return kInsns;
}

} // namespace kestrel::a64
