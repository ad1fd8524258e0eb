// FPAdd, FPSub, FPMul, FPMulX, FPDiv, FPMulAdd and FPSqrt.
#include "cpu/fp/fp_internal.hpp"

namespace kestrel::fp {

using namespace detail;

namespace {

// A nonzero finite value m * 2^(e - 126) with bit 126 of m set, so two of
// them add without overflowing 128 bits.
struct Wide {
    bool sign;
    int e;
    u128 m;
};

Wide wide_of(const Unpacked& u) {
    return {u.sign, u.exp, u128(u.sig) << 63};
}

// The exact product of two finite nonzero operands (at most 2 x 53 bits).
Wide wide_product(const Unpacked& a, const Unpacked& b) {
    u128 p = u128(a.sig) * b.sig; // in [2^126, 2^128)
    Wide w{a.sign != b.sign, a.exp + b.exp, p};
    if (p >> 127) {
        w.m = p >> 1; // the low bits are zero: exact
        w.e++;
    }
    return w;
}

// x + y, rounded. When the smaller operand is shifted out of the 128-bit
// window it is kept as a sticky bit; cancellation of more than one bit
// only happens when the exponents differ by at most one, where no bits are
// lost, so the result is still correctly rounded.
template <class T> Bits<T> add_wide(Wide x, Wide y, Rounding rm, FpStatus& st) {
    if (x.e < y.e || (x.e == y.e && x.m < y.m)) std::swap(x, y);
    u128 ym = shift_right_jam128(y.m, x.e - y.e);
    u128 r;
    if (x.sign == y.sign) {
        r = x.m + ym;
    } else {
        r = x.m - ym;
        if (r == 0) return zero<T>(exact_zero_sign(rm));
    }
    return round_u128<T>(x.sign, r, x.e - 126, rm, st);
}

template <class T> Bits<T> add_impl(Bits<T> a, Bits<T> b, bool negate_b, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    Bits<T> r;
    if (process_nans<T>(ua, ub, a, b, st, r)) return r;
    ub.sign ^= negate_b;
    if (ua.is_inf() && ub.is_inf() && ua.sign != ub.sign) {
        st.exc |= kIOC;
        return default_nan<T>();
    }
    if (ua.is_inf()) return infinity<T>(ua.sign);
    if (ub.is_inf()) return infinity<T>(ub.sign);
    Rounding rm = st.rounding();
    if (ua.is_zero() && ub.is_zero())
        return zero<T>(ua.sign == ub.sign ? ua.sign : exact_zero_sign(rm));
    if (ua.is_zero()) return round_pack<T>(ub.sign, ub.exp, ub.sig, rm, st);
    if (ub.is_zero()) return round_pack<T>(ua.sign, ua.exp, ua.sig, rm, st);
    return add_wide<T>(wide_of(ua), wide_of(ub), rm, st);
}

template <class T> Bits<T> mul_impl(Bits<T> a, Bits<T> b, bool mulx, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    Bits<T> r;
    if (process_nans<T>(ua, ub, a, b, st, r)) return r;
    bool sign = ua.sign != ub.sign;
    if ((ua.is_inf() && ub.is_zero()) || (ua.is_zero() && ub.is_inf())) {
        if (mulx) // FPTwo(sign)
            return static_cast<Bits<T>>((sign ? sign_mask<T>() : 0) |
                                        (Bits<T>(T::Bias + 1) << T::F));
        st.exc |= kIOC;
        return default_nan<T>();
    }
    if (ua.is_inf() || ub.is_inf()) return infinity<T>(sign);
    if (ua.is_zero() || ub.is_zero()) return zero<T>(sign);
    return round_u128<T>(sign, u128(ua.sig) * ub.sig, ua.exp + ub.exp - 126, st.rounding(), st);
}

// Exact integer square root of a 128-bit value (digit by digit).
uint64_t isqrt128(u128 v, bool& exact) {
    u128 rem = 0, root = 0;
    for (int i = 0; i < 64; i++) {
        rem = (rem << 2) | (v >> 126);
        v <<= 2;
        root <<= 1;
        u128 trial = (root << 1) | 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    exact = rem == 0;
    return static_cast<uint64_t>(root);
}

} // namespace

template <class T> Bits<T> add(Bits<T> a, Bits<T> b, FpStatus& st) {
    return add_impl<T>(a, b, false, st);
}
template <class T> Bits<T> sub(Bits<T> a, Bits<T> b, FpStatus& st) {
    return add_impl<T>(a, b, true, st);
}
template <class T> Bits<T> mul(Bits<T> a, Bits<T> b, FpStatus& st) {
    return mul_impl<T>(a, b, false, st);
}
template <class T> Bits<T> mulx(Bits<T> a, Bits<T> b, FpStatus& st) {
    return mul_impl<T>(a, b, true, st);
}

template <class T> Bits<T> div(Bits<T> a, Bits<T> b, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    Bits<T> r;
    if (process_nans<T>(ua, ub, a, b, st, r)) return r;
    bool sign = ua.sign != ub.sign;
    if ((ua.is_inf() && ub.is_inf()) || (ua.is_zero() && ub.is_zero())) {
        st.exc |= kIOC;
        return default_nan<T>();
    }
    if (ua.is_inf() || ub.is_zero()) {
        if (!ua.is_inf()) st.exc |= kDZC;
        return infinity<T>(sign);
    }
    if (ua.is_zero() || ub.is_inf()) return zero<T>(sign);
    // sig_a * 2^64 / sig_b has 64 or 65 significant bits; a nonzero
    // remainder becomes the sticky bit.
    u128 n = u128(ua.sig) << 64;
    u128 q = n / ub.sig;
    bool inexact = (n - q * ub.sig) != 0;
    return round_u128<T>(sign, q | u128(inexact), ua.exp - ub.exp - 64, st.rounding(), st);
}

template <class T> Bits<T> mul_add(Bits<T> addend, Bits<T> op1, Bits<T> op2, FpStatus& st) {
    Unpacked ua = unpack<T>(addend, st), u1 = unpack<T>(op1, st), u2 = unpack<T>(op2, st);
    bool inf_times_zero = (u1.is_inf() && u2.is_zero()) || (u1.is_zero() && u2.is_inf());
    // FPProcessNaNs3: signalling NaNs first, then quiet, in operand order.
    const Unpacked* us[3] = {&ua, &u1, &u2};
    const Bits<T> ops[3] = {addend, op1, op2};
    for (FpType t : {FpType::SNaN, FpType::QNaN})
        for (int i = 0; i < 3; i++)
            if (us[i]->type == t) {
                Bits<T> r = process_nan<T>(t, ops[i], st);
                if (ua.type == FpType::QNaN && inf_times_zero) {
                    st.exc |= kIOC;
                    return default_nan<T>();
                }
                return r;
            }
    bool sign_p = u1.sign != u2.sign;
    bool inf_p = u1.is_inf() || u2.is_inf();
    bool zero_p = u1.is_zero() || u2.is_zero();
    if (inf_times_zero || (ua.is_inf() && inf_p && ua.sign != sign_p)) {
        st.exc |= kIOC;
        return default_nan<T>();
    }
    if (ua.is_inf()) return infinity<T>(ua.sign);
    if (inf_p) return infinity<T>(sign_p);
    Rounding rm = st.rounding();
    if (ua.is_zero() && zero_p) return zero<T>(ua.sign == sign_p ? ua.sign : exact_zero_sign(rm));
    if (zero_p) return round_pack<T>(ua.sign, ua.exp, ua.sig, rm, st);
    Wide p = wide_product(u1, u2);
    if (ua.is_zero()) return round_u128<T>(p.sign, p.m, p.e - 126, rm, st);
    return add_wide<T>(wide_of(ua), p, rm, st);
}

template <class T> Bits<T> sqrt(Bits<T> a, FpStatus& st) {
    Unpacked u = unpack<T>(a, st);
    if (u.is_nan()) return process_nan<T>(u.type, a, st);
    if (u.is_zero()) return zero<T>(u.sign);
    if (u.is_inf() && !u.sign) return infinity<T>(false);
    if (u.sign) {
        st.exc |= kIOC;
        return default_nan<T>();
    }
    // value = sig * 2^(exp - 63) = (sig << k) * 2^(exp - 63 - k), with k
    // chosen to make the exponent even.
    int k = ((u.exp - 63 - 63) & 1) ? 64 : 63;
    bool exact;
    uint64_t root = isqrt128(u128(u.sig) << k, exact);
    return round_u128<T>(false, u128(root | !exact), (u.exp - 63 - k) / 2, st.rounding(), st);
}

#define KESTREL_FP_INSTANTIATE(T)                                                                  \
    template Bits<T> add<T>(Bits<T>, Bits<T>, FpStatus&);                                          \
    template Bits<T> sub<T>(Bits<T>, Bits<T>, FpStatus&);                                          \
    template Bits<T> mul<T>(Bits<T>, Bits<T>, FpStatus&);                                          \
    template Bits<T> mulx<T>(Bits<T>, Bits<T>, FpStatus&);                                         \
    template Bits<T> div<T>(Bits<T>, Bits<T>, FpStatus&);                                          \
    template Bits<T> mul_add<T>(Bits<T>, Bits<T>, Bits<T>, FpStatus&);                             \
    template Bits<T> sqrt<T>(Bits<T>, FpStatus&);
KESTREL_FP_INSTANTIATE(Half)
KESTREL_FP_INSTANTIATE(Single)
KESTREL_FP_INSTANTIATE(Double)

} // namespace kestrel::fp
