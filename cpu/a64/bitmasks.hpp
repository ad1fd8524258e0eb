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
// Branch-free: for r = 0 both halves are v itself.
constexpr uint64_t ror_elem(uint64_t v, unsigned r, unsigned esize) {
    return ((v >> r) | (v << ((esize - r) & (esize - 1)))) & (~0ull >> (64 - esize));
}

// Multipliers that repeat an element of 2^len bits across 64 bits
// (0x5555..., 0x1111..., 0x0101..., ...); a table, not a division, because
// logical immediates are decoded on every execution.
inline constexpr uint64_t kReplicate[7] = {
    ~0ull,
    0x5555555555555555ull,
    0x1111111111111111ull,
    0x0101010101010101ull,
    0x0001000100010001ull,
    0x0000000100000001ull,
    1,
};

// Repeats the low esize bits across 64 bits (esize a power of two).
constexpr uint64_t replicate(uint64_t elem, unsigned esize) {
    return elem * kReplicate[std::countr_zero(esize)];
}
constexpr uint64_t elem_replicate(uint64_t elem, unsigned len) {
    return elem * kReplicate[len];
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
    // s + 1 and d + 1 are 1..esize: shifting ~0 right never shifts by 64.
    uint64_t welem = ~0ull >> (63 - s), telem = ~0ull >> (63 - d);
    m.wmask = elem_replicate(ror_elem(welem, r, esize), len);
    m.tmask = elem_replicate(telem, len);
    m.valid = true;
    return m;
}

} // namespace kestrel::a64
