// Conversions between floating point and integers (FCVT[NPMZA][SU],
// SCVTF, UCVTF, with fixed-point forms) and FMOV (general).
#include "cpu/a64/fp_util.hpp"
#include "cpu/a64/groups.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;
using fp::Rounding;

constexpr int kFpcrMode = -1;

void write_int(Cpu& c, unsigned rd, uint64_t v, bool is64) {
    c.set_xr(rd, is64 ? v : static_cast<uint32_t>(v));
}

// FP -> integer. rmode < 0: the FPCR mode. fixed: bits 15:10 hold scale.
template <int rmode, bool is_unsigned, bool fixed> void fcvt_to_int(Cpu& c, uint32_t i) {
    bool is64 = bit(i, 31);
    unsigned fbits = 0;
    if (fixed) {
        unsigned scale = bits(i, 10, 6);
        if (!is64 && scale < 32) c.undefined();
        fbits = 64 - scale;
    }
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5));
        FpScope s(c);
        Rounding rm = rmode < 0 ? s.st.rounding() : static_cast<Rounding>(rmode);
        write_int(c, bits(i, 0, 5),
                  fp::to_fixed<T>(a, fbits, is_unsigned, is64 ? 64 : 32, rm, s.st), is64);
    });
}

// Integer -> FP (SCVTF/UCVTF), rounding with the FPCR mode.
template <bool is_unsigned, bool fixed> void cvtf(Cpu& c, uint32_t i) {
    bool is64 = bit(i, 31);
    unsigned fbits = 0;
    if (fixed) {
        unsigned scale = bits(i, 10, 6);
        if (!is64 && scale < 32) c.undefined();
        fbits = 64 - scale;
    }
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        uint64_t v = c.xr(bits(i, 5, 5));
        FpScope s(c);
        vwrite<T>(c, bits(i, 0, 5),
                  fp::from_fixed<T>(v, fbits, is_unsigned, is64 ? 64 : 32, s.st.rounding(), s.st));
    });
}

// FMOV between general and FP registers: sf:type:rmode pick the width;
// opcode bit 16 selects general -> FP.
void fmov_gen(Cpu& c, uint32_t i) {
    unsigned sf = bit(i, 31), type = bits(i, 22, 2), rmode = bits(i, 19, 2);
    bool to_fp = bit(i, 16);
    unsigned rd = bits(i, 0, 5), rn = bits(i, 5, 5);
    enum { W_S, W_H, X_H, X_D, X_D1 } form;
    if (sf == 0 && type == 0 && rmode == 0)
        form = W_S;
    else if (sf == 0 && type == 3 && rmode == 0)
        form = W_H;
    else if (sf == 1 && type == 3 && rmode == 0)
        form = X_H;
    else if (sf == 1 && type == 1 && rmode == 0)
        form = X_D;
    else if (sf == 1 && type == 2 && rmode == 1)
        form = X_D1;
    else
        c.undefined();
    if ((form == W_H || form == X_H) && !c.model.has(Feature::FP16)) c.undefined();
    c.check_fp_enabled();
    if (to_fp) {
        uint64_t v = c.xr(rn);
        switch (form) {
        case W_S: vwrite<fp::Single>(c, rd, static_cast<uint32_t>(v)); break;
        case W_H:
        case X_H: vwrite<fp::Half>(c, rd, static_cast<uint16_t>(v)); break;
        case X_D: vwrite<fp::Double>(c, rd, v); break;
        case X_D1: c.s.v[rd].hi = v; break; // the low half is kept
        }
    } else {
        uint64_t v;
        switch (form) {
        case W_S: v = static_cast<uint32_t>(c.s.v[rn].lo); break;
        case W_H:
        case X_H: v = static_cast<uint16_t>(c.s.v[rn].lo); break;
        case X_D: v = c.s.v[rn].lo; break;
        case X_D1: v = c.s.v[rn].hi; break;
        }
        c.set_xr(rd, v);
    }
}

#define CVT_INT(name, rmode_bits, opc, fn)                                                         \
    {                                                                                              \
        name, "fp_int", P("sf:1 00 11110 ftype:2 1 " rmode_bits " " opc " 000000 Rn:5 Rd:5"), fn,  \
            Feature::FP                                                                            \
    }

constexpr InsnDesc kInsns[] = {
    CVT_INT("FCVTNS", "00", "000", (fcvt_to_int<0, false, false>)),
    CVT_INT("FCVTNU", "00", "001", (fcvt_to_int<0, true, false>)),
    CVT_INT("SCVTF_int", "00", "010", (cvtf<false, false>)),
    CVT_INT("UCVTF_int", "00", "011", (cvtf<true, false>)),
    CVT_INT("FCVTAS", "00", "100", (fcvt_to_int<4, false, false>)),
    CVT_INT("FCVTAU", "00", "101", (fcvt_to_int<4, true, false>)),
    CVT_INT("FCVTPS", "01", "000", (fcvt_to_int<1, false, false>)),
    CVT_INT("FCVTPU", "01", "001", (fcvt_to_int<1, true, false>)),
    CVT_INT("FCVTMS", "10", "000", (fcvt_to_int<2, false, false>)),
    CVT_INT("FCVTMU", "10", "001", (fcvt_to_int<2, true, false>)),
    CVT_INT("FCVTZS_int", "11", "000", (fcvt_to_int<3, false, false>)),
    CVT_INT("FCVTZU_int", "11", "001", (fcvt_to_int<3, true, false>)),
    {"FMOV_gen", "fp_int", P("sf:1 00 11110 ftype:2 1 0 rmode:1 11 op:1 000000 Rn:5 Rd:5"),
     fmov_gen, Feature::FP},
    {"SCVTF_fix", "fp_fixed", P("sf:1 00 11110 ftype:2 0 00 010 scale:6 Rn:5 Rd:5"),
     cvtf<false, true>, Feature::FP},
    {"UCVTF_fix", "fp_fixed", P("sf:1 00 11110 ftype:2 0 00 011 scale:6 Rn:5 Rd:5"),
     cvtf<true, true>, Feature::FP},
    {"FCVTZS_fix", "fp_fixed", P("sf:1 00 11110 ftype:2 0 11 000 scale:6 Rn:5 Rd:5"),
     fcvt_to_int<3, false, true>, Feature::FP},
    {"FCVTZU_fix", "fp_fixed", P("sf:1 00 11110 ftype:2 0 11 001 scale:6 Rn:5 Rd:5"),
     fcvt_to_int<3, true, true>, Feature::FP},
};

} // namespace

std::span<const InsnDesc> fp_convert_insns() {
    return kInsns;
}

} // namespace kestrel::a64
