// Data processing (immediate): PC-relative addressing, add/subtract,
// logical, move wide, bitfield, extract.
#include "cpu/a64/alu.hpp"
#include "cpu/a64/bitmasks.hpp"
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"

#include <bit>

namespace kestrel::a64 {
namespace {

void adr(Cpu& c, uint32_t i) {
    int64_t imm = sext((bits(i, 5, 19) << 2) | bits(i, 29, 2), 21);
    uint64_t base = c.s.pc;
    if (bit(i, 31)) { // ADRP
        imm *= 4096;
        base &= ~0xfffull;
    }
    c.set_xr(bits(i, 0, 5), base + static_cast<uint64_t>(imm));
}

void add_sub_imm(Cpu& c, uint32_t i) {
    bool is64 = bit(i, 31), sub = bit(i, 30), setflags = bit(i, 29);
    uint64_t imm = bits(i, 10, 12);
    if (bit(i, 22)) imm <<= 12;
    uint64_t a = c.xsp(bits(i, 5, 5));
    uint64_t r = add_with_carry(a, sub ? ~imm : imm, sub ? 1 : 0, is64, setflags ? &c.s.nzcv : nullptr);
    if (!is64) r = static_cast<uint32_t>(r);
    if (setflags)
        c.set_xr(bits(i, 0, 5), r);
    else
        c.set_xsp(bits(i, 0, 5), r);
}

void move_wide(Cpu& c, uint32_t i) {
    bool is64 = bit(i, 31);
    unsigned opc = bits(i, 29, 2), hw = bits(i, 21, 2);
    if (!is64 && hw >= 2) c.undefined();
    unsigned shift = hw * 16;
    uint64_t imm = static_cast<uint64_t>(bits(i, 5, 16)) << shift;
    unsigned rd = bits(i, 0, 5);
    uint64_t r;
    switch (opc) {
    case 0: r = ~imm; break; // MOVN
    case 2: r = imm; break;  // MOVZ
    case 3: r = (c.xr(rd) & ~(0xffffull << shift)) | imm; break; // MOVK
    default: c.undefined();
    }
    if (!is64) r = static_cast<uint32_t>(r);
    c.set_xr(rd, r);
}

// Logical (immediate). Opc: 0 AND, 1 ORR, 2 EOR, 3 ANDS. The 32-bit
// entries fix N=0, so only the reserved element patterns remain to check.
template <typename T, unsigned Opc> void logic_imm(Cpu& c, uint32_t i) {
    BitMasks m = decode_bit_masks(bit(i, 22), bits(i, 10, 6), bits(i, 16, 6), true, kBits<T>);
    if (!m.valid) [[unlikely]]
        c.undefined();
    T imm = static_cast<T>(m.wmask);
    T a = static_cast<T>(c.xr(bits(i, 5, 5)));
    unsigned rd = bits(i, 0, 5);
    if constexpr (Opc == 0) c.set_xsp(rd, a & imm);
    if constexpr (Opc == 1) c.set_xsp(rd, a | imm);
    if constexpr (Opc == 2) c.set_xsp(rd, a ^ imm);
    if constexpr (Opc == 3) {
        T r = a & imm;
        c.s.nzcv = nz_flags(r);
        c.set_xr(rd, r);
    }
}

// The masks of a bitfield move whose element is the whole register
// (DecodeBitMasks with immediate=FALSE and esize = datasize).
template <typename T> struct FieldMasks { T wmask, tmask; };
template <typename T> inline FieldMasks<T> field_masks(unsigned r, unsigned s) {
    constexpr unsigned w = kBits<T>;
    constexpr T all = static_cast<T>(~T(0));
    unsigned d = (s - r) & (w - 1);
    return {std::rotr(static_cast<T>(all >> (w - 1 - s)), static_cast<int>(r)),
            static_cast<T>(all >> (w - 1 - d))};
}

// Bitfield moves. Opc: 0 SBFM, 1 BFM, 2 UBFM. The entries fix N to match
// sf and, for 32 bits, immr<5> = imms<5> = 0, so every instance is valid.
template <typename T, unsigned Opc> void bitfield(Cpu& c, uint32_t i) {
    unsigned r = bits(i, 16, 6), s = bits(i, 10, 6), rd = bits(i, 0, 5);
    FieldMasks<T> m = field_masks<T>(r, s);
    T src = static_cast<T>(c.xr(bits(i, 5, 5)));
    T bot = std::rotr(src, static_cast<int>(r)) & m.wmask;
    T res;
    if constexpr (Opc == 0) { // SBFM: sign bit src<S> fills above the field
        T top = static_cast<T>(T(0) - ((src >> s) & 1));
        res = (top & ~m.tmask) | (bot & m.tmask);
    } else if constexpr (Opc == 1) { // BFM: the destination keeps other bits
        T dst = static_cast<T>(c.xr(rd));
        bot = (dst & ~m.wmask) | bot;
        res = (dst & ~m.tmask) | (bot & m.tmask);
    } else { // UBFM
        res = bot & m.tmask;
    }
    c.set_xr(rd, res);
}

// EXTR: bits lsb.. of the concatenation Rn:Rm.
template <typename T> void extr(Cpu& c, uint32_t i) {
    unsigned lsb = bits(i, 10, 6);
    T hi = static_cast<T>(c.xr(bits(i, 5, 5))), lo = static_cast<T>(c.xr(bits(i, 16, 5)));
    T r;
    if constexpr (sizeof(T) == 8)
        r = static_cast<T>((((unsigned __int128)hi << 64) | lo) >> lsb);
    else
        r = static_cast<T>((((uint64_t)hi << 32) | lo) >> lsb);
    c.set_xr(bits(i, 0, 5), r);
}

constexpr InsnDesc kInsns[] = {
    {"ADR", "dp_imm", P("0 immlo:2 10000 immhi:19 Rd:5"), adr},
    {"ADRP", "dp_imm", P("1 immlo:2 10000 immhi:19 Rd:5"), adr},
    {"ADD_imm", "dp_imm", P("sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5"), add_sub_imm},
    {"ADDS_imm", "dp_imm", P("sf:1 0 1 100010 sh:1 imm12:12 Rn:5 Rd:5"), add_sub_imm},
    {"SUB_imm", "dp_imm", P("sf:1 1 0 100010 sh:1 imm12:12 Rn:5 Rd:5"), add_sub_imm},
    {"SUBS_imm", "dp_imm", P("sf:1 1 1 100010 sh:1 imm12:12 Rn:5 Rd:5"), add_sub_imm},
    {"MOVN", "dp_imm", P("sf:1 00 100101 hw:2 imm16:16 Rd:5"), move_wide},
    {"MOVZ", "dp_imm", P("sf:1 10 100101 hw:2 imm16:16 Rd:5"), move_wide},
    {"MOVK", "dp_imm", P("sf:1 11 100101 hw:2 imm16:16 Rd:5"), move_wide},
    // Logical (immediate): sf=0 with N=1 is unallocated, so no entry has it.
    {"AND_imm_32", "dp_imm", P("0 00 100100 0 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint32_t, 0>},
    {"AND_imm_64", "dp_imm", P("1 00 100100 N:1 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint64_t, 0>},
    {"ORR_imm_32", "dp_imm", P("0 01 100100 0 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint32_t, 1>},
    {"ORR_imm_64", "dp_imm", P("1 01 100100 N:1 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint64_t, 1>},
    {"EOR_imm_32", "dp_imm", P("0 10 100100 0 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint32_t, 2>},
    {"EOR_imm_64", "dp_imm", P("1 10 100100 N:1 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint64_t, 2>},
    {"ANDS_imm_32", "dp_imm", P("0 11 100100 0 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint32_t, 3>},
    {"ANDS_imm_64", "dp_imm", P("1 11 100100 N:1 immr:6 imms:6 Rn:5 Rd:5"), logic_imm<uint64_t, 3>},
    // Bitfield: N must equal sf, and 32-bit forms need immr<5> = imms<5> = 0.
    {"SBFM_32", "dp_imm", P("0 00 100110 0 0 immr:5 0 imms:5 Rn:5 Rd:5"), bitfield<uint32_t, 0>},
    {"SBFM_64", "dp_imm", P("1 00 100110 1 immr:6 imms:6 Rn:5 Rd:5"), bitfield<uint64_t, 0>},
    {"BFM_32", "dp_imm", P("0 01 100110 0 0 immr:5 0 imms:5 Rn:5 Rd:5"), bitfield<uint32_t, 1>},
    {"BFM_64", "dp_imm", P("1 01 100110 1 immr:6 imms:6 Rn:5 Rd:5"), bitfield<uint64_t, 1>},
    {"UBFM_32", "dp_imm", P("0 10 100110 0 0 immr:5 0 imms:5 Rn:5 Rd:5"), bitfield<uint32_t, 2>},
    {"UBFM_64", "dp_imm", P("1 10 100110 1 immr:6 imms:6 Rn:5 Rd:5"), bitfield<uint64_t, 2>},
    // Extract: N must equal sf; a 32-bit lsb must be below 32.
    {"EXTR_32", "dp_imm", P("0 00 100111 0 0 Rm:5 0 imms:5 Rn:5 Rd:5"), extr<uint32_t>},
    {"EXTR_64", "dp_imm", P("1 00 100111 1 0 Rm:5 imms:6 Rn:5 Rd:5"), extr<uint64_t>},
};

} // namespace

std::span<const InsnDesc> dp_imm_insns() { return kInsns; }

} // namespace kestrel::a64
