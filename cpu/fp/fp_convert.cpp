// FPConvert (between precisions), FPRoundInt, FPToFixed and FixedToFP.
#include "cpu/fp/fp_internal.hpp"

namespace kestrel::fp {

using namespace detail;

namespace {

// FPConvertNaN: quiet, keep the sign and the top payload bits.
template <class From, class To> Bits<To> convert_nan(Bits<From> a) {
    uint64_t payload = static_cast<uint64_t>(a & frac_mask<From>())
                       << (64 - From::F); // top-aligned
    uint64_t frac = payload >> (64 - To::F);
    bool sign = (a >> (From::N - 1)) & 1;
    return static_cast<Bits<To>>(infinity<To>(sign) | quiet_bit<To>() |
                                 static_cast<Bits<To>>(frac));
}

// The magnitude of a finite value sig * 2^(exp - 63) * 2^fbits rounded to
// an integer, as FPToFixed/FPRoundInt do (ties and directions applied to
// the signed value). Sets inexact when a fraction was discarded. The
// magnitude saturates at 2^66, far beyond any 64-bit result.
u128 round_magnitude(bool sign, int exp, uint64_t sig, int fbits, Rounding rm, bool& inexact) {
    int sh = exp + fbits - 63; // value = sig * 2^sh
    if (sh >= 3) {
        inexact = false;
        return u128(1) << 66;
    }
    if (sh >= 0) {
        inexact = false;
        return u128(sig) << sh;
    }
    uint64_t ip;
    int cmp_half; // fraction compared with one half: -1, 0, +1
    bool frac_nonzero;
    if (sh < -64) {
        ip = 0;
        cmp_half = -1;
        frac_nonzero = true;
    } else if (sh == -64) {
        ip = 0;
        frac_nonzero = true;
        cmp_half = sig == (1ull << 63) ? 0 : 1; // sig has bit 63 set
    } else {
        int n = -sh;
        ip = sig >> n;
        uint64_t rem = sig & ((1ull << n) - 1), half = 1ull << (n - 1);
        frac_nonzero = rem != 0;
        cmp_half = rem < half ? -1 : rem == half ? 0 : 1;
    }
    inexact = frac_nonzero;
    bool up = false;
    if (frac_nonzero) {
        switch (rm) {
        case Rounding::TieEven: up = cmp_half > 0 || (cmp_half == 0 && (ip & 1)); break;
        case Rounding::TieAway: up = cmp_half >= 0; break;
        case Rounding::PosInf: up = !sign; break;
        case Rounding::NegInf: up = sign; break;
        case Rounding::Zero: up = false; break;
        case Rounding::Odd: up = !(ip & 1); break; // truncate, then force bit 0
        }
    }
    return u128(ip) + up;
}

} // namespace

template <class From, class To> Bits<To> convert(Bits<From> a, FpStatus& st) {
    return convert<From, To>(a, st.rounding(), st);
}

template <class From, class To> Bits<To> convert(Bits<From> a, Rounding rm, FpStatus& st) {
    Unpacked u = unpack<From, Mode::Convert>(a, st);
    bool ahp_out = alt_half<To, Mode::Convert>(st);
    if (u.is_nan()) {
        Bits<To> r;
        if (ahp_out)
            r = zero<To>(u.sign);
        else if (st.dn())
            r = default_nan<To>();
        else
            r = convert_nan<From, To>(a);
        if (u.type == FpType::SNaN || ahp_out) st.exc |= kIOC;
        return r;
    }
    if (u.is_inf()) {
        if (ahp_out) {
            st.exc |= kIOC;
            return static_cast<Bits<To>>(zero<To>(u.sign) | ~sign_mask<To>());
        }
        return infinity<To>(u.sign);
    }
    if (u.is_zero()) return zero<To>(u.sign);
    return round_pack<To, Mode::Convert>(u.sign, u.exp, u.sig, rm, st);
}

template <class T> Bits<T> round_int(Bits<T> a, Rounding rm, bool exact, FpStatus& st) {
    Unpacked u = unpack<T>(a, st);
    if (u.is_nan()) return process_nan<T>(u.type, a, st);
    if (u.is_inf()) return infinity<T>(u.sign);
    if (u.is_zero()) return zero<T>(u.sign);
    if (u.exp >= T::F) return a; // already integral
    bool inexact;
    u128 mag = round_magnitude(u.sign, u.exp, u.sig, 0, rm, inexact);
    Bits<T> r = mag == 0 ? zero<T>(u.sign) : round_u128<T>(u.sign, mag, 0, Rounding::Zero, st);
    if (inexact && exact) st.exc |= kIXC;
    return r;
}

template <class T>
uint64_t to_fixed(Bits<T> a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding rm,
                  FpStatus& st) {
    Unpacked u = unpack<T>(a, st);
    u128 mag;
    bool inexact = false;
    if (u.is_nan()) {
        st.exc |= kIOC;
        return 0;
    }
    if (u.is_inf())
        mag = u128(1) << 66;
    else if (u.is_zero())
        mag = 0;
    else
        mag = round_magnitude(u.sign, u.exp, u.sig, static_cast<int>(fbits), rm, inexact);
    uint64_t result;
    bool overflow;
    uint64_t width_mask = int_bits == 64 ? ~0ull : (1ull << int_bits) - 1;
    if (is_unsigned) {
        if (u.sign && mag != 0) {
            overflow = true;
            result = 0;
        } else {
            overflow = mag > width_mask;
            result = overflow ? width_mask : static_cast<uint64_t>(mag);
        }
    } else {
        u128 limit = u128(1) << (int_bits - 1); // |INT_MIN|
        if (u.sign) {
            overflow = mag > limit;
            result = overflow ? static_cast<uint64_t>(limit) : static_cast<uint64_t>(mag);
            result = (0 - result) & width_mask;
        } else {
            overflow = mag >= limit;
            result = overflow ? static_cast<uint64_t>(limit - 1) : static_cast<uint64_t>(mag);
        }
    }
    if (overflow)
        st.exc |= kIOC;
    else if (inexact)
        st.exc |= kIXC;
    return result;
}

template <class T>
Bits<T> from_fixed(uint64_t v, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding rm,
                   FpStatus& st) {
    if (int_bits == 32) v &= 0xffffffffull;
    bool sign = false;
    if (!is_unsigned && ((v >> (int_bits - 1)) & 1)) {
        sign = true;
        v = (0 - v);
        if (int_bits == 32) v &= 0xffffffffull;
    }
    if (v == 0) return zero<T>(false);
    return round_u128<T>(sign, u128(v), -static_cast<int>(fbits), rm, st);
}

template Bits<Single> convert<Half, Single>(Bits<Half>, FpStatus&);
template Bits<Double> convert<Half, Double>(Bits<Half>, FpStatus&);
template Bits<Half> convert<Single, Half>(Bits<Single>, FpStatus&);
template Bits<Double> convert<Single, Double>(Bits<Single>, FpStatus&);
template Bits<Half> convert<Double, Half>(Bits<Double>, FpStatus&);
template Bits<Single> convert<Half, Single>(Bits<Half>, Rounding, FpStatus&);
template Bits<Double> convert<Half, Double>(Bits<Half>, Rounding, FpStatus&);
template Bits<Half> convert<Single, Half>(Bits<Single>, Rounding, FpStatus&);
template Bits<Double> convert<Single, Double>(Bits<Single>, Rounding, FpStatus&);
template Bits<Half> convert<Double, Half>(Bits<Double>, Rounding, FpStatus&);
template Bits<Single> convert<Double, Single>(Bits<Double>, Rounding, FpStatus&);
template Bits<Single> convert<Double, Single>(Bits<Double>, FpStatus&);

#define KESTREL_FP_INSTANTIATE(T)                                                                  \
    template Bits<T> round_int<T>(Bits<T>, Rounding, bool, FpStatus&);                             \
    template uint64_t to_fixed<T>(Bits<T>, unsigned, bool, unsigned, Rounding, FpStatus&);         \
    template Bits<T> from_fixed<T>(uint64_t, unsigned, bool, unsigned, Rounding, FpStatus&);
KESTREL_FP_INSTANTIATE(Half)
KESTREL_FP_INSTANTIATE(Single)
KESTREL_FP_INSTANTIATE(Double)

} // namespace kestrel::fp
