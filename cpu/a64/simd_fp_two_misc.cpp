// Advanced SIMD two-register miscellaneous (floating point), vector and
// scalar: FABS/FNEG/FSQRT, FRINT*, conversions to and from integers,
// compares with zero, the reciprocal (square root) estimates including the
// unsigned integer URECPE/URSQRTE, and the precision changes FCVTN, FCVTL
// and FCVTXN (round to odd).
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_fp_util.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;
using fp::Rounding;

enum class Op {
    Abs,
    Neg,
    Sqrt,
    Rint,      // FRINTN/P/M/Z/A/I: no Inexact
    RintExact, // FRINTX
    CvtS,      // FCVT[NPMZA]S
    CvtU,      // FCVT[NPMZA]U
    Scvtf,
    Ucvtf,
    CmgtZ,
    CmeqZ,
    CmltZ,
    CmgeZ,
    CmleZ,
    Recpe,
    Rsqrte,
};

template <Op> constexpr bool kUnhandled = false;

// The rounding of FRINT*/FCVT*: a fixed mode, or kFpcrMode for FPCR.RMode.
constexpr int kFpcrMode = -1;

template <Op op, int rmode, class T> inline Bits<T> lane_op(Bits<T> a, fp::FpStatus& st) {
    const Rounding rm = rmode == kFpcrMode ? st.rounding() : static_cast<Rounding>(rmode);
    constexpr Bits<T> zero = 0;
    if constexpr (op == Op::Abs)
        return fp::abs<T>(a);
    else if constexpr (op == Op::Neg)
        return fp::neg<T>(a);
    else if constexpr (op == Op::Sqrt)
        return fp::sqrt<T>(a, st);
    else if constexpr (op == Op::Rint)
        return fp::round_int<T>(a, rm, false, st);
    else if constexpr (op == Op::RintExact)
        return fp::round_int<T>(a, rm, true, st);
    else if constexpr (op == Op::CvtS)
        return lane_to_fixed<T>(a, 0, false, rm, st);
    else if constexpr (op == Op::CvtU)
        return lane_to_fixed<T>(a, 0, true, rm, st);
    else if constexpr (op == Op::Scvtf)
        return lane_from_fixed<T>(a, 0, false, st);
    else if constexpr (op == Op::Ucvtf)
        return lane_from_fixed<T>(a, 0, true, st);
    // Compares with zero: LT and LE swap the operands, as the pseudocode does.
    else if constexpr (op == Op::CmgtZ)
        return lane_mask<T>(fp::compare_gt<T>(a, zero, st));
    else if constexpr (op == Op::CmeqZ)
        return lane_mask<T>(fp::compare_eq<T>(a, zero, st));
    else if constexpr (op == Op::CmltZ)
        return lane_mask<T>(fp::compare_gt<T>(zero, a, st));
    else if constexpr (op == Op::CmgeZ)
        return lane_mask<T>(fp::compare_ge<T>(a, zero, st));
    else if constexpr (op == Op::CmleZ)
        return lane_mask<T>(fp::compare_ge<T>(zero, a, st));
    else if constexpr (op == Op::Recpe)
        return fp::recip_estimate<T>(a, st);
    else if constexpr (op == Op::Rsqrte)
        return fp::rsqrt_estimate<T>(a, st);
    else
        static_assert(kUnhandled<op>, "unhandled operation");
}

template <Op op, int rmode> void two_misc(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30);
    const unsigned sz = bit(i, 22);
    if (!fp_vector_size_ok(sz, q, scalar)) c.undefined();
    c.check_fp_enabled();
    with_fp_sz(sz, [&]<class T>() {
        const FpShape shape = fp_shape<T>(scalar, q);
        const VReg n = c.s.v[rn_of(i)];
        VReg r;
        {
            FpScope s(c);
            for (unsigned e = 0; e < shape.lanes; e++)
                set_lane<T>(r, e, lane_op<op, rmode, T>(lane<T>(n, e), s.st));
        }
        write_fp_result<T>(c, rd_of(i), r, shape);
    });
}

// URECPE/URSQRTE: 32-bit unsigned fixed-point lanes (0.32 format), the
// top nine bits looked up in the estimate tables (UnsignedRecipEstimate,
// UnsignedRSqrtEstimate). No FP flags.
template <bool rsqrt> void unsigned_estimate(Cpu& c, uint32_t i) {
    const bool q = bit(i, 30);
    if (bit(i, 22)) c.undefined(); // 32-bit lanes only
    c.check_fp_enabled();
    const VReg n = c.s.v[rn_of(i)];
    VReg r;
    for (unsigned e = 0; e < (q ? 4u : 2u); e++) {
        const uint32_t a = elem<uint32_t>(n, e);
        uint32_t v;
        if (rsqrt)
            v = (a >> 30) == 0 ? 0xffffffffu : fp::rsqrt_estimate_table(a >> 23) << 23;
        else
            v = (a >> 31) == 0 ? 0xffffffffu : fp::recip_estimate_table(a >> 23) << 23;
        set_elem<uint32_t>(r, e, v);
    }
    write_vec(c, rd_of(i), r, q);
}

