// FPCompare, FPCompareEQ/GE/GT, FPMax, FPMin, FPMaxNum and FPMinNum.
#include "cpu/fp/fp_internal.hpp"

namespace kestrel::fp {

using namespace detail;

namespace {

// A key that orders non-NaN values numerically (flushed denormals are zero).
template <class T> int64_t order_key(const Unpacked& u, Bits<T> v) {
    if (u.is_zero()) return 0;
    int64_t mag = static_cast<int64_t>(abs<T>(v));
    return u.sign ? -mag : mag;
}

template <class T> Bits<T> max_min(Bits<T> a, Bits<T> b, bool is_max, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    Bits<T> r;
    if (process_nans<T>(ua, ub, a, b, st, r)) return r;
    int64_t ka = order_key<T>(ua, a), kb = order_key<T>(ub, b);
    bool pick_a = is_max ? ka > kb : ka < kb;
    const Unpacked& u = pick_a ? ua : ub;
    if (u.is_inf()) return infinity<T>(u.sign);
    if (u.is_zero()) // the most positive (max) or most negative (min) zero
        return zero<T>(is_max ? (ua.sign && ub.sign) : (ua.sign || ub.sign));
    // FPRound of an operand's own value is that operand (denormals included:
    // they are exact, so no Underflow).
    return pick_a ? a : b;
}

// FPMaxNum/FPMinNum: a single quiet NaN loses against a number.
template <class T> Bits<T> max_min_num(Bits<T> a, Bits<T> b, bool is_max, FpStatus& st) {
    FpStatus probe(st.fpcr); // the types only; max_min raises the flags
    FpType ta = unpack<T>(a, probe).type, tb = unpack<T>(b, probe).type;
    Bits<T> replacement = infinity<T>(is_max);
    if (ta == FpType::QNaN && tb != FpType::QNaN)
        a = replacement;
    else if (ta != FpType::QNaN && tb == FpType::QNaN)
        b = replacement;
    return max_min<T>(a, b, is_max, st);
}

} // namespace

template <class T> unsigned compare(Bits<T> a, Bits<T> b, bool signal_nans, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    if (ua.is_nan() || ub.is_nan()) {
        if (ua.type == FpType::SNaN || ub.type == FpType::SNaN || signal_nans) st.exc |= kIOC;
        return 0b0011;
    }
    int64_t ka = order_key<T>(ua, a), kb = order_key<T>(ub, b);
    if (ka == kb) return 0b0110;
    return ka < kb ? 0b1000 : 0b0010;
}

template <class T> bool compare_eq(Bits<T> a, Bits<T> b, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    if (ua.is_nan() || ub.is_nan()) {
        if (ua.type == FpType::SNaN || ub.type == FpType::SNaN) st.exc |= kIOC;
        return false;
    }
    return order_key<T>(ua, a) == order_key<T>(ub, b);
}

template <class T> bool compare_ge(Bits<T> a, Bits<T> b, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    if (ua.is_nan() || ub.is_nan()) {
        st.exc |= kIOC;
        return false;
    }
    return order_key<T>(ua, a) >= order_key<T>(ub, b);
}

template <class T> bool compare_gt(Bits<T> a, Bits<T> b, FpStatus& st) {
    Unpacked ua = unpack<T>(a, st), ub = unpack<T>(b, st);
    if (ua.is_nan() || ub.is_nan()) {
        st.exc |= kIOC;
        return false;
    }
    return order_key<T>(ua, a) > order_key<T>(ub, b);
}

template <class T> Bits<T> max(Bits<T> a, Bits<T> b, FpStatus& st) {
    return max_min<T>(a, b, true, st);
}
template <class T> Bits<T> min(Bits<T> a, Bits<T> b, FpStatus& st) {
    return max_min<T>(a, b, false, st);
}
template <class T> Bits<T> max_num(Bits<T> a, Bits<T> b, FpStatus& st) {
    return max_min_num<T>(a, b, true, st);
}
template <class T> Bits<T> min_num(Bits<T> a, Bits<T> b, FpStatus& st) {
    return max_min_num<T>(a, b, false, st);
}

#define KESTREL_FP_INSTANTIATE(T)                                                                  \
    template unsigned compare<T>(Bits<T>, Bits<T>, bool, FpStatus&);                               \
    template bool compare_eq<T>(Bits<T>, Bits<T>, FpStatus&);                                      \
    template bool compare_ge<T>(Bits<T>, Bits<T>, FpStatus&);                                      \
    template bool compare_gt<T>(Bits<T>, Bits<T>, FpStatus&);                                      \
    template Bits<T> max<T>(Bits<T>, Bits<T>, FpStatus&);                                          \
    template Bits<T> min<T>(Bits<T>, Bits<T>, FpStatus&);                                          \
    template Bits<T> max_num<T>(Bits<T>, Bits<T>, FpStatus&);                                      \
    template Bits<T> min_num<T>(Bits<T>, Bits<T>, FpStatus&);
KESTREL_FP_INSTANTIATE(Half)
KESTREL_FP_INSTANTIATE(Single)
KESTREL_FP_INSTANTIATE(Double)

} // namespace kestrel::fp
