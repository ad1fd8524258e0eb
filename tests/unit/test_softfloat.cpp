// Known answers for the software FP library: IEEE 754 results (correctly
// rounded values, special cases) and Arm-specific rules from the Arm ARM
// pseudocode (NaN precedence, default NaN, flush-to-zero, tininess before
// rounding, saturating conversions, estimate tables).
#include "cpu/fp/softfloat.hpp"

#include <doctest/doctest.h>

using namespace kestrel::fp;

namespace {

constexpr uint32_t kRN = 0u << 22, kRP = 1u << 22, kRM = 2u << 22, kRZ = 3u << 22;

// Runs f under the given FPCR; returns the result and the flags through out.
template <class F> auto run(uint32_t fpcr, uint32_t& flags, F f) {
    FpStatus st(fpcr);
    auto r = f(st);
    flags = st.exc;
    return r;
}

constexpr uint32_t kOne = 0x3f800000, kTwo = 0x40000000, kThree = 0x40400000;
constexpr uint32_t kFltMax = 0x7f7fffff, kFltMin = 0x00800000;
constexpr uint32_t kQNaN2 = 0x7fc00002, kSNaN1 = 0x7f800001;

} // namespace

TEST_CASE("1/3 in each rounding mode (single)") {
    uint32_t fl;
    auto div = [&](uint32_t mode, uint32_t a) {
        return run(mode, fl, [&](FpStatus& st) { return kestrel::fp::div<Single>(a, kThree, st); });
    };
    CHECK(div(kRN, kOne) == 0x3eaaaaabu);
    CHECK(fl == kIXC);
    CHECK(div(kRZ, kOne) == 0x3eaaaaaau);
    CHECK(div(kRM, kOne) == 0x3eaaaaaau);
    CHECK(div(kRP, kOne) == 0x3eaaaaabu);
    // Negative: directed modes swap.
    CHECK(div(kRP, kOne | 0x80000000u) == 0xbeaaaaaau);
    CHECK(div(kRM, kOne | 0x80000000u) == 0xbeaaaaabu);
    // Exact quotient raises nothing.
    CHECK(div(kRN, 0x40c00000u /* 6 */) == kTwo);
    CHECK(fl == 0);
}

TEST_CASE("double: 0.1 + 0.2 and 1/3") {
    uint32_t fl;
    uint64_t r = run(kRN, fl, [](FpStatus& st) {
        return add<Double>(0x3fb999999999999aull, 0x3fc999999999999aull, st);
    });
    CHECK(r == 0x3fd3333333333334ull); // 0.30000000000000004
    CHECK(fl == kIXC);
    r = run(kRN, fl, [](FpStatus& st) {
        return div<Double>(0x3ff0000000000000ull, 0x4008000000000000ull, st);
    });
    CHECK(r == 0x3fd5555555555555ull);
    r = run(kRP, fl, [](FpStatus& st) {
        return div<Double>(0x3ff0000000000000ull, 0x4008000000000000ull, st);
    });
    CHECK(r == 0x3fd5555555555556ull);
}

TEST_CASE("overflow: infinity or the largest normal by rounding mode") {
    uint32_t fl;
    auto mul2 = [&](uint32_t mode, uint32_t a) {
        return run(mode, fl, [&](FpStatus& st) { return mul<Single>(a, kTwo, st); });
    };
    CHECK(mul2(kRN, kFltMax) == 0x7f800000u);
    CHECK(fl == (kOFC | kIXC));
    CHECK(mul2(kRZ, kFltMax) == kFltMax);
    CHECK(mul2(kRM, kFltMax) == kFltMax);
    CHECK(mul2(kRP, kFltMax) == 0x7f800000u);
    CHECK(mul2(kRP, kFltMax | 0x80000000u) == 0xff7fffffu);
    CHECK(mul2(kRM, kFltMax | 0x80000000u) == 0xff800000u);
}

