// Integer lane operations shared by several Advanced SIMD groups: shifts
// with rounding and saturation, truncating multiply, carry-less multiply.
#pragma once
#include "cpu/a64/simd_util.hpp"

namespace kestrel::a64 {

// Low esize bits of a*b without signed-overflow pitfalls of promotion.
template <typename T> inline T mul_lo(T a, T b) {
    return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// Polynomial (carry-less) multiplication over GF(2).
inline unsigned __int128 clmul64(uint64_t a, uint64_t b) {
    unsigned __int128 r = 0;
    for (unsigned k = 0; k < 64; k++)
        if ((b >> k) & 1) r ^= static_cast<unsigned __int128>(a) << k;
    return r;
}

// Shift of an exact value right by n (n >= 1) with optional rounding.
inline __int128 shift_right_exact(__int128 v, unsigned n, bool round) {
    if (round) {
        // v fits in 65 bits, so (v + 2^(n-1)) >> n is 0 for large n.
        if (n > 66) return 0;
        return (v + (static_cast<__int128>(1) << (n - 1))) >> n;
    }
    return v >> (n > 120 ? 120 : n);
}

// SSHL/USHL/SRSHL/URSHL/SQSHL/UQSHL/SQRSHL/UQRSHL lane: shift by a signed
// byte count, negative meaning right.
template <typename T>
inline T shift_by_reg(T a, int8_t sh, bool is_unsigned, bool round, bool saturating, bool& sat) {
    constexpr int esize = sizeof(T) * 8;
    const int shift = sh;
    const __int128 v = ival(a, is_unsigned);
    if (shift >= 0) {
        if (!saturating)
            return shift >= esize ? T{0} : static_cast<T>(static_cast<uint64_t>(a) << shift);
        if (v == 0) return 0;
        if (shift >= esize) // any non-zero value overflows
            return sat_to<T>(v < 0 ? -(static_cast<__int128>(1) << 100)
                                   : (static_cast<__int128>(1) << 100),
                             is_unsigned, sat);
        return sat_to<T>(v << shift, is_unsigned, sat);
    }
    const __int128 r = shift_right_exact(v, static_cast<unsigned>(-shift), round);
    return saturating ? sat_to<T>(r, is_unsigned, sat) : static_cast<T>(r);
}

} // namespace kestrel::a64
