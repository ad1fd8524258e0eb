// Integer ALU helpers for the data-processing handlers, templated on the
// operand width (uint32_t for W forms, uint64_t for X forms) so that each
// handler instance is straight-line code without width checks.
#pragma once
#include "cpu/a64/insn_util.hpp"
#include "cpu/cpu_state.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <type_traits>

namespace kestrel::a64 {

template <typename T> constexpr unsigned kBits = sizeof(T) * 8;

// N and Z of a result, in their NZCV positions.
template <typename T> constexpr uint32_t nz_flags(T r) {
    return (static_cast<uint32_t>(r >> (kBits<T> - 1)) << 31) |
           (static_cast<uint32_t>(r == 0) << 30);
}

// AddWithCarry(a, b, carry_in) with its NZCV. Subtraction is a + ~b + 1.
template <typename T> inline T adc_flags(T a, T b, unsigned carry_in, uint32_t& nzcv) {
    T t, r;
    bool c1 = __builtin_add_overflow(a, b, &t);
    bool c2 = __builtin_add_overflow(t, static_cast<T>(carry_in), &r);
    // Signed overflow: both operands share a sign the result does not have.
    uint32_t v = static_cast<uint32_t>(((a ^ r) & (b ^ r)) >> (kBits<T> - 1));
    nzcv = nz_flags(r) | (static_cast<uint32_t>(c1 | c2) << 29) | (v << 28);
    return r;
}

// The shifted-register operand: type 0 LSL, 1 LSR, 2 ASR, 3 ROR.
template <typename T> inline T shift_reg(T v, unsigned type, unsigned amount) {
    using S = std::make_signed_t<T>;
    switch (type & 3) {
    case 0: return static_cast<T>(v << amount);
    case 1: return static_cast<T>(v >> amount);
    case 2: return static_cast<T>(static_cast<S>(v) >> amount);
    default: return std::rotr(v, static_cast<int>(amount));
    }
}

// The extended-register operand: option 0-3 UXTB/H/W/X, 4-7 SXTB/H/W/X,
// then shifted left by 0..4.
inline uint64_t extend_reg(uint64_t v, unsigned option, unsigned shift) {
    unsigned drop = 64 - (8u << (option & 3)); // bits above the source width
    uint64_t hi = v << drop;
    uint64_t x =
        (option & 4) ? static_cast<uint64_t>(static_cast<int64_t>(hi) >> drop) : hi >> drop;
    return x << shift;
}

// Condition codes as a table: bit f of kCondTable[cond] tells whether cond
// holds for NZCV value f (N in bit 3). One load and shift, no branches.
inline constexpr std::array<uint16_t, 16> kCondTable = [] {
    std::array<uint16_t, 16> t{};
    for (unsigned cond = 0; cond < 16; cond++)
        for (unsigned f = 0; f < 16; f++)
            if (cond_holds(f << 28, cond)) t[cond] |= static_cast<uint16_t>(1u << f);
    return t;
}();

inline bool cond_pass(uint32_t nzcv, unsigned cond) {
    return (kCondTable[cond & 15] >> (nzcv >> 28)) & 1;
}

} // namespace kestrel::a64