TEST_CASE("subnormal results, underflow and flush-to-zero") {
    uint32_t fl;
    auto mul_ = [&](uint32_t fpcr, uint32_t a, uint32_t b) {
        return run(fpcr, fl, [&](FpStatus& st) { return mul<Single>(a, b, st); });
    };
    // Exact subnormal: no Underflow (it needs inexactness), no Inexact.
    CHECK(mul_(kRN, kFltMin, 0x3f000000u /* 0.5 */) == 0x00400000u);
    CHECK(fl == 0);
    // Inexact subnormal tie rounds to even: Underflow and Inexact.
    CHECK(mul_(kRN, 0x00800001u, 0x3f000000u) == 0x00400000u);
    CHECK(fl == (kUFC | kIXC));
    // 2^-126 - 2^-150 rounds up to the smallest normal; Arm detects
    // tininess before rounding, so Underflow is still raised.
    CHECK(mul_(kRN, kFltMin, 0x3f7fffffu) == kFltMin);
    CHECK(fl == (kUFC | kIXC));
    // FZ: a tiny result becomes zero with Underflow and no Inexact, even
    // when rounding would have reached the smallest normal.
    CHECK(mul_(kRN | kFpcrFZ, kFltMin, 0x3f000000u) == 0u);
    CHECK(fl == kUFC);
    CHECK(mul_(kRN | kFpcrFZ, kFltMin | 0x80000000u, 0x3f7fffffu) == 0x80000000u);
    CHECK(fl == kUFC);
    // FZ: denormal inputs read as zero and raise Input Denormal.
    CHECK(mul_(kRN | kFpcrFZ, 0x00000001u, kTwo) == 0u);
    CHECK(fl == kIDC);
    uint32_t r = run(kRN | kFpcrFZ, fl,
                     [](FpStatus& st) { return add<Single>(0x80000010u, 0x80000000u, st); });
    CHECK(r == 0x80000000u); // -0 + -0
    CHECK(fl == kIDC);
    // Without FZ the denormal is used as it is.
    r = run(kRN, fl, [](FpStatus& st) { return add<Single>(0x00000001u, 0x00000001u, st); });
    CHECK(r == 0x00000002u);
    CHECK(fl == 0);
}

TEST_CASE("exact zero sums take their sign from the rounding mode") {
    uint32_t fl;
    CHECK(run(kRN, fl, [](FpStatus& st) { return sub<Single>(kOne, kOne, st); }) == 0u);
    CHECK(run(kRM, fl, [](FpStatus& st) { return sub<Single>(kOne, kOne, st); }) == 0x80000000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return add<Single>(0x80000000u, 0x80000000u, st); }) ==
          0x80000000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return add<Single>(0x80000000u, 0u, st); }) == 0u);
}

TEST_CASE("NaN propagation: signalling first, then operand order; default NaN") {
    uint32_t fl;
    CHECK(run(kRN, fl, [](FpStatus& st) { return add<Single>(kQNaN2, kSNaN1, st); }) ==
          0x7fc00001u);
    CHECK(fl == kIOC);
    CHECK(run(kRN, fl, [](FpStatus& st) { return add<Single>(0x7fc00005u, kQNaN2, st); }) ==
          0x7fc00005u);
    CHECK(fl == 0);
    CHECK(run(kRN, fl, [](FpStatus& st) { return mul<Single>(kOne, 0xffc00007u, st); }) ==
          0xffc00007u);
    // FPCR.DN replaces every NaN result with the default NaN.
    CHECK(run(kRN | kFpcrDN, fl, [](FpStatus& st) { return add<Single>(kQNaN2, kOne, st); }) ==
          0x7fc00000u);
    CHECK(run(kRN | kFpcrDN, fl, [](FpStatus& st) { return add<Single>(kSNaN1, kOne, st); }) ==
          0x7fc00000u);
    CHECK(fl == kIOC);
    // Invalid operations produce the default NaN.
    CHECK(run(kRN, fl, [](FpStatus& st) { return mul<Single>(0u, 0x7f800000u, st); }) ==
          0x7fc00000u);
    CHECK(fl == kIOC);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return sub<Double>(0x7ff0000000000000ull, 0x7ff0000000000000ull, st);
          }) == 0x7ff8000000000000ull);
    CHECK(run(kRN, fl, [](FpStatus& st) { return kestrel::fp::sqrt<Single>(0xbf800000u, st); }) ==
          0x7fc00000u);
    CHECK(fl == kIOC);
    // Three operands: the addend comes first.
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return mul_add<Single>(0x7fc00003u, kSNaN1, 0x7f800002u, st);
          }) == 0x7fc00001u);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return mul_add<Single>(0x7fc00003u, 0x7fc00004u, kOne, st);
          }) == 0x7fc00003u);
    // A quiet NaN addend with infinity times zero: default NaN and Invalid.
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return mul_add<Single>(0x7fc00003u, 0u, 0x7f800000u, st);
          }) == 0x7fc00000u);
    CHECK(fl == kIOC);
}

