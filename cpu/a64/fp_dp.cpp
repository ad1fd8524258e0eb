// Scalar floating-point data processing: 1-source (FMOV, FABS, FNEG,
// FSQRT, FCVT, FRINT*), 2-source, 3-source (fused multiply-add), FCSEL and
// FMOV (immediate).
#include "cpu/a64/fp_util.hpp"
#include "cpu/a64/groups.hpp"

#include <type_traits>

namespace kestrel::a64 {
namespace {

using fp::Bits;

enum class Op2 { Mul, Div, Add, Sub, Max, Min, MaxNum, MinNum, NMul };

template <Op2 op> void fp_2src(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5)), b = vread<T>(c, bits(i, 16, 5));
        FpScope s(c);
        Bits<T> r;
        switch (op) {
        case Op2::Mul: r = fp::mul<T>(a, b, s.st); break;
        case Op2::Div: r = fp::div<T>(a, b, s.st); break;
        case Op2::Add: r = fp::add<T>(a, b, s.st); break;
        case Op2::Sub: r = fp::sub<T>(a, b, s.st); break;
        case Op2::Max: r = fp::max<T>(a, b, s.st); break;
        case Op2::Min: r = fp::min<T>(a, b, s.st); break;
        case Op2::MaxNum: r = fp::max_num<T>(a, b, s.st); break;
        case Op2::MinNum: r = fp::min_num<T>(a, b, s.st); break;
        case Op2::NMul: r = fp::neg<T>(fp::mul<T>(a, b, s.st)); break;
        }
        vwrite<T>(c, bits(i, 0, 5), r);
    });
}

// FMADD, FMSUB, FNMADD, FNMSUB: o1 negates the addend and o1 != o0 the
// product (through operand 1), NaN signs included, as FPNeg does.
template <bool o1, bool o0> void fp_3src(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> n = vread<T>(c, bits(i, 5, 5)), m = vread<T>(c, bits(i, 16, 5));
        Bits<T> a = vread<T>(c, bits(i, 10, 5));
        if (o1) a = fp::neg<T>(a);
        if (o1 != o0) n = fp::neg<T>(n);
        FpScope s(c);
        vwrite<T>(c, bits(i, 0, 5), fp::mul_add<T>(a, n, m, s.st));
    });
}

enum class Op1 { Mov, Abs, Neg, Sqrt };

template <Op1 op> void fp_1src(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5));
        Bits<T> r = a;
        if (op == Op1::Abs) r = fp::abs<T>(a);
        if (op == Op1::Neg) r = fp::neg<T>(a);
        if (op == Op1::Sqrt) {
            FpScope s(c);
            r = fp::sqrt<T>(a, s.st);
        }
        vwrite<T>(c, bits(i, 0, 5), r);
    });
}

// FRINT* with a fixed rounding mode (or the FPCR one for FRINTI/FRINTX).
template <int rmode, bool exact> void fp_rint(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5));
        FpScope s(c);
        fp::Rounding rm = rmode < 0 ? s.st.rounding() : static_cast<fp::Rounding>(rmode);
        vwrite<T>(c, bits(i, 0, 5), fp::round_int<T>(a, rm, exact, s.st));
    });
}

template <class From> void fcvt_from(Cpu& c, uint32_t i, unsigned opc) {
    Bits<From> a = vread<From>(c, bits(i, 5, 5));
    unsigned rd = bits(i, 0, 5);
    FpScope s(c);
    // The caller rejected opc == type, so From never equals the target.
    if constexpr (!std::is_same_v<From, fp::Single>)
        if (opc == 0) vwrite<fp::Single>(c, rd, fp::convert<From, fp::Single>(a, s.st));
    if constexpr (!std::is_same_v<From, fp::Double>)
        if (opc == 1) vwrite<fp::Double>(c, rd, fp::convert<From, fp::Double>(a, s.st));
    if constexpr (!std::is_same_v<From, fp::Half>)
        if (opc == 3) vwrite<fp::Half>(c, rd, fp::convert<From, fp::Half>(a, s.st));
}

// FCVT between half, single and double (all base v8.0).
void fcvt(Cpu& c, uint32_t i) {
    unsigned type = bits(i, 22, 2), opc = bits(i, 15, 2);
    if (type == opc || type == 2 || opc == 2) c.undefined();
    c.check_fp_enabled();
    if (type == 0) fcvt_from<fp::Single>(c, i, opc);
    if (type == 1) fcvt_from<fp::Double>(c, i, opc);
    if (type == 3) fcvt_from<fp::Half>(c, i, opc);
}

void fcsel(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        unsigned src = cond_holds(c.s.nzcv, bits(i, 12, 4)) ? bits(i, 5, 5) : bits(i, 16, 5);
        vwrite<T>(c, bits(i, 0, 5), vread<T>(c, src));
    });
}

void fmov_imm(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        vwrite<T>(c, bits(i, 0, 5), fp::expand_imm<T>(static_cast<uint8_t>(bits(i, 13, 8))));
    });
}

