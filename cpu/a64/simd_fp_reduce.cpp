// Advanced SIMD floating-point reductions: the across-lanes FMAXV, FMINV,
// FMAXNMV and FMINNMV (4S only without FP16) and the scalar pairwise
// FADDP, FMAXP, FMINP, FMAXNMP and FMINNMP of two lanes. Reduce() in the
// pseudocode is a tree, op(op(e0, e1), op(e2, e3)): the pairing decides
// which NaN propagates and which flags are raised.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_fp_util.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;

enum class Op { Add, Max, Min, MaxNum, MinNum };

template <Op op, class T> inline Bits<T> reduce_op(Bits<T> a, Bits<T> b, fp::FpStatus& st) {
    if constexpr (op == Op::Add)
        return fp::add<T>(a, b, st);
    else if constexpr (op == Op::Max)
        return fp::max<T>(a, b, st);
    else if constexpr (op == Op::Min)
        return fp::min<T>(a, b, st);
    else if constexpr (op == Op::MaxNum)
        return fp::max_num<T>(a, b, st);
    else
        return fp::min_num<T>(a, b, st);
}

// FMAXV/FMINV/FMAXNMV/FMINNMV Sd, Vn.4S.
template <Op op> void across_lanes(Cpu& c, uint32_t i) {
    using T = fp::Single;
    c.check_fp_enabled();
    const VReg n = c.s.v[rn_of(i)];
    Bits<T> r;
    {
        FpScope s(c);
        const Bits<T> lo = reduce_op<op, T>(lane<T>(n, 0), lane<T>(n, 1), s.st);
        const Bits<T> hi = reduce_op<op, T>(lane<T>(n, 2), lane<T>(n, 3), s.st);
        r = reduce_op<op, T>(lo, hi, s.st);
    }
    write_scalar(c, rd_of(i), r, 4);
}

// Scalar pairwise: the two lanes of Vn.2S (sz = 0) or Vn.2D (sz = 1).
template <Op op> void scalar_pairwise(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    with_fp_sz(bit(i, 22), [&]<class T>() {
        const VReg n = c.s.v[rn_of(i)];
        Bits<T> r;
        {
            FpScope s(c);
            r = reduce_op<op, T>(lane<T>(n, 0), lane<T>(n, 1), s.st);
        }
        write_scalar(c, rd_of(i), r, T::N / 8);
    });
}

// Across lanes: Q = 1, U = 1 and sz = 0 (the U = 0 forms are half precision).
#define AL(name, a, opc, op)                                                                       \
    {                                                                                              \
        name, "simd_fp_reduce", P("0 1 1 01110 " a " 0 11000 " opc " 10 Rn:5 Rd:5"),               \
            across_lanes<op>, Feature::AdvSIMD                                                     \
    }
// Scalar pairwise: U = 1 (U = 0 with these opcodes is half precision).
#define SP(name, a, opc, op)                                                                       \
    {                                                                                              \
        name, "simd_fp_reduce", P("01 1 11110 " a " sz:1 11000 " opc " 10 Rn:5 Rd:5"),             \
            scalar_pairwise<op>, Feature::AdvSIMD                                                  \
    }

constexpr InsnDesc kInsns[] = {
    AL("FMAXNMV", "0", "01100", Op::MaxNum),   AL("FMAXV", "0", "01111", Op::Max),
    AL("FMINNMV", "1", "01100", Op::MinNum),   AL("FMINV", "1", "01111", Op::Min),
    SP("FMAXNMP_s", "0", "01100", Op::MaxNum), SP("FADDP_s", "0", "01101", Op::Add),
    SP("FMAXP_s", "0", "01111", Op::Max),      SP("FMINNMP_s", "1", "01100", Op::MinNum),
    SP("FMINP_s", "1", "01111", Op::Min),
};

#undef AL
#undef SP

} // namespace

std::span<const InsnDesc> simd_fp_reduce_insns() {
    return kInsns;
}

} // namespace kestrel::a64