// FCVTN/FCVTXN: lanes of From narrowed to To, into the low half of Vd
// (upper half cleared) or, for the "2" forms (Q = 1), its high half (low
// half kept). The scalar FCVTXN writes one lane.
template <class From, class To, bool odd> void narrow_lanes(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), part = bit(i, 30) && !scalar;
    const unsigned count = scalar ? 1 : 64 / To::N;
    const VReg n = c.s.v[rn_of(i)];
    VReg r = part ? c.s.v[rd_of(i)] : VReg{};
    {
        FpScope s(c);
        const Rounding rm = odd ? Rounding::Odd : s.st.rounding();
        for (unsigned e = 0; e < count; e++)
            set_lane<To>(r, e + (part ? count : 0),
                         fp::convert<From, To>(lane<From>(n, e), rm, s.st));
    }
    if (scalar)
        write_scalar(c, rd_of(i), r.lo, To::N / 8);
    else
        write_vec(c, rd_of(i), r, part);
}

void fcvtn(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    if (bit(i, 22))
        narrow_lanes<fp::Double, fp::Single, false>(c, i);
    else
        narrow_lanes<fp::Single, fp::Half, false>(c, i);
}

void fcvtxn(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    narrow_lanes<fp::Double, fp::Single, true>(c, i);
}

// FCVTL/FCVTL2: the low (Q = 0) or high half's lanes widened.
template <class From, class To> void widen_lanes(Cpu& c, uint32_t i) {
    const bool part = bit(i, 30);
    const unsigned count = 64 / From::N;
    const VReg n = c.s.v[rn_of(i)];
    VReg r;
    {
        FpScope s(c);
        for (unsigned e = 0; e < count; e++)
            set_lane<To>(r, e, fp::convert<From, To>(lane<From>(n, e + (part ? count : 0)), s.st));
    }
    c.s.v[rd_of(i)] = r;
}

void fcvtl(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    if (bit(i, 22))
        widen_lanes<fp::Single, fp::Double>(c, i);
    else
        widen_lanes<fp::Half, fp::Single>(c, i);
}

constexpr int kN = static_cast<int>(Rounding::TieEven), kP = static_cast<int>(Rounding::PosInf),
              kM = static_cast<int>(Rounding::NegInf), kZ = static_cast<int>(Rounding::Zero),
              kA = static_cast<int>(Rounding::TieAway);

// U, a (size<1>) and opcode select the operation; sz the lane format.
#define V2(name, u, a, opc, fn)                                                                    \
    {                                                                                              \
        name, "simd_fp_two_misc", P("0 Q:1 " u " 01110 " a " sz:1 10000 " opc " 10 Rn:5 Rd:5"),    \
            fn, Feature::AdvSIMD                                                                   \
    }
#define S2(name, u, a, opc, fn)                                                                    \
    {                                                                                              \
        name, "simd_fp_two_misc", P("01 " u " 11110 " a " sz:1 10000 " opc " 10 Rn:5 Rd:5"), fn,   \
            Feature::AdvSIMD                                                                       \
    }

