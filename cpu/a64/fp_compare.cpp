// Scalar floating-point compares that set NZCV: FCMP, FCMPE (with a
// register or zero), FCCMP and FCCMPE.
#include "cpu/a64/fp_util.hpp"
#include "cpu/a64/groups.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;

// FCMP/FCMPE: bit 3 compares with +0.0, bit 4 signals on quiet NaNs.
void fcmp(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5));
        Bits<T> b = bit(i, 3) ? Bits<T>(0) : vread<T>(c, bits(i, 16, 5));
        FpScope s(c);
        c.s.nzcv = fp::compare<T>(a, b, bit(i, 4), s.st) << 28;
    });
}

// FCCMP/FCCMPE: compare when the condition holds, else take the immediate.
void fccmp(Cpu& c, uint32_t i) {
    with_ftype(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        if (!cond_holds(c.s.nzcv, bits(i, 12, 4))) {
            c.s.nzcv = bits(i, 0, 4) << 28;
            return;
        }
        Bits<T> a = vread<T>(c, bits(i, 5, 5)), b = vread<T>(c, bits(i, 16, 5));
        FpScope s(c);
        c.s.nzcv = fp::compare<T>(a, b, bit(i, 4), s.st) << 28;
    });
}

constexpr InsnDesc kInsns[] = {
    {"FCMP", "fp_cmp", P("000 11110 ftype:2 1 Rm:5 001000 Rn:5 0 zero:1 000"), fcmp, Feature::FP},
    {"FCMPE", "fp_cmp", P("000 11110 ftype:2 1 Rm:5 001000 Rn:5 1 zero:1 000"), fcmp, Feature::FP},
    {"FCCMP", "fp_ccmp", P("000 11110 ftype:2 1 Rm:5 cond:4 01 Rn:5 0 nzcv:4"), fccmp, Feature::FP},
    {"FCCMPE", "fp_ccmp", P("000 11110 ftype:2 1 Rm:5 cond:4 01 Rn:5 1 nzcv:4"), fccmp,
     Feature::FP},
};

} // namespace

std::span<const InsnDesc> fp_compare_insns() {
    return kInsns;
}

} // namespace kestrel::a64
