// Data processing (register), the non-flag side: 1-source (bit and byte
// reversal, leading-bit counts), 2-source (division, variable shifts,
// CRC32/CRC32C) and 3-source (multiply-add and multiply-high).
#include "cpu/a64/alu.hpp"
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"

#include <array>
#include <bit>
#include <type_traits>

namespace kestrel::a64 {
namespace {

template <typename T> inline T reg(const Cpu& c, uint32_t i, unsigned lsb) {
    return static_cast<T>(c.xr(bits(i, lsb, 5)));
}

// ---- 1-source ----------------------------------------------------------

// Swaps adjacent groups of `width` bits selected by mask, for all groups.
constexpr uint64_t swap_groups(uint64_t v, uint64_t mask, unsigned width) {
    return ((v >> width) & mask) | ((v & mask) << width);
}

template <typename T> constexpr T bit_reverse(T v) {
    uint64_t x = v;
    x = swap_groups(x, 0x5555555555555555ull, 1);
    x = swap_groups(x, 0x3333333333333333ull, 2);
    x = swap_groups(x, 0x0f0f0f0f0f0f0f0full, 4);
    if constexpr (sizeof(T) == 8)
        return __builtin_bswap64(x);
    else
        return __builtin_bswap32(static_cast<uint32_t>(x));
}

template <typename T> void rbit(Cpu& c, uint32_t i) {
    c.set_xr(bits(i, 0, 5), bit_reverse(reg<T>(c, i, 5)));
}

// REV16: the bytes of every halfword swapped.
template <typename T> void rev16(Cpu& c, uint32_t i) {
    T v = reg<T>(c, i, 5);
    c.set_xr(bits(i, 0, 5), static_cast<T>(swap_groups(v, 0x00ff00ff00ff00ffull, 8)));
}

// REV32 (64-bit only): the bytes of each word reversed.
void rev32(Cpu& c, uint32_t i) {
    uint64_t v = __builtin_bswap64(c.xr(bits(i, 5, 5)));
    c.set_xr(bits(i, 0, 5), (v >> 32) | (v << 32));
}

template <typename T> void rev(Cpu& c, uint32_t i) {
    T v = reg<T>(c, i, 5);
    if constexpr (sizeof(T) == 8)
        c.set_xr(bits(i, 0, 5), __builtin_bswap64(v));
    else
        c.set_xr(bits(i, 0, 5), __builtin_bswap32(v));
}

template <typename T> void clz(Cpu& c, uint32_t i) {
    c.set_xr(bits(i, 0, 5), static_cast<uint64_t>(std::countl_zero(reg<T>(c, i, 5))));
}

// CLS: leading zeros of x<N-1:1> EOR x<N-2:0>. Bit 0 is forced to one so
// that 0 and all-ones give N-1.
template <typename T> void cls(Cpu& c, uint32_t i) {
    T v = reg<T>(c, i, 5);
    T diff = static_cast<T>((v ^ static_cast<T>(v << 1)) | 1);
    c.set_xr(bits(i, 0, 5), static_cast<uint64_t>(std::countl_zero(diff)));
}

// ---- 2-source ----------------------------------------------------------

// Division by zero gives zero; SDIV of the most negative value by -1 wraps
// to itself (computed as an unsigned negation to stay defined in C++).
template <typename T> void udiv(Cpu& c, uint32_t i) {
    T n = reg<T>(c, i, 5), m = reg<T>(c, i, 16);
    c.set_xr(bits(i, 0, 5), m ? static_cast<T>(n / m) : T(0));
}

template <typename T> void sdiv(Cpu& c, uint32_t i) {
    using S = std::make_signed_t<T>;
    T n = reg<T>(c, i, 5), m = reg<T>(c, i, 16);
    T r;
    if (m == 0)
        r = 0;
    else if (static_cast<S>(m) == -1)
        r = static_cast<T>(T(0) - n);
    else
        r = static_cast<T>(static_cast<S>(n) / static_cast<S>(m));
    c.set_xr(bits(i, 0, 5), r);
}

// LSLV/LSRV/ASRV/RORV: the shift amount is Rm modulo the width.
template <typename T, unsigned Type> void shift_var(Cpu& c, uint32_t i) {
    unsigned amount = static_cast<unsigned>(c.xr(bits(i, 16, 5))) & (kBits<T> - 1);
    c.set_xr(bits(i, 0, 5), shift_reg<T>(reg<T>(c, i, 5), Type, amount));
}

// Byte-at-a-time table for a bit-reflected CRC-32 with the given
// (reflected) polynomial.
constexpr std::array<uint32_t, 256> crc_table(uint32_t poly) {
    std::array<uint32_t, 256> t{};
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t v = b;
        for (int k = 0; k < 8; k++)
            v = (v >> 1) ^ (poly & (0u - (v & 1)));
        t[b] = v;
    }
    return t;
}
constexpr auto kCrc32Table = crc_table(0xedb88320u);  // 0x04C11DB7 reflected
constexpr auto kCrc32cTable = crc_table(0x82f63b78u); // 0x1EDC6F41 reflected

// CRC32{B,H,W,X} and CRC32C{B,H,W,X}: Wd = CRC of Rm's low Bytes bytes
// into the accumulator Wn, without pre- or post-inversion.
template <unsigned Bytes, bool Castagnoli> void crc32(Cpu& c, uint32_t i) {
    const auto& table = Castagnoli ? kCrc32cTable : kCrc32Table;
    uint32_t acc = c.wr(bits(i, 5, 5));
    uint64_t data = c.xr(bits(i, 16, 5));
    for (unsigned k = 0; k < Bytes; k++) {
        acc = table[(acc ^ data) & 0xff] ^ (acc >> 8);
        data >>= 8;
    }
    c.set_xr(bits(i, 0, 5), acc);
}

// ---- 3-source ----------------------------------------------------------

template <typename T, bool Sub> void madd(Cpu& c, uint32_t i) {
    T p = static_cast<T>(reg<T>(c, i, 5) * reg<T>(c, i, 16));
    T a = reg<T>(c, i, 10);
    c.set_xr(bits(i, 0, 5), Sub ? static_cast<T>(a - p) : static_cast<T>(a + p));
}

// SMADDL/SMSUBL/UMADDL/UMSUBL: 32x32->64 product into a 64-bit addend.
template <bool Signed, bool Sub> void madd_long(Cpu& c, uint32_t i) {
    uint32_t n = c.wr(bits(i, 5, 5)), m = c.wr(bits(i, 16, 5));
    uint64_t p =
        Signed ? static_cast<uint64_t>(int64_t{static_cast<int32_t>(n)} * static_cast<int32_t>(m))
               : uint64_t{n} * m;
    uint64_t a = c.xr(bits(i, 10, 5));
    c.set_xr(bits(i, 0, 5), Sub ? a - p : a + p);
}

// SMULH/UMULH: the high half of the 128-bit product. Ra is ignored.
template <bool Signed> void mul_high(Cpu& c, uint32_t i) {
    uint64_t n = c.xr(bits(i, 5, 5)), m = c.xr(bits(i, 16, 5));
    uint64_t hi;
    if constexpr (Signed)
        hi = static_cast<uint64_t>((__int128{static_cast<int64_t>(n)} * static_cast<int64_t>(m)) >>
                                   64);
    else
        hi = static_cast<uint64_t>((static_cast<unsigned __int128>(n) * m) >> 64);
    c.set_xr(bits(i, 0, 5), hi);
}

constexpr const char* kGroup = "dp_reg";

// clang-format off

// One entry per width: the pattern after the sf bit is shared.
#define SF_PAIR(name, pat, fn, ...) \
    {name "_32", kGroup, P("0 " pat), fn<uint32_t __VA_OPT__(,) __VA_ARGS__>}, \
    {name "_64", kGroup, P("1 " pat), fn<uint64_t __VA_OPT__(,) __VA_ARGS__>}
// clang-format on

constexpr InsnDesc kInsns[] = {
    // Data-processing (1 source): sf 1 0 11010110 opcode2=00000 opcode Rn Rd.
    SF_PAIR("RBIT", "1 0 11010110 00000 000000 Rn:5 Rd:5", rbit),
    SF_PAIR("REV16", "1 0 11010110 00000 000001 Rn:5 Rd:5", rev16),
    {"REV_32", kGroup, P("0 1 0 11010110 00000 000010 Rn:5 Rd:5"), rev<uint32_t>},
    {"REV32_64", kGroup, P("1 1 0 11010110 00000 000010 Rn:5 Rd:5"), rev32},
    {"REV_64", kGroup, P("1 1 0 11010110 00000 000011 Rn:5 Rd:5"), rev<uint64_t>},
    SF_PAIR("CLZ", "1 0 11010110 00000 000100 Rn:5 Rd:5", clz),
    SF_PAIR("CLS", "1 0 11010110 00000 000101 Rn:5 Rd:5", cls),

    // Data-processing (2 source): sf 0 0 11010110 Rm opcode Rn Rd.
    SF_PAIR("UDIV", "0 0 11010110 Rm:5 000010 Rn:5 Rd:5", udiv),
    SF_PAIR("SDIV", "0 0 11010110 Rm:5 000011 Rn:5 Rd:5", sdiv),
    SF_PAIR("LSLV", "0 0 11010110 Rm:5 001000 Rn:5 Rd:5", shift_var, 0),
    SF_PAIR("LSRV", "0 0 11010110 Rm:5 001001 Rn:5 Rd:5", shift_var, 1),
    SF_PAIR("ASRV", "0 0 11010110 Rm:5 001010 Rn:5 Rd:5", shift_var, 2),
    SF_PAIR("RORV", "0 0 11010110 Rm:5 001011 Rn:5 Rd:5", shift_var, 3),
    {"CRC32B", kGroup, P("0 0 0 11010110 Rm:5 010000 Rn:5 Rd:5"), crc32<1, false>, Feature::CRC32},
    {"CRC32H", kGroup, P("0 0 0 11010110 Rm:5 010001 Rn:5 Rd:5"), crc32<2, false>, Feature::CRC32},
    {"CRC32W", kGroup, P("0 0 0 11010110 Rm:5 010010 Rn:5 Rd:5"), crc32<4, false>, Feature::CRC32},
    {"CRC32X", kGroup, P("1 0 0 11010110 Rm:5 010011 Rn:5 Rd:5"), crc32<8, false>, Feature::CRC32},
    {"CRC32CB", kGroup, P("0 0 0 11010110 Rm:5 010100 Rn:5 Rd:5"), crc32<1, true>, Feature::CRC32},
    {"CRC32CH", kGroup, P("0 0 0 11010110 Rm:5 010101 Rn:5 Rd:5"), crc32<2, true>, Feature::CRC32},
    {"CRC32CW", kGroup, P("0 0 0 11010110 Rm:5 010110 Rn:5 Rd:5"), crc32<4, true>, Feature::CRC32},
    {"CRC32CX", kGroup, P("1 0 0 11010110 Rm:5 010111 Rn:5 Rd:5"), crc32<8, true>, Feature::CRC32},

    // Data-processing (3 source): sf 00 11011 op31 Rm o0 Ra Rn Rd.
    SF_PAIR("MADD", "00 11011 000 Rm:5 0 Ra:5 Rn:5 Rd:5", madd, false),
    SF_PAIR("MSUB", "00 11011 000 Rm:5 1 Ra:5 Rn:5 Rd:5", madd, true),
    {"SMADDL", kGroup, P("1 00 11011 001 Rm:5 0 Ra:5 Rn:5 Rd:5"), madd_long<true, false>},
    {"SMSUBL", kGroup, P("1 00 11011 001 Rm:5 1 Ra:5 Rn:5 Rd:5"), madd_long<true, true>},
    {"SMULH", kGroup, P("1 00 11011 010 Rm:5 0 Ra:5 Rn:5 Rd:5"), mul_high<true>},
    {"UMADDL", kGroup, P("1 00 11011 101 Rm:5 0 Ra:5 Rn:5 Rd:5"), madd_long<false, false>},
    {"UMSUBL", kGroup, P("1 00 11011 101 Rm:5 1 Ra:5 Rn:5 Rd:5"), madd_long<false, true>},
    {"UMULH", kGroup, P("1 00 11011 110 Rm:5 0 Ra:5 Rn:5 Rd:5"), mul_high<false>},
};

#undef SF_PAIR

} // namespace

std::span<const InsnDesc> dp_reg_misc_insns() { return kInsns; }

} // namespace kestrel::a64