TEST_CASE("division by zero and square roots") {
    uint32_t fl;
    CHECK(run(kRN, fl, [](FpStatus& st) { return div<Single>(0xbf800000u, 0u, st); }) ==
          0xff800000u);
    CHECK(fl == kDZC);
    CHECK(run(kRN, fl, [](FpStatus& st) { return div<Single>(0x7f800000u, 0u, st); }) ==
          0x7f800000u);
    CHECK(fl == 0);
    CHECK(run(kRN, fl, [](FpStatus& st) { return kestrel::fp::sqrt<Single>(kTwo, st); }) ==
          0x3fb504f3u);
    CHECK(fl == kIXC);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return kestrel::fp::sqrt<Double>(0x4010000000000000ull, st);
          }) == 0x4000000000000000ull); // sqrt(4) = 2 exactly
    CHECK(fl == 0);
    CHECK(run(kRN, fl, [](FpStatus& st) { return kestrel::fp::sqrt<Single>(0x80000000u, st); }) ==
          0x80000000u);
}

TEST_CASE("fused multiply-add rounds once") {
    uint32_t fl;
    // (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly; a separate multiply
    // would round the product to 1 and give 0.
    uint32_t fused = run(kRN, fl, [](FpStatus& st) {
        return mul_add<Single>(0xbf800000u, 0x3f800001u, 0x3f7ffffeu, st);
    });
    CHECK(fused == 0xa8800000u);
    CHECK(fl == 0);
    uint32_t p =
        run(kRN, fl, [](FpStatus& st) { return mul<Single>(0x3f800001u, 0x3f7ffffeu, st); });
    CHECK(p == kOne);
    CHECK(run(kRN, fl, [&](FpStatus& st) { return add<Single>(p, 0xbf800000u, st); }) == 0u);
}

TEST_CASE("minimum and maximum") {
    uint32_t fl;
    CHECK(run(kRN, fl,
              [](FpStatus& st) { return kestrel::fp::max<Single>(0x80000000u, 0u, st); }) == 0u);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return kestrel::fp::min<Single>(0u, 0x80000000u, st);
          }) == 0x80000000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return kestrel::fp::max<Single>(kQNaN2, kOne, st); }) ==
          kQNaN2);
    CHECK(run(kRN, fl, [](FpStatus& st) { return max_num<Single>(kQNaN2, kOne, st); }) == kOne);
    CHECK(run(kRN, fl, [](FpStatus& st) { return min_num<Single>(0xbf800000u, kQNaN2, st); }) ==
          0xbf800000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return max_num<Single>(kSNaN1, kOne, st); }) ==
          0x7fc00001u);
    CHECK(fl == kIOC);
}