constexpr InsnDesc kInsns[] = {
    // 2-source
    {"FMUL_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0000 10 Rn:5 Rd:5"), fp_2src<Op2::Mul>,
     Feature::FP},
    {"FDIV_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0001 10 Rn:5 Rd:5"), fp_2src<Op2::Div>,
     Feature::FP},
    {"FADD_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0010 10 Rn:5 Rd:5"), fp_2src<Op2::Add>,
     Feature::FP},
    {"FSUB_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0011 10 Rn:5 Rd:5"), fp_2src<Op2::Sub>,
     Feature::FP},
    {"FMAX_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0100 10 Rn:5 Rd:5"), fp_2src<Op2::Max>,
     Feature::FP},
    {"FMIN_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0101 10 Rn:5 Rd:5"), fp_2src<Op2::Min>,
     Feature::FP},
    {"FMAXNM_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0110 10 Rn:5 Rd:5"), fp_2src<Op2::MaxNum>,
     Feature::FP},
    {"FMINNM_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 0111 10 Rn:5 Rd:5"), fp_2src<Op2::MinNum>,
     Feature::FP},
    {"FNMUL_s", "fp_2src", P("000 11110 ftype:2 1 Rm:5 1000 10 Rn:5 Rd:5"), fp_2src<Op2::NMul>,
     Feature::FP},
    // 3-source
    {"FMADD", "fp_3src", P("000 11111 ftype:2 0 Rm:5 0 Ra:5 Rn:5 Rd:5"), fp_3src<false, false>,
     Feature::FP},
    {"FMSUB", "fp_3src", P("000 11111 ftype:2 0 Rm:5 1 Ra:5 Rn:5 Rd:5"), fp_3src<false, true>,
     Feature::FP},
    {"FNMADD", "fp_3src", P("000 11111 ftype:2 1 Rm:5 0 Ra:5 Rn:5 Rd:5"), fp_3src<true, false>,
     Feature::FP},
    {"FNMSUB", "fp_3src", P("000 11111 ftype:2 1 Rm:5 1 Ra:5 Rn:5 Rd:5"), fp_3src<true, true>,
     Feature::FP},
    // 1-source
    {"FMOV_reg", "fp_1src", P("000 11110 ftype:2 1 000000 10000 Rn:5 Rd:5"), fp_1src<Op1::Mov>,
     Feature::FP},
    {"FABS_s", "fp_1src", P("000 11110 ftype:2 1 000001 10000 Rn:5 Rd:5"), fp_1src<Op1::Abs>,
     Feature::FP},
    {"FNEG_s", "fp_1src", P("000 11110 ftype:2 1 000010 10000 Rn:5 Rd:5"), fp_1src<Op1::Neg>,
     Feature::FP},
    {"FSQRT_s", "fp_1src", P("000 11110 ftype:2 1 000011 10000 Rn:5 Rd:5"), fp_1src<Op1::Sqrt>,
     Feature::FP},
    {"FCVT", "fp_1src", P("000 11110 ftype:2 1 0001 opc:2 10000 Rn:5 Rd:5"), fcvt, Feature::FP},
    {"FRINTN_s", "fp_1src", P("000 11110 ftype:2 1 001000 10000 Rn:5 Rd:5"), fp_rint<0, false>,
     Feature::FP},
    {"FRINTP_s", "fp_1src", P("000 11110 ftype:2 1 001001 10000 Rn:5 Rd:5"), fp_rint<1, false>,
     Feature::FP},
    {"FRINTM_s", "fp_1src", P("000 11110 ftype:2 1 001010 10000 Rn:5 Rd:5"), fp_rint<2, false>,
     Feature::FP},
    {"FRINTZ_s", "fp_1src", P("000 11110 ftype:2 1 001011 10000 Rn:5 Rd:5"), fp_rint<3, false>,
     Feature::FP},
    {"FRINTA_s", "fp_1src", P("000 11110 ftype:2 1 001100 10000 Rn:5 Rd:5"), fp_rint<4, false>,
     Feature::FP},
    {"FRINTX_s", "fp_1src", P("000 11110 ftype:2 1 001110 10000 Rn:5 Rd:5"), fp_rint<-1, true>,
     Feature::FP},
    {"FRINTI_s", "fp_1src", P("000 11110 ftype:2 1 001111 10000 Rn:5 Rd:5"), fp_rint<-1, false>,
     Feature::FP},
    // conditional select, immediate
    {"FCSEL", "fp_csel", P("000 11110 ftype:2 1 Rm:5 cond:4 11 Rn:5 Rd:5"), fcsel, Feature::FP},
    {"FMOV_imm", "fp_imm", P("000 11110 ftype:2 1 imm8:8 100 00000 Rd:5"), fmov_imm, Feature::FP},
};

} // namespace

std::span<const InsnDesc> fp_dp_insns() {
    return kInsns;
}

} // namespace kestrel::a64
