// Bit-exact Arm floating point in software: IEEE 754 binary16/32/64 with
// the Arm ARM's rules for rounding, exception flags, NaN propagation,
// default NaN, flush-to-zero and the alternative half-precision format.
// Values travel as raw bit patterns; every function follows the pseudocode
// function named in its comment and accumulates FPSR cumulative flags in
// FpStatus::exc. No host floating point is used on any result path.
#pragma once
#include <cstdint>

namespace kestrel::fp {

// FPSR cumulative exception bits (also the FPCR trap-enable order).
enum : uint32_t {
    kIOC = 1u << 0, // invalid operation
    kDZC = 1u << 1, // divide by zero
    kOFC = 1u << 2, // overflow
    kUFC = 1u << 3, // underflow
    kIXC = 1u << 4, // inexact
    kIDC = 1u << 7, // input denormal
};

// FPCR control bits used by the arithmetic.
enum : uint32_t {
    kFpcrAHP = 1u << 26,
    kFpcrDN = 1u << 25,
    kFpcrFZ = 1u << 24,
    kFpcrRModeShift = 22,
    kFpcrFZ16 = 1u << 19,
};

// FPCR.RMode values 0..3 in their architectural order, plus ties-away
// (FCVTA*, FRINTA) and round-to-odd (FCVTXN), which no FPCR setting selects.
enum class Rounding : uint8_t {
    TieEven = 0,
    PosInf = 1,
    NegInf = 2,
    Zero = 3,
    TieAway = 4,
    Odd = 5
};

// The FPCR an operation runs under and the flags it raised.
struct FpStatus {
    uint32_t fpcr;
    uint32_t exc = 0;
    explicit FpStatus(uint32_t fpcr_value) : fpcr(fpcr_value) {}
    Rounding rounding() const { return static_cast<Rounding>((fpcr >> kFpcrRModeShift) & 3); }
    bool dn() const { return fpcr & kFpcrDN; }
};

// Format descriptions: N total bits, E exponent bits, F fraction bits.
struct Half {
    using Bits = uint16_t;
    static constexpr int N = 16, E = 5, F = 10, Bias = 15;
};
struct Single {
    using Bits = uint32_t;
    static constexpr int N = 32, E = 8, F = 23, Bias = 127;
};
struct Double {
    using Bits = uint64_t;
    static constexpr int N = 64, E = 11, F = 52, Bias = 1023;
};

template <class T> using Bits = typename T::Bits;

template <class T> constexpr Bits<T> sign_mask() {
    return static_cast<Bits<T>>(Bits<T>(1) << (T::N - 1));
}
template <class T> constexpr Bits<T> default_nan() {
    return static_cast<Bits<T>>(((Bits<T>(1) << (T::E + 1)) - 1) << (T::F - 1));
}
template <class T> constexpr Bits<T> neg(Bits<T> a) {
    return static_cast<Bits<T>>(a ^ sign_mask<T>());
}
template <class T> constexpr Bits<T> abs(Bits<T> a) {
    return static_cast<Bits<T>>(a & ~sign_mask<T>());
}

// --- arithmetic (FPAdd, FPSub, FPMul, FPDiv, FPMulAdd, FPSqrt, FPMulX) -----
template <class T> Bits<T> add(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> Bits<T> sub(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> Bits<T> mul(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> Bits<T> div(Bits<T> a, Bits<T> b, FpStatus& st);
// addend + op1 * op2 with a single rounding.
template <class T> Bits<T> mul_add(Bits<T> addend, Bits<T> op1, Bits<T> op2, FpStatus& st);
template <class T> Bits<T> sqrt(Bits<T> a, FpStatus& st);
// FMULX: like mul, but infinity times zero gives +/-2.0.
template <class T> Bits<T> mulx(Bits<T> a, Bits<T> b, FpStatus& st);

// --- comparison, minimum and maximum (FPCompare, FPMax, FPMin, FPMaxNum, FPMinNum)
// NZCV (as bits 3:0) of comparing a with b; signal_nans for FCMPE.
template <class T> unsigned compare(Bits<T> a, Bits<T> b, bool signal_nans, FpStatus& st);
template <class T> Bits<T> max(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> Bits<T> min(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> Bits<T> max_num(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> Bits<T> min_num(Bits<T> a, Bits<T> b, FpStatus& st);
// Vector compares (FPCompareEQ/GE/GT): true when the relation holds.
template <class T> bool compare_eq(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> bool compare_ge(Bits<T> a, Bits<T> b, FpStatus& st);
template <class T> bool compare_gt(Bits<T> a, Bits<T> b, FpStatus& st);

// --- conversions -------------------------------------------------------
// FPConvert (FCVT between precisions), rounding with the FPCR mode.
template <class From, class To> Bits<To> convert(Bits<From> a, FpStatus& st);
// FPConvert with an explicit rounding mode (FCVTXN: Rounding::Odd).
template <class From, class To> Bits<To> convert(Bits<From> a, Rounding r, FpStatus& st);
// FPRoundInt: rounds to an integral value in the same format; exact
// raises Inexact when the value changes (FRINTX).
template <class T> Bits<T> round_int(Bits<T> a, Rounding r, bool exact, FpStatus& st);
// FPToFixed: to a signed or unsigned integer of int_bits (32 or 64) with
// fbits fraction bits, saturating (and raising Invalid) when out of range.
// The result is zero-extended from int_bits.
template <class T>
uint64_t to_fixed(Bits<T> a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding r,
                  FpStatus& st);
// FixedToFP: from the low int_bits (32 or 64) of v, read as signed or
// unsigned with fbits fraction bits.
template <class T>
Bits<T> from_fixed(uint64_t v, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding r,
                   FpStatus& st);

// --- estimates and Newton-Raphson steps ---------------------------------
template <class T> Bits<T> recip_estimate(Bits<T> a, FpStatus& st);        // FRECPE
template <class T> Bits<T> rsqrt_estimate(Bits<T> a, FpStatus& st);        // FRSQRTE
template <class T> Bits<T> recip_step(Bits<T> a, Bits<T> b, FpStatus& st); // FRECPS: 2 - a*b
template <class T> Bits<T> rsqrt_step(Bits<T> a, Bits<T> b, FpStatus& st); // FRSQRTS: (3 - a*b)/2
template <class T> Bits<T> recpx(Bits<T> a, FpStatus& st);                 // FRECPX
// The 9-bit estimate tables of RecipEstimate and RecipSqrtEstimate.
unsigned recip_estimate_table(unsigned a); // a in [256, 512)
unsigned rsqrt_estimate_table(unsigned a); // a in [128, 512)

// VFPExpandImm: the FMOV (immediate) 8-bit encoding expanded to format T.
template <class T> constexpr Bits<T> expand_imm(uint8_t imm8) {
    constexpr int E = T::E, F = T::F;
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1;
    uint64_t exp =
        ((b6 ^ 1) << (E - 1)) | ((b6 ? ((1ull << (E - 3)) - 1) : 0) << 2) | ((imm8 >> 4) & 3);
    uint64_t frac = static_cast<uint64_t>(imm8 & 0xf) << (F - 4);
    return static_cast<Bits<T>>((sign << (T::N - 1)) | (exp << F) | frac);
}

} // namespace kestrel::fp