TEST_CASE("compares give NZCV") {
    uint32_t fl;
    CHECK(run(kRN, fl, [](FpStatus& st) { return compare<Single>(kOne, kTwo, false, st); }) ==
          0b1000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return compare<Single>(kTwo, kOne, false, st); }) ==
          0b0010u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return compare<Single>(0u, 0x80000000u, false, st); }) ==
          0b0110u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return compare<Single>(kQNaN2, kOne, false, st); }) ==
          0b0011u);
    CHECK(fl == 0);
    CHECK(run(kRN, fl, [](FpStatus& st) { return compare<Single>(kQNaN2, kOne, true, st); }) ==
          0b0011u);
    CHECK(fl == kIOC);
    CHECK(run(kRN, fl, [](FpStatus& st) { return compare<Single>(kSNaN1, kOne, false, st); }) ==
          0b0011u);
    CHECK(fl == kIOC);
}

TEST_CASE("float to integer: rounding modes, saturation, Invalid") {
    uint32_t fl;
    auto cvt = [&](uint32_t a, Rounding r, bool u, unsigned bits_) {
        return run(kRN, fl, [&](FpStatus& st) { return to_fixed<Single>(a, 0, u, bits_, r, st); });
    };
    const uint32_t k2p5 = 0x40200000, km2p5 = 0xc0200000;
    CHECK(cvt(k2p5, Rounding::TieEven, false, 32) == 2u);
    CHECK(fl == kIXC);
    CHECK(cvt(k2p5, Rounding::TieAway, false, 32) == 3u);
    CHECK(cvt(km2p5, Rounding::TieAway, false, 32) == 0xfffffffdu);
    CHECK(cvt(km2p5, Rounding::NegInf, false, 32) == 0xfffffffdu);
    CHECK(cvt(km2p5, Rounding::PosInf, false, 32) == 0xfffffffeu);
    CHECK(cvt(km2p5, Rounding::Zero, false, 64) == 0xfffffffffffffffeull);
    // 3e9 and -3e9 saturate a 32-bit signed result.
    CHECK(cvt(0x4f32d05eu, Rounding::Zero, false, 32) == 0x7fffffffu);
    CHECK(fl == kIOC);
    CHECK(cvt(0xcf32d05eu, Rounding::Zero, false, 32) == 0x80000000u);
    CHECK(fl == kIOC);
    // -2^31 fits exactly.
    CHECK(cvt(0xcf000000u, Rounding::Zero, false, 32) == 0x80000000u);
    CHECK(fl == 0);
    CHECK(cvt(0x7fc00000u, Rounding::Zero, false, 64) == 0u);
    CHECK(fl == kIOC);
    CHECK(cvt(0xff800000u, Rounding::Zero, false, 64) == 0x8000000000000000ull);
    // Unsigned: negative values saturate to 0 unless they round to 0.
    CHECK(cvt(0xbf800000u, Rounding::Zero, true, 32) == 0u);
    CHECK(fl == kIOC);
    CHECK(cvt(0xbf000000u, Rounding::Zero, true, 32) == 0u);
    CHECK(fl == kIXC);
    CHECK(cvt(0x4f800000u /* 2^32 */, Rounding::Zero, true, 32) == 0xffffffffu);
    CHECK(fl == kIOC);
    // Fixed point: 1.5 with 4 fraction bits is 24.
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return to_fixed<Double>(0x3ff8000000000000ull, 4, false, 32, Rounding::Zero, st);
          }) == 24u);
}

TEST_CASE("integer to float") {
    uint32_t fl;
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return from_fixed<Double>(~0ull, 0, true, 64, Rounding::TieEven, st);
          }) == 0x43f0000000000000ull); // 2^64
    CHECK(fl == kIXC);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return from_fixed<Double>(0x8000000000000000ull, 0, false, 64, Rounding::TieEven, st);
          }) == 0xc3e0000000000000ull); // -2^63
    CHECK(fl == 0);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return from_fixed<Single>(0xffffffffull, 0, false, 32, Rounding::TieEven, st);
          }) == 0xbf800000u); // W = -1
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return from_fixed<Single>(0x16777217ull, 0, true, 32, Rounding::Zero, st);
          }) == 0x4db3bb90u); // 376926743 truncated to 24 bits: 376926720
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return from_fixed<Single>(3, 1, false, 64, Rounding::TieEven, st);
          }) == 0x3fc00000u); // 3 / 2
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return from_fixed<Single>(0, 7, false, 64, Rounding::TieEven, st);
          }) == 0u);
}

