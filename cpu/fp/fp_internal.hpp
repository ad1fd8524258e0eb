// Building blocks shared by the softfloat files: FPUnpack, FPProcessNaN(s)
// and FPRound from the Arm ARM pseudocode, on integer mantissas.
#pragma once
#include "cpu/fp/softfloat.hpp"

#include <initializer_list>
#include <utility>

namespace kestrel::fp::detail {

using u128 = unsigned __int128;

enum class FpType : uint8_t { Zero, Denormal, Nonzero, Infinity, QNaN, SNaN };

// An unpacked operand. For Denormal and Nonzero the value is exactly
// sig * 2^(exp - 63) with bit 63 of sig set (so the value is 1.f * 2^exp).
struct Unpacked {
    FpType type;
    bool sign;
    int exp;
    uint64_t sig;
    bool is_nan() const { return type == FpType::QNaN || type == FpType::SNaN; }
    bool is_inf() const { return type == FpType::Infinity; }
    bool is_zero() const { return type == FpType::Zero; }
};

template <class T> constexpr Bits<T> frac_mask() {
    return static_cast<Bits<T>>((Bits<T>(1) << T::F) - 1);
}
template <class T> constexpr unsigned exp_max() {
    return (1u << T::E) - 1;
}
template <class T> constexpr Bits<T> quiet_bit() {
    return static_cast<Bits<T>>(Bits<T>(1) << (T::F - 1));
}
template <class T> constexpr Bits<T> infinity(bool sign) {
    return static_cast<Bits<T>>((sign ? sign_mask<T>() : 0) | (Bits<T>(exp_max<T>()) << T::F));
}
template <class T> constexpr Bits<T> zero(bool sign) {
    return sign ? sign_mask<T>() : Bits<T>(0);
}
template <class T> constexpr Bits<T> max_normal(bool sign) {
    return static_cast<Bits<T>>(infinity<T>(sign) - 1);
}
template <class T> constexpr int min_exp() {
    return 1 - T::Bias;
}

// Which FPCR view applies: arithmetic (AHP ignored, FZ16 for half) or the
// precision conversions (FPUnpackCV/FPRoundCV: FZ16 ignored, AHP used).
enum class Mode : uint8_t { Arith, Convert };

template <class T, Mode M = Mode::Arith> inline bool flush_enabled(const FpStatus& st) {
    if constexpr (T::N == 16)
        return M == Mode::Arith && (st.fpcr & kFpcrFZ16);
    else
        return st.fpcr & kFpcrFZ;
}
template <class T, Mode M> inline bool alt_half(const FpStatus& st) {
    return T::N == 16 && M == Mode::Convert && (st.fpcr & kFpcrAHP);
}

// FPUnpack / FPUnpackCV.
template <class T, Mode M = Mode::Arith> inline Unpacked unpack(Bits<T> v, FpStatus& st) {
    Unpacked u;
    u.sign = (v >> (T::N - 1)) & 1;
    unsigned e = static_cast<unsigned>((v >> T::F) & exp_max<T>());
    uint64_t f = static_cast<uint64_t>(v & frac_mask<T>());
    u.exp = 0;
    u.sig = 0;
    if (e == 0) {
        if (f == 0) {
            u.type = FpType::Zero;
        } else if (flush_enabled<T, M>(st)) {
            u.type = FpType::Zero;
            if constexpr (T::N != 16) st.exc |= kIDC; // half flushes without IDC
        } else {
            u.type = FpType::Denormal;
            int lz = __builtin_clzll(f);
            u.sig = f << lz;
            u.exp = min_exp<T>() - T::F + (63 - lz);
        }
    } else if (e == exp_max<T>() && !alt_half<T, M>(st)) {
        if (f == 0)
            u.type = FpType::Infinity;
        else
            u.type = (f >> (T::F - 1)) & 1 ? FpType::QNaN : FpType::SNaN;
    } else {
        u.type = FpType::Nonzero;
        u.exp = static_cast<int>(e) - T::Bias;
        u.sig = ((1ull << T::F) | f) << (63 - T::F);
    }
    return u;
}

// FPProcessNaN.
template <class T> inline Bits<T> process_nan(FpType type, Bits<T> op, FpStatus& st) {
    Bits<T> r = op;
    if (type == FpType::SNaN) {
        r = static_cast<Bits<T>>(r | quiet_bit<T>());
        st.exc |= kIOC;
    }
    return st.dn() ? default_nan<T>() : r;
}

// FPProcessNaNs: returns true (and the result) when either operand is a NaN.
template <class T>
inline bool process_nans(const Unpacked& a, const Unpacked& b, Bits<T> opa, Bits<T> opb,
                         FpStatus& st, Bits<T>& out) {
    if (a.type == FpType::SNaN) return out = process_nan<T>(a.type, opa, st), true;
    if (b.type == FpType::SNaN) return out = process_nan<T>(b.type, opb, st), true;
    if (a.type == FpType::QNaN) return out = process_nan<T>(a.type, opa, st), true;
    if (b.type == FpType::QNaN) return out = process_nan<T>(b.type, opb, st), true;
    return false;
}

inline uint64_t shift_right_jam(uint64_t v, int n) {
    if (n <= 0) return v;
    if (n >= 64) return v != 0;
    return (v >> n) | ((v & ((1ull << n) - 1)) != 0);
}

inline u128 shift_right_jam128(u128 v, int n) {
    if (n <= 0) return v;
    if (n >= 128) return v != 0;
    return (v >> n) | ((v & ((u128(1) << n) - 1)) != 0);
}

inline int clz128(u128 v) {
    uint64_t hi = static_cast<uint64_t>(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll(static_cast<uint64_t>(v));
}

// FPRoundBase for a nonzero real sig * 2^(exp - 63), bit 63 of sig set;
// bits below the format's precision act as guard and sticky bits.
template <class T, Mode M = Mode::Arith>
inline Bits<T> round_pack(bool sign, int exp, uint64_t sig, Rounding rm, FpStatus& st) {
    constexpr int F = T::F;
    if (flush_enabled<T, M>(st) && exp < min_exp<T>()) {
        st.exc |= kUFC; // flush-to-zero: Underflow, never Inexact
        return zero<T>(sign);
    }
    int biased = exp - min_exp<T>() + 1;
    if (biased <= 0) {
        sig = shift_right_jam(sig, 1 - biased);
        biased = 0;
    }
    constexpr int kShift = 63 - F;
    uint64_t mant = sig >> kShift;
    uint64_t rem = sig & ((1ull << kShift) - 1);
    constexpr uint64_t kHalf = 1ull << (kShift - 1);
    // Tininess is detected before rounding; Underflow needs inexactness.
    if (biased == 0 && rem != 0) st.exc |= kUFC;
    bool up, overflow_to_inf;
    switch (rm) {
    case Rounding::TieEven:
        up = rem > kHalf || (rem == kHalf && (mant & 1));
        overflow_to_inf = true;
        break;
    case Rounding::PosInf:
        up = rem != 0 && !sign;
        overflow_to_inf = !sign;
        break;
    case Rounding::NegInf:
        up = rem != 0 && sign;
        overflow_to_inf = sign;
        break;
    case Rounding::TieAway:
        up = rem >= kHalf;
        overflow_to_inf = true;
        break;
    default: // Zero and Odd truncate; Odd then forces the lowest bit (below)
        up = false;
        overflow_to_inf = false;
        break;
    }
    // Round to odd: an inexact result keeps a set lowest bit, so a later
    // rounding to a narrower format cannot double-round.
    if (rm == Rounding::Odd && rem != 0) mant |= 1;
    if (up) {
        mant++;
        if (mant == (1ull << F)) biased = 1; // rounded up from denormal to normal
        if (mant == (2ull << F)) {
            biased++;
            mant >>= 1;
        }
    }
    Bits<T> s = sign ? sign_mask<T>() : Bits<T>(0);
    if (alt_half<T, M>(st)) {
        if (biased >= (1 << T::E)) { // no infinity in the alternative format
            st.exc |= kIOC;
            return static_cast<Bits<T>>(s | ~sign_mask<T>());
        }
    } else if (biased >= static_cast<int>(exp_max<T>())) {
        st.exc |= kOFC | kIXC;
        return overflow_to_inf ? infinity<T>(sign) : max_normal<T>(sign);
    }
    if (rem != 0) st.exc |= kIXC;
    return static_cast<Bits<T>>(s | (Bits<T>(biased) << F) | (mant & frac_mask<T>()));
}

// FPRound for a nonzero real m * 2^scale.
template <class T, Mode M = Mode::Arith>
inline Bits<T> round_u128(bool sign, u128 m, int scale, Rounding rm, FpStatus& st) {
    int msb = 127 - clz128(m);
    uint64_t sig;
    if (msb >= 63)
        sig = static_cast<uint64_t>(shift_right_jam128(m, msb - 63));
    else
        sig = static_cast<uint64_t>(m) << (63 - msb);
    return round_pack<T, M>(sign, scale + msb, sig, rm, st);
}

// Sign of an exact zero sum: negative only when rounding towards minus infinity.
inline bool exact_zero_sign(Rounding rm) {
    return rm == Rounding::NegInf;
}

} // namespace kestrel::fp::detail