constexpr InsnDesc kInsns[] = {
    V2("FCVTN", "0", "0", "10110", fcvtn),
    V2("FCVTL", "0", "0", "10111", fcvtl),
    V2("FRINTN_v", "0", "0", "11000", (two_misc<Op::Rint, kN>)),
    V2("FRINTM_v", "0", "0", "11001", (two_misc<Op::Rint, kM>)),
    V2("FCVTNS_v", "0", "0", "11010", (two_misc<Op::CvtS, kN>)),
    V2("FCVTMS_v", "0", "0", "11011", (two_misc<Op::CvtS, kM>)),
    V2("FCVTAS_v", "0", "0", "11100", (two_misc<Op::CvtS, kA>)),
    V2("SCVTF_v", "0", "0", "11101", (two_misc<Op::Scvtf, kFpcrMode>)),
    V2("FCMGT_zero_v", "0", "1", "01100", (two_misc<Op::CmgtZ, kFpcrMode>)),
    V2("FCMEQ_zero_v", "0", "1", "01101", (two_misc<Op::CmeqZ, kFpcrMode>)),
    V2("FCMLT_zero_v", "0", "1", "01110", (two_misc<Op::CmltZ, kFpcrMode>)),
    V2("FABS_v", "0", "1", "01111", (two_misc<Op::Abs, kFpcrMode>)),
    V2("FRINTP_v", "0", "1", "11000", (two_misc<Op::Rint, kP>)),
    V2("FRINTZ_v", "0", "1", "11001", (two_misc<Op::Rint, kZ>)),
    V2("FCVTPS_v", "0", "1", "11010", (two_misc<Op::CvtS, kP>)),
    V2("FCVTZS_v", "0", "1", "11011", (two_misc<Op::CvtS, kZ>)),
    V2("URECPE", "0", "1", "11100", unsigned_estimate<false>),
    V2("FRECPE_v", "0", "1", "11101", (two_misc<Op::Recpe, kFpcrMode>)),
    {"FCVTXN_v", "simd_fp_two_misc", P("0 Q:1 1 01110 0 1 10000 10110 10 Rn:5 Rd:5"), fcvtxn,
     Feature::AdvSIMD},
    V2("FRINTA_v", "1", "0", "11000", (two_misc<Op::Rint, kA>)),
    V2("FRINTX_v", "1", "0", "11001", (two_misc<Op::RintExact, kFpcrMode>)),
    V2("FCVTNU_v", "1", "0", "11010", (two_misc<Op::CvtU, kN>)),
    V2("FCVTMU_v", "1", "0", "11011", (two_misc<Op::CvtU, kM>)),
    V2("FCVTAU_v", "1", "0", "11100", (two_misc<Op::CvtU, kA>)),
    V2("UCVTF_v", "1", "0", "11101", (two_misc<Op::Ucvtf, kFpcrMode>)),
    V2("FCMGE_zero_v", "1", "1", "01100", (two_misc<Op::CmgeZ, kFpcrMode>)),
    V2("FCMLE_zero_v", "1", "1", "01101", (two_misc<Op::CmleZ, kFpcrMode>)),
    V2("FNEG_v", "1", "1", "01111", (two_misc<Op::Neg, kFpcrMode>)),
    V2("FRINTI_v", "1", "1", "11001", (two_misc<Op::Rint, kFpcrMode>)),
    V2("FCVTPU_v", "1", "1", "11010", (two_misc<Op::CvtU, kP>)),
    V2("FCVTZU_v", "1", "1", "11011", (two_misc<Op::CvtU, kZ>)),
    V2("URSQRTE", "1", "1", "11100", unsigned_estimate<true>),
    V2("FRSQRTE_v", "1", "1", "11101", (two_misc<Op::Rsqrte, kFpcrMode>)),
    V2("FSQRT_v", "1", "1", "11111", (two_misc<Op::Sqrt, kFpcrMode>)),
    // Scalar forms; FRECPE, FRSQRTE and FRECPX (scalar) are in fp_scalar_simd.cpp.
    S2("FCVTNS_s", "0", "0", "11010", (two_misc<Op::CvtS, kN>)),
    S2("FCVTMS_s", "0", "0", "11011", (two_misc<Op::CvtS, kM>)),
    S2("FCVTAS_s", "0", "0", "11100", (two_misc<Op::CvtS, kA>)),
    S2("SCVTF_s", "0", "0", "11101", (two_misc<Op::Scvtf, kFpcrMode>)),
    S2("FCMGT_zero_s", "0", "1", "01100", (two_misc<Op::CmgtZ, kFpcrMode>)),
    S2("FCMEQ_zero_s", "0", "1", "01101", (two_misc<Op::CmeqZ, kFpcrMode>)),
    S2("FCMLT_zero_s", "0", "1", "01110", (two_misc<Op::CmltZ, kFpcrMode>)),
    S2("FCVTPS_s", "0", "1", "11010", (two_misc<Op::CvtS, kP>)),
    S2("FCVTZS_s", "0", "1", "11011", (two_misc<Op::CvtS, kZ>)),
    {"FCVTXN_s", "simd_fp_two_misc", P("01 1 11110 0 1 10000 10110 10 Rn:5 Rd:5"), fcvtxn,
     Feature::AdvSIMD},
    S2("FCVTNU_s", "1", "0", "11010", (two_misc<Op::CvtU, kN>)),
    S2("FCVTMU_s", "1", "0", "11011", (two_misc<Op::CvtU, kM>)),
    S2("FCVTAU_s", "1", "0", "11100", (two_misc<Op::CvtU, kA>)),
    S2("UCVTF_s", "1", "0", "11101", (two_misc<Op::Ucvtf, kFpcrMode>)),
    S2("FCMGE_zero_s", "1", "1", "01100", (two_misc<Op::CmgeZ, kFpcrMode>)),
    S2("FCMLE_zero_s", "1", "1", "01101", (two_misc<Op::CmleZ, kFpcrMode>)),
    S2("FCVTPU_s", "1", "1", "11010", (two_misc<Op::CvtU, kP>)),
    S2("FCVTZU_s", "1", "1", "11011", (two_misc<Op::CvtU, kZ>)),
};

#undef V2
#undef S2

} // namespace

std::span<const InsnDesc> simd_fp_two_misc_insns() {
    return kInsns;
}

} // namespace kestrel::a64
