// Lane access and saturating arithmetic shared by the Advanced SIMD handlers.
// A vector is handled as a 16-byte little-endian value; lane i of an
// element type T sits at byte offset i*sizeof(T). Handlers are templated
// on the element type so per-lane loops stay tight; a future FP lane type
// only needs elem()/set_elem() and its own arithmetic.
#pragma once
#include "cpu/a64/insn_util.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

namespace kestrel::a64 {

static_assert(std::endian::native == std::endian::little,
              "lane layout assumes a little-endian host");

constexpr uint32_t kFpsrQC = 1u << 27;

template <typename T> inline T elem(const VReg& v, unsigned i) {
    T x;
    std::memcpy(&x, reinterpret_cast<const uint8_t*>(&v) + i * sizeof(T), sizeof(T));
    return x;
}
template <typename T> inline void set_elem(VReg& v, unsigned i, T x) {
    std::memcpy(reinterpret_cast<uint8_t*>(&v) + i * sizeof(T), &x, sizeof(T));
}

// Writes a vector result: a 64-bit (Q=0) result clears bits 127:64.
inline void write_vec(Cpu& c, unsigned rd, VReg r, bool q) {
    if (!q) r.hi = 0;
    c.s.v[rd] = r;
}
// Writes a scalar result of `bytes` bytes, clearing the rest of the register.
inline void write_scalar(Cpu& c, unsigned rd, uint64_t v, unsigned bytes) {
    VReg r;
    r.lo = bytes >= 8 ? v : v & ((1ull << (bytes * 8)) - 1);
    c.s.v[rd] = r;
}

inline void set_qc(Cpu& c) {
    c.s.fpsr |= kFpsrQC;
}

// Calls f.template operator()<T>() with T the unsigned type of 8 << size bits.
template <typename F> inline void with_usize(unsigned size, F&& f) {
    switch (size) {
    case 0: f.template operator()<uint8_t>(); break;
    case 1: f.template operator()<uint16_t>(); break;
    case 2: f.template operator()<uint32_t>(); break;
    default: f.template operator()<uint64_t>(); break;
    }
}

template <typename T> using S = std::make_signed_t<T>;
template <typename T> using U = std::make_unsigned_t<T>;

// The unsigned type twice as wide as T (for widening/narrowing forms).
template <typename T> struct Wider;
template <> struct Wider<uint8_t> { using type = uint16_t; };
template <> struct Wider<uint16_t> { using type = uint32_t; };
template <> struct Wider<uint32_t> { using type = uint64_t; };
template <typename T> using W = typename Wider<T>::type;

// Saturates an exact value to the signed or unsigned range of T, noting
// saturation in *sat.
template <typename T> inline T sat_signed(__int128 v, bool& sat) {
    constexpr __int128 lo = std::numeric_limits<S<T>>::min();
    constexpr __int128 hi = std::numeric_limits<S<T>>::max();
    if (v < lo) {
        sat = true;
        return static_cast<T>(static_cast<S<T>>(lo));
    }
    if (v > hi) {
        sat = true;
        return static_cast<T>(static_cast<S<T>>(hi));
    }
    return static_cast<T>(static_cast<S<T>>(v));
}
template <typename T> inline T sat_unsigned(__int128 v, bool& sat) {
    constexpr __int128 hi = std::numeric_limits<T>::max();
    if (v < 0) {
        sat = true;
        return 0;
    }
    if (v > hi) {
        sat = true;
        return std::numeric_limits<T>::max();
    }
    return static_cast<T>(v);
}
template <typename T> inline T sat_to(__int128 v, bool is_unsigned, bool& s) {
    return is_unsigned ? sat_unsigned<T>(v, s) : sat_signed<T>(v, s);
}

// The lane value as an exact integer, signed or unsigned.
template <typename T> inline __int128 ival(T x, bool is_unsigned) {
    return is_unsigned ? static_cast<__int128>(x) : static_cast<__int128>(static_cast<S<T>>(x));
}

// Element size of an imm5 copy/index field (lowest set bit), or -1.
inline int imm5_size(uint32_t imm5) {
    if (imm5 & 1) return 0;
    if (imm5 & 2) return 1;
    if (imm5 & 4) return 2;
    if (imm5 & 8) return 3;
    return -1;
}

// Fields common to most SIMD encodings.
inline unsigned rd_of(uint32_t i) {
    return bits(i, 0, 5);
}
inline unsigned rn_of(uint32_t i) {
    return bits(i, 5, 5);
}
inline unsigned rm_of(uint32_t i) {
    return bits(i, 16, 5);
}

} // namespace kestrel::a64
