// DecodeBitMasks from the Arm ARM: the immediate masks of logical
// (immediate) instructions, bitfield moves and the SIMD/SVE immediates.
#pragma once
#include <bit>
#include <cstdint>

namespace kestrel::a64 {

struct BitMasks {
    uint64_t wmask = 0; // the rotated element mask, replicated
    uint64_t tmask = 0; // the top mask (bitfield moves), replicated
    bool valid = false; // false: reserved encoding (UNDEFINED)
};

// All-ones in the low n bits, 0 <= n <= 64.
constexpr uint64_t ones(unsigned n) {
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

// Rotate right within an element of esize bits (esize 2..64, r < esize).
constexpr uint64_t ror_elem(uint64_t v, unsigned r, unsigned esize) {
    if (r == 0) return v;
    return ((v >> r) | (v << (esize - r))) & ones(esize);
}

// Repeats the low esize bits across 64 bits (esize a power of two).
constexpr uint64_t replicate(uint64_t elem, unsigned esize) {
    return esize == 64 ? elem : elem * (~0ull / ones(esize));
}

// n: the N bit, imms/immr: 6-bit fields, immediate: true for logical
// immediates (where an all-ones element is reserved), datasize: 32 or 64.
// The masks are returned for 64 bits; callers of 32-bit forms truncate.
constexpr BitMasks decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate,
                                    unsigned datasize) {
    BitMasks m;
    unsigned combined = ((n & 1) << 6) | (~imms & 0x3f);
    if (combined == 0) return m;
    unsigned len = 31 - static_cast<unsigned>(std::countl_zero(combined));
    if (len < 1) return m;
    unsigned esize = 1u << len;
    if (esize > datasize) return m;
    unsigned levels = esize - 1;
    if (immediate && (imms & levels) == levels) return m;
    unsigned s = imms & levels, r = immr & levels;
    unsigned d = (s - r) & levels;
    m.wmask = replicate(ror_elem(ones(s + 1), r, esize), esize);
    m.tmask = replicate(ones(d + 1), esize);
    m.valid = true;
    return m;
}

} // namespace kestrel::a64
