// Lane access and dispatch shared by the Advanced SIMD floating-point
// handlers. Each lane runs the scalar softfloat function under the same
// FPCR; one FpScope per instruction accumulates every lane's flags into
// FPSR. Handlers are templated on the lane format (fp::Single/fp::Double),
// so the per-lane loops carry no size checks and allocate nothing.
#pragma once
#include "cpu/a64/fp_util.hpp"
#include "cpu/a64/simd_util.hpp"

namespace kestrel::a64 {

template <class T> inline fp::Bits<T> lane(const VReg& v, unsigned i) {
    return elem<fp::Bits<T>>(v, i);
}
template <class T> inline void set_lane(VReg& v, unsigned i, fp::Bits<T> x) {
    set_elem<fp::Bits<T>>(v, i, x);
}

// All-ones lane for a true comparison, zero otherwise.
template <class T> constexpr fp::Bits<T> lane_mask(bool c) {
    return c ? static_cast<fp::Bits<T>>(~fp::Bits<T>(0)) : fp::Bits<T>(0);
}

// Calls f.template operator()<T>() with T = fp::Single (sz = 0) or
// fp::Double (sz = 1).
template <typename F> inline void with_fp_sz(unsigned sz, F&& f) {
    if (sz)
        f.template operator()<fp::Double>();
    else
        f.template operator()<fp::Single>();
}

// The shape of an element-wise operation: a scalar form has one lane and
// clears the rest of the register; a vector form has 64 or 128 bits.
struct FpShape {
    unsigned lanes;
    bool scalar;
    bool q;
};
template <class T> constexpr FpShape fp_shape(bool scalar, bool q) {
    return {scalar ? 1u : (q ? 16u : 8u) / (T::N / 8), scalar, q};
}

// Writes an element-wise result according to its shape.
template <class T> inline void write_fp_result(Cpu& c, unsigned rd, const VReg& r, FpShape s) {
    if (s.scalar)
        write_scalar(c, rd, r.lo, T::N / 8);
    else
        write_vec(c, rd, r, s.q);
}

// Vector forms with 64-bit lanes need Q = 1 (a 1D arrangement is reserved).
inline bool fp_vector_size_ok(unsigned sz, bool q, bool scalar) {
    return scalar || q || !sz;
}

// FPToFixed / FixedToFP on a lane: the integer is as wide as the lane
// (32 or 64 bits) and has fbits fraction bits.
template <class T>
inline fp::Bits<T> lane_to_fixed(fp::Bits<T> a, unsigned fbits, bool is_unsigned, fp::Rounding rm,
                                 fp::FpStatus& st) {
    return static_cast<fp::Bits<T>>(fp::to_fixed<T>(a, fbits, is_unsigned, T::N, rm, st));
}
template <class T>
inline fp::Bits<T> lane_from_fixed(fp::Bits<T> a, unsigned fbits, bool is_unsigned,
                                   fp::FpStatus& st) {
    return fp::from_fixed<T>(a, fbits, is_unsigned, T::N, st.rounding(), st);
}

} // namespace kestrel::a64