TEST_CASE("round to integral") {
    uint32_t fl;
    auto ri = [&](uint32_t a, Rounding r, bool exact) {
        return run(kRN, fl, [&](FpStatus& st) { return round_int<Single>(a, r, exact, st); });
    };
    CHECK(ri(0x40200000u, Rounding::TieEven, false) == kTwo); // 2.5 -> 2
    CHECK(fl == 0);
    CHECK(ri(0x40200000u, Rounding::TieAway, false) == kThree);
    CHECK(ri(0xbf000000u, Rounding::TieAway, false) == 0xbf800000u); // -0.5 -> -1
    CHECK(ri(0xbf000000u, Rounding::Zero, false) == 0x80000000u);    // -0.5 -> -0
    CHECK(ri(0x3fc00000u, Rounding::TieEven, true) == kTwo);         // FRINTX 1.5
    CHECK(fl == kIXC);
    CHECK(ri(0x4b800001u, Rounding::TieEven, true) == 0x4b800001u); // already integral
    CHECK(fl == 0);
    CHECK(ri(0x3f000001u, Rounding::PosInf, false) == kOne);
    CHECK(ri(0xbf000001u, Rounding::PosInf, false) == 0x80000000u);
}

TEST_CASE("precision conversions, NaNs and the alternative half format") {
    uint32_t fl;
    CHECK(run(kRN, fl, [](FpStatus& st) { return convert<Single, Half>(kOne, st); }) == 0x3c00u);
    // 65520 is halfway between 65504 (largest half) and 65536: ties to even overflows.
    CHECK(run(kRN, fl, [](FpStatus& st) { return convert<Single, Half>(0x477ff000u, st); }) ==
          0x7c00u);
    CHECK(fl == (kOFC | kIXC));
    CHECK(run(kRZ, fl, [](FpStatus& st) { return convert<Single, Half>(0x477ff000u, st); }) ==
          0x7bffu);
    // AHP: exponent 31 holds numbers; no infinities or NaNs.
    CHECK(run(kRN | kFpcrAHP, fl,
              [](FpStatus& st) { return convert<Single, Half>(0x477ff000u, st); }) == 0x7c00u);
    CHECK(fl == kIXC);
    CHECK(run(kRN | kFpcrAHP, fl,
              [](FpStatus& st) { return convert<Single, Half>(0x7f800000u, st); }) == 0x7fffu);
    CHECK(fl == kIOC);
    CHECK(run(kRN | kFpcrAHP, fl,
              [](FpStatus& st) { return convert<Single, Half>(0xffc00000u, st); }) == 0x8000u);
    CHECK(fl == kIOC);
    CHECK(run(kRN | kFpcrAHP, fl,
              [](FpStatus& st) { return convert<Half, Single>(0x7c00u, st); }) == 0x47800000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return convert<Half, Single>(0x7c00u, st); }) ==
          0x7f800000u);
    // NaN payloads keep their top bits; signalling NaNs are quieted.
    CHECK(run(kRN, fl, [](FpStatus& st) { return convert<Half, Single>(0x7c01u, st); }) ==
          0x7fc02000u);
    CHECK(fl == kIOC);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return convert<Double, Single>(0x7ff0000000000001ull, st);
          }) == 0x7fc00000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return convert<Single, Double>(0xffc00001u, st); }) ==
          0xfff8000020000000ull);
    // Half denormals convert exactly: 2^-24.
    CHECK(run(kRN | kFpcrFZ, fl, [](FpStatus& st) { return convert<Half, Single>(0x0001u, st); }) ==
          0x33800000u);
    CHECK(fl == 0);
}

