// Small helpers shared by the instruction handlers.
#pragma once
#include "cpu/cpu.hpp"

#include <cstdint>

namespace kestrel::a64 {

constexpr uint32_t bits(uint32_t insn, unsigned lsb, unsigned width) {
    return (insn >> lsb) & ((1u << width) - 1);
}
constexpr uint32_t bit(uint32_t insn, unsigned n) { return (insn >> n) & 1; }

constexpr int64_t sext(uint64_t v, unsigned width) {
    return static_cast<int64_t>(v << (64 - width)) >> (64 - width);
}

// Evaluates an A64 condition code against NZCV (bits 31:28).
constexpr bool cond_holds(uint32_t nzcv, unsigned cond) {
    bool n = nzcv & kFlagN, z = nzcv & kFlagZ, c = nzcv & kFlagC, v = nzcv & kFlagV;
    bool r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = n == v && !z; break;
    default: r = true; break;
    }
    if ((cond & 1) && cond != 15) r = !r;
    return r;
}

// AddWithCarry for 64- or 32-bit operands; returns the result and sets *nzcv.
inline uint64_t add_with_carry(uint64_t a, uint64_t b, unsigned carry_in, bool is64, uint32_t* nzcv) {
    if (is64) {
        unsigned __int128 u = static_cast<unsigned __int128>(a) + b + carry_in;
        uint64_t r = static_cast<uint64_t>(u);
        if (nzcv) {
            __int128 sres = static_cast<__int128>(static_cast<int64_t>(a)) + static_cast<int64_t>(b) + carry_in;
            uint32_t f = 0;
            if (r >> 63) f |= kFlagN;
            if (r == 0) f |= kFlagZ;
            if (u >> 64) f |= kFlagC;
            if (sres != static_cast<int64_t>(r)) f |= kFlagV;
            *nzcv = f;
        }
        return r;
    }
    uint32_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
    uint64_t u = static_cast<uint64_t>(a32) + b32 + carry_in;
    uint32_t r = static_cast<uint32_t>(u);
    if (nzcv) {
        int64_t sres = static_cast<int64_t>(static_cast<int32_t>(a32)) + static_cast<int32_t>(b32) + carry_in;
        uint32_t f = 0;
        if (r >> 31) f |= kFlagN;
        if (r == 0) f |= kFlagZ;
        if (u >> 32) f |= kFlagC;
        if (sres != static_cast<int32_t>(r)) f |= kFlagV;
        *nzcv = f;
    }
    return r;
}

// Flags of a logical result (N, Z; C and V cleared).
inline uint32_t logic_flags(uint64_t r, bool is64) {
    uint32_t f = 0;
    if (is64 ? (r >> 63) : ((r >> 31) & 1)) f |= kFlagN;
    if ((is64 ? r : static_cast<uint32_t>(r)) == 0) f |= kFlagZ;
    return f;
}

} // namespace kestrel::a64
