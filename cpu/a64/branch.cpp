// Branches: immediate, conditional, compare/test and branch, register.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"

namespace kestrel::a64 {
namespace {

void b_imm(Cpu& c, uint32_t i) {
    if (bit(i, 31)) c.s.x[30] = c.s.pc + 4; // BL
    c.s.pc += static_cast<uint64_t>(sext(bits(i, 0, 26), 26) * 4);
}

void b_cond(Cpu& c, uint32_t i) {
    if (cond_holds(c.s.nzcv, bits(i, 0, 4)))
        c.s.pc += static_cast<uint64_t>(sext(bits(i, 5, 19), 19) * 4);
    else
        c.s.pc += 4;
}

void cbz(Cpu& c, uint32_t i) {
    uint64_t v = bit(i, 31) ? c.xr(bits(i, 0, 5)) : c.wr(bits(i, 0, 5));
    bool zero = v == 0;
    if (zero != static_cast<bool>(bit(i, 24))) // op=0: CBZ, op=1: CBNZ
        c.s.pc += static_cast<uint64_t>(sext(bits(i, 5, 19), 19) * 4);
    else
        c.s.pc += 4;
}

void tbz(Cpu& c, uint32_t i) {
    unsigned b = (bit(i, 31) << 5) | bits(i, 19, 5);
    bool set = (c.xr(bits(i, 0, 5)) >> b) & 1;
    if (set == static_cast<bool>(bit(i, 24))) // op=0: TBZ, op=1: TBNZ
        c.s.pc += static_cast<uint64_t>(sext(bits(i, 5, 14), 14) * 4);
    else
        c.s.pc += 4;
}

void br_reg(Cpu& c, uint32_t i) {
    uint64_t target = c.xr(bits(i, 5, 5));
    if (bits(i, 21, 2) == 1) c.s.x[30] = c.s.pc + 4; // BLR
    c.s.pc = target;
}

constexpr InsnDesc kInsns[] = {
    {"B", "branch", P("0 00101 imm26:26"), b_imm, Feature::Base, kInsnEndsBlock},
    {"BL", "branch", P("1 00101 imm26:26"), b_imm, Feature::Base, kInsnEndsBlock},
    {"B_cond", "branch", P("0101010 0 imm19:19 0 cond:4"), b_cond, Feature::Base, kInsnEndsBlock},
    {"CBZ", "branch", P("sf:1 011010 0 imm19:19 Rt:5"), cbz, Feature::Base, kInsnEndsBlock},
    {"CBNZ", "branch", P("sf:1 011010 1 imm19:19 Rt:5"), cbz, Feature::Base, kInsnEndsBlock},
    {"TBZ", "branch", P("b5:1 011011 0 b40:5 imm14:14 Rt:5"), tbz, Feature::Base, kInsnEndsBlock},
    {"TBNZ", "branch", P("b5:1 011011 1 b40:5 imm14:14 Rt:5"), tbz, Feature::Base, kInsnEndsBlock},
    {"BR", "branch", P("1101011 0000 11111 000000 Rn:5 00000"), br_reg, Feature::Base, kInsnEndsBlock},
    {"BLR", "branch", P("1101011 0001 11111 000000 Rn:5 00000"), br_reg, Feature::Base, kInsnEndsBlock},
    {"RET", "branch", P("1101011 0010 11111 000000 Rn:5 00000"), br_reg, Feature::Base, kInsnEndsBlock},
};

} // namespace

std::span<const InsnDesc> branch_insns() { return kInsns; }

} // namespace kestrel::a64