TEST_CASE("reciprocal and reciprocal square root estimates") {
    uint32_t fl;
    // RecipEstimate/RecipSqrtEstimate table values.
    CHECK(recip_estimate_table(256) == 511u);
    CHECK(recip_estimate_table(511) == 256u);
    CHECK(rsqrt_estimate_table(128) == 511u);
    CHECK(rsqrt_estimate_table(256) == 361u); // 1/sqrt(0.5) * 256
    CHECK(run(kRN, fl, [](FpStatus& st) { return recip_estimate<Single>(kOne, st); }) ==
          0x3f7f8000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return recip_estimate<Single>(kThree, st); }) ==
          0x3eaa8000u);
    CHECK(run(kRN, fl, [](FpStatus& st) {
              return recip_estimate<Double>(0x3ff0000000000000ull, st);
          }) == 0x3feff00000000000ull);
    CHECK(run(kRN, fl, [](FpStatus& st) { return rsqrt_estimate<Single>(kOne, st); }) ==
          0x3f7f8000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return rsqrt_estimate<Single>(kTwo, st); }) ==
          0x3f348000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return rsqrt_estimate<Single>(0x40800000u, st); }) ==
          0x3eff8000u);
    CHECK(run(kRN, fl, [](FpStatus& st) { return recip_estimate<Single>(0x80000000u, st); }) ==
          0xff800000u);
    CHECK(fl == kDZC);
    CHECK(run(kRN, fl, [](FpStatus& st) { return rsqrt_estimate<Single>(0xbf800000u, st); }) ==
          0x7fc00000u);
    CHECK(fl == kIOC);
    // A reciprocal too large to represent overflows by rounding mode.
    CHECK(run(kRZ, fl, [](FpStatus& st) { return recip_estimate<Single>(0x00000001u, st); }) ==
          kFltMax);
    CHECK(fl == (kOFC | kIXC));
    CHECK(run(kRN | kFpcrFZ, fl,
              [](FpStatus& st) { return recip_estimate<Single>(0x7f000000u, st); }) == 0u);
    CHECK(fl == kUFC);
    // FRECPX: exponent inverted, fraction cleared.
    CHECK(run(kRN, fl, [](FpStatus& st) { return recpx<Single>(kThree, st); }) == kOne);
    CHECK(run(kRN, fl, [](FpStatus& st) { return recpx<Single>(0x80000001u, st); }) == 0xff000000u);
    // Steps: 2 - a*b and (3 - a*b)/2; infinity times zero gives 2 or 1.5.
    CHECK(run(kRN, fl, [](FpStatus& st) { return recip_step<Single>(kOne, kOne, st); }) == kOne);
    CHECK(run(kRN, fl, [](FpStatus& st) { return recip_step<Single>(0x7f800000u, 0u, st); }) ==
          kTwo);
    CHECK(run(kRN, fl, [](FpStatus& st) { return rsqrt_step<Single>(kOne, kOne, st); }) == kOne);
    CHECK(run(kRN, fl, [](FpStatus& st) { return rsqrt_step<Single>(0u, 0xff800000u, st); }) ==
          0x3fc00000u);
}

TEST_CASE("VFPExpandImm") {
    CHECK(expand_imm<Single>(0x70) == kOne);
    CHECK(expand_imm<Single>(0x00) == kTwo);
    CHECK(expand_imm<Single>(0xf0) == 0xbf800000u);
    CHECK(expand_imm<Double>(0x70) == 0x3ff0000000000000ull);
    CHECK(expand_imm<Double>(0x04) == 0x4004000000000000ull); // 1.25 * 2
    CHECK(expand_imm<Half>(0x70) == 0x3c00u);
    CHECK(expand_imm<Single>(0x7f) == 0x3ff80000u); // 1.9375
}
