// FPRecipEstimate, FPRSqrtEstimate, FPRecipStepFused, FPRSqrtStepFused and
// FPRecpX, following the Arm ARM pseudocode (8-bit estimates, no RPRES).
#include "cpu/fp/fp_internal.hpp"

#include <array>

namespace kestrel::fp {

using namespace detail;

namespace {

// RecipEstimate: a in [256, 512) is 0.a in units of 1/512.
constexpr unsigned recip_estimate_calc(unsigned a) {
    a = a * 2 + 1; // round to nearest
    unsigned b = (1u << 19) / a;
    return (b + 1) / 2; // round to nearest
}

// RecipSqrtEstimate: a in [128, 512).
constexpr unsigned rsqrt_estimate_calc(unsigned a) {
    if (a < 256) {
        a = a * 2 + 1;
    } else {
        a = (a >> 1) << 1;
        a = (a + 1) * 2;
    }
    uint64_t b = 512;
    while (uint64_t(a) * (b + 1) * (b + 1) < (1ull << 28))
        b++;
    return static_cast<unsigned>((b + 1) / 2);
}

constexpr auto kRecipTable = [] {
    std::array<uint16_t, 256> t{};
    for (unsigned a = 256; a < 512; a++)
        t[a - 256] = static_cast<uint16_t>(recip_estimate_calc(a));
    return t;
}();

const std::array<uint16_t, 384> kRsqrtTable = [] {
    std::array<uint16_t, 384> t{};
    for (unsigned a = 128; a < 512; a++)
        t[a - 128] = static_cast<uint16_t>(rsqrt_estimate_calc(a));
    return t;
}();

// The 52-bit fraction field of a double that has the same fraction bits,
// and the biased exponent field, of operand a.
template <class T> void fraction_and_exp(Bits<T> a, uint64_t& fraction, int& exp) {
    fraction = static_cast<uint64_t>(a & frac_mask<T>()) << (52 - T::F);
    exp = static_cast<int>((a >> T::F) & exp_max<T>());
}

constexpr uint64_t kFrac52 = (1ull << 52) - 1;

// 2 + a*b or (3 + a*b) / 2 with one rounding, for the step instructions.
template <class T> Bits<T> step_fused(Bits<T> a, Bits<T> b, bool rsqrt, FpStatus& st) {
    a = neg<T>(a);
    Unpacked u1 = unpack<T>(a, st), u2 = unpack<T>(b, st);
    Bits<T> r;
    if (process_nans<T>(u1, u2, a, b, st, r)) return r;
    if ((u1.is_inf() && u2.is_zero()) || (u1.is_zero() && u2.is_inf())) {
        // FPTwo or FPOnePointFive, positive.
        return rsqrt ? static_cast<Bits<T>>((Bits<T>(T::Bias) << T::F) | quiet_bit<T>())
                     : static_cast<Bits<T>>(Bits<T>(T::Bias + 1) << T::F);
    }
    if (u1.is_inf() || u2.is_inf()) return infinity<T>(u1.sign != u2.sign);
    Rounding rm = st.rounding();
    int adj = rsqrt ? -1 : 0; // halving is exact on the real value
    // The constant: 2 = 1.0 * 2^1, 3 = 1.1b * 2^1, as m * 2^(e - 126).
    u128 cm = (rsqrt ? u128(3) : u128(2)) << 125;
    int ce = 1;
    if (u1.is_zero() || u2.is_zero()) return round_u128<T>(false, cm, ce - 126 + adj, rm, st);
    // Exact product, then the sum, as in mul_add.
    u128 p = u128(u1.sig) * u2.sig;
    int pe = u1.exp + u2.exp;
    if (p >> 127) {
        p >>= 1;
        pe++;
    }
    bool psign = u1.sign != u2.sign;
    bool sign = false;
    u128 xm = cm, ym = p;
    int xe = ce, ye = pe;
    bool xs = false, ys = psign;
    if (xe < ye || (xe == ye && xm < ym)) {
        std::swap(xm, ym);
        std::swap(xe, ye);
        std::swap(xs, ys);
    }
    ym = shift_right_jam128(ym, xe - ye);
    u128 m;
    if (xs == ys) {
        m = xm + ym;
    } else {
        m = xm - ym;
        if (m == 0) return zero<T>(exact_zero_sign(rm));
    }
    sign = xs;
    return round_u128<T>(sign, m, xe - 126 + adj, rm, st);
}

} // namespace

unsigned recip_estimate_table(unsigned a) {
    return kRecipTable[a - 256];
}
unsigned rsqrt_estimate_table(unsigned a) {
    return kRsqrtTable[a - 128];
}

template <class T> Bits<T> recip_estimate(Bits<T> a, FpStatus& st) {
    Unpacked u = unpack<T>(a, st);
    if (u.is_nan()) return process_nan<T>(u.type, a, st);
    if (u.is_inf()) return zero<T>(u.sign);
    if (u.is_zero()) {
        st.exc |= kDZC;
        return infinity<T>(u.sign);
    }
    // |value| < 2^-(Bias+1): the reciprocal overflows.
    if (u.exp < -(T::Bias + 1)) {
        bool to_inf;
        switch (st.rounding()) {
        case Rounding::PosInf: to_inf = !u.sign; break;
        case Rounding::NegInf: to_inf = u.sign; break;
        case Rounding::Zero: to_inf = false; break;
        default: to_inf = true; break;
        }
        st.exc |= kOFC | kIXC;
        return to_inf ? infinity<T>(u.sign) : max_normal<T>(u.sign);
    }
    // |value| >= 2^(Bias-1) with flush-to-zero: the result would be tiny.
    if (flush_enabled<T>(st) && u.exp >= T::Bias - 1) {
        st.exc |= kUFC;
        return zero<T>(u.sign);
    }
    uint64_t fraction;
    int exp;
    fraction_and_exp<T>(a, fraction, exp);
    if (exp == 0) {
        if (!((fraction >> 51) & 1)) {
            exp = -1;
            fraction = (fraction << 2) & kFrac52;
        } else {
            fraction = (fraction << 1) & kFrac52;
        }
    }
    unsigned scaled = 256 | static_cast<unsigned>(fraction >> 44);
    int result_exp = 2 * T::Bias - 1 - exp;
    unsigned estimate = recip_estimate_table(scaled);
    fraction = static_cast<uint64_t>(estimate & 0xff) << 44;
    if (result_exp == 0) {
        fraction = (1ull << 51) | (fraction >> 1);
    } else if (result_exp == -1) {
        fraction = (1ull << 50) | (fraction >> 2);
        result_exp = 0;
    }
    return static_cast<Bits<T>>((u.sign ? sign_mask<T>() : 0) | (Bits<T>(result_exp) << T::F) |
                                static_cast<Bits<T>>(fraction >> (52 - T::F)));
}

template <class T> Bits<T> rsqrt_estimate(Bits<T> a, FpStatus& st) {
    Unpacked u = unpack<T>(a, st);
    if (u.is_nan()) return process_nan<T>(u.type, a, st);
    if (u.is_zero()) {
        st.exc |= kDZC;
        return infinity<T>(u.sign);
    }
    if (u.sign) {
        st.exc |= kIOC;
        return default_nan<T>();
    }
    if (u.is_inf()) return zero<T>(false);
    uint64_t fraction;
    int exp;
    fraction_and_exp<T>(a, fraction, exp);
    if (exp == 0) {
        while (!((fraction >> 51) & 1)) {
            fraction = (fraction << 1) & kFrac52;
            exp--;
        }
        fraction = (fraction << 1) & kFrac52;
    }
    // An even biased exponent is an odd power of two: scale into [0.5, 1),
    // else into [0.25, 0.5).
    unsigned scaled = (exp & 1) == 0 ? (256 | static_cast<unsigned>(fraction >> 44))
                                     : (128 | static_cast<unsigned>(fraction >> 45));
    // (3 * Bias - 1 - exp) DIV 2, with floor division.
    int num = 3 * T::Bias - 1 - exp;
    int result_exp = num >= 0 ? num / 2 : -((-num + 1) / 2);
    unsigned estimate = rsqrt_estimate_table(scaled);
    return static_cast<Bits<T>>((Bits<T>(result_exp) << T::F) |
                                (Bits<T>(estimate & 0xff) << (T::F - 8)));
}

template <class T> Bits<T> recip_step(Bits<T> a, Bits<T> b, FpStatus& st) {
    return step_fused<T>(a, b, false, st);
}
template <class T> Bits<T> rsqrt_step(Bits<T> a, Bits<T> b, FpStatus& st) {
    return step_fused<T>(a, b, true, st);
}

template <class T> Bits<T> recpx(Bits<T> a, FpStatus& st) {
    Unpacked u = unpack<T>(a, st);
    if (u.is_nan()) return process_nan<T>(u.type, a, st);
    unsigned exp = static_cast<unsigned>((a >> T::F) & exp_max<T>());
    unsigned r = exp == 0 ? exp_max<T>() - 1 : (~exp & exp_max<T>());
    return static_cast<Bits<T>>((u.sign ? sign_mask<T>() : 0) | (Bits<T>(r) << T::F));
}

#define KESTREL_FP_INSTANTIATE(T)                                                                  \
    template Bits<T> recip_estimate<T>(Bits<T>, FpStatus&);                                        \
    template Bits<T> rsqrt_estimate<T>(Bits<T>, FpStatus&);                                        \
    template Bits<T> recip_step<T>(Bits<T>, Bits<T>, FpStatus&);                                   \
    template Bits<T> rsqrt_step<T>(Bits<T>, Bits<T>, FpStatus&);                                   \
    template Bits<T> recpx<T>(Bits<T>, FpStatus&);
KESTREL_FP_INSTANTIATE(Half)
KESTREL_FP_INSTANTIATE(Single)
KESTREL_FP_INSTANTIATE(Double)

} // namespace kestrel::fp
