// Data processing (immediate): PC-relative addressing, add/subtract,
// logical, move wide, bitfield, extract.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"

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
};

} // namespace

std::span<const InsnDesc> dp_imm_insns() { return kInsns; }

} // namespace kestrel::a64
