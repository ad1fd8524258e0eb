// Data processing (register), the flag-setting arithmetic side: logical
// (shifted register), add/subtract (shifted and extended register),
// add/subtract with carry, conditional compare and conditional select.
//
// Every handler is instantiated per operand width (T = uint32_t for the W
// forms, uint64_t for the X forms) and per operation, so the table binds
// each encoding to straight-line code.
#include "cpu/a64/alu.hpp"
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"

namespace kestrel::a64 {
namespace {

template <typename T> inline T reg(const Cpu& c, uint32_t i, unsigned lsb) {
    return static_cast<T>(c.xr(bits(i, lsb, 5)));
}

// Logical (shifted register). Opc: 0 AND, 1 ORR, 2 EOR, 3 ANDS; Invert
// selects the BIC/ORN/EON/BICS forms (N=1). All shift types are allowed.
template <typename T, unsigned Opc, bool Invert> void logic_sreg(Cpu& c, uint32_t i) {
    T b = shift_reg<T>(reg<T>(c, i, 16), bits(i, 22, 2), bits(i, 10, 6));
    if constexpr (Invert) b = static_cast<T>(~b);
    T a = reg<T>(c, i, 5), r;
    if constexpr (Opc == 0 || Opc == 3) r = a & b;
    if constexpr (Opc == 1) r = a | b;
    if constexpr (Opc == 2) r = a ^ b;
    if constexpr (Opc == 3) c.s.nzcv = nz_flags(r);
    c.set_xr(bits(i, 0, 5), r);
}

// Add/subtract (shifted register); shift type 3 (ROR) is reserved.
template <typename T, bool Sub, bool SetFlags> void add_sub_sreg(Cpu& c, uint32_t i) {
    unsigned type = bits(i, 22, 2);
    if (type == 3) [[unlikely]]
        c.undefined();
    T a = reg<T>(c, i, 5);
    T b = shift_reg<T>(reg<T>(c, i, 16), type, bits(i, 10, 6));
    T r;
    if constexpr (SetFlags)
        r = adc_flags<T>(a, Sub ? static_cast<T>(~b) : b, Sub, c.s.nzcv);
    else
        r = Sub ? static_cast<T>(a - b) : static_cast<T>(a + b);
    c.set_xr(bits(i, 0, 5), r);
}

// Add/subtract (extended register): Rn is SP-capable, Rd too unless the
// form sets flags; a left shift above 4 is reserved.
template <typename T, bool Sub, bool SetFlags> void add_sub_ereg(Cpu& c, uint32_t i) {
    unsigned shift = bits(i, 10, 3);
    if (shift > 4) [[unlikely]]
        c.undefined();
    T a = static_cast<T>(c.xsp(bits(i, 5, 5)));
    T b = static_cast<T>(extend_reg(c.xr(bits(i, 16, 5)), bits(i, 13, 3), shift));
    unsigned rd = bits(i, 0, 5);
    if constexpr (SetFlags) {
        c.set_xr(rd, adc_flags<T>(a, Sub ? static_cast<T>(~b) : b, Sub, c.s.nzcv));
    } else {
        c.set_xsp(rd, Sub ? static_cast<T>(a - b) : static_cast<T>(a + b));
    }
}

// ADC/ADCS/SBC/SBCS: SBC adds the inverted operand, like AddWithCarry.
template <typename T, bool Sub, bool SetFlags> void add_sub_carry(Cpu& c, uint32_t i) {
    T a = reg<T>(c, i, 5), b = reg<T>(c, i, 16);
    if constexpr (Sub) b = static_cast<T>(~b);
    unsigned carry = (c.s.nzcv >> 29) & 1;
    T r;
    if constexpr (SetFlags)
        r = adc_flags<T>(a, b, carry, c.s.nzcv);
    else
        r = static_cast<T>(a + b + carry);
    c.set_xr(bits(i, 0, 5), r);
}

// CCMN/CCMP: the comparison's flags if the condition holds, else the
// immediate nzcv. Both are computed and one selected, without branches.
template <typename T, bool Sub, bool Imm> void cond_compare(Cpu& c, uint32_t i) {
    T a = reg<T>(c, i, 5);
    T b = Imm ? static_cast<T>(bits(i, 16, 5)) : reg<T>(c, i, 16);
    uint32_t f;
    adc_flags<T>(a, Sub ? static_cast<T>(~b) : b, Sub, f);
    c.s.nzcv = cond_pass(c.s.nzcv, bits(i, 12, 4)) ? f : bits(i, 0, 4) << 28;
}

// CSEL/CSINC/CSINV/CSNEG: Rn if the condition holds, else Rm transformed.
// Inv and Inc together (CSNEG) give the two's complement negation.
template <typename T, bool Inv, bool Inc> void cond_select(Cpu& c, uint32_t i) {
    T m = reg<T>(c, i, 16);
    if constexpr (Inv) m = static_cast<T>(~m);
    if constexpr (Inc) m = static_cast<T>(m + 1);
    T r = cond_pass(c.s.nzcv, bits(i, 12, 4)) ? reg<T>(c, i, 5) : m;
    c.set_xr(bits(i, 0, 5), r);
}

constexpr const char* kGroup = "dp_reg";

// clang-format off

// One entry per width: the pattern after the sf bit is shared.
#define SF_PAIR(name, pat, fn, ...) \
    {name "_32", kGroup, P("0 " pat), fn<uint32_t, __VA_ARGS__>}, \
    {name "_64", kGroup, P("1 " pat), fn<uint64_t, __VA_ARGS__>}
// Shifted-register forms: a 32-bit shift amount needs imm6<5> = 0.
#define SREG_PAIR(name, head, fn, ...) \
    {name "_32", kGroup, P("0 " head " Rm:5 0 imm6:5 Rn:5 Rd:5"), fn<uint32_t, __VA_ARGS__>}, \
    {name "_64", kGroup, P("1 " head " Rm:5 imm6:6 Rn:5 Rd:5"), fn<uint64_t, __VA_ARGS__>}
// clang-format on

constexpr InsnDesc kInsns[] = {
    SREG_PAIR("AND_sreg", "00 01010 shift:2 0", logic_sreg, 0, false),
    SREG_PAIR("BIC_sreg", "00 01010 shift:2 1", logic_sreg, 0, true),
    SREG_PAIR("ORR_sreg", "01 01010 shift:2 0", logic_sreg, 1, false),
    SREG_PAIR("ORN_sreg", "01 01010 shift:2 1", logic_sreg, 1, true),
    SREG_PAIR("EOR_sreg", "10 01010 shift:2 0", logic_sreg, 2, false),
    SREG_PAIR("EON_sreg", "10 01010 shift:2 1", logic_sreg, 2, true),
    SREG_PAIR("ANDS_sreg", "11 01010 shift:2 0", logic_sreg, 3, false),
    SREG_PAIR("BICS_sreg", "11 01010 shift:2 1", logic_sreg, 3, true),

    SREG_PAIR("ADD_sreg", "0 0 01011 shift:2 0", add_sub_sreg, false, false),
    SREG_PAIR("ADDS_sreg", "0 1 01011 shift:2 0", add_sub_sreg, false, true),
    SREG_PAIR("SUB_sreg", "1 0 01011 shift:2 0", add_sub_sreg, true, false),
    SREG_PAIR("SUBS_sreg", "1 1 01011 shift:2 0", add_sub_sreg, true, true),

    SF_PAIR("ADD_ereg", "0 0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", add_sub_ereg, false,
            false),
    SF_PAIR("ADDS_ereg", "0 1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", add_sub_ereg, false,
            true),
    SF_PAIR("SUB_ereg", "1 0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", add_sub_ereg, true, false),
    SF_PAIR("SUBS_ereg", "1 1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", add_sub_ereg, true, true),

    SF_PAIR("ADC", "0 0 11010000 Rm:5 000000 Rn:5 Rd:5", add_sub_carry, false, false),
    SF_PAIR("ADCS", "0 1 11010000 Rm:5 000000 Rn:5 Rd:5", add_sub_carry, false, true),
    SF_PAIR("SBC", "1 0 11010000 Rm:5 000000 Rn:5 Rd:5", add_sub_carry, true, false),
    SF_PAIR("SBCS", "1 1 11010000 Rm:5 000000 Rn:5 Rd:5", add_sub_carry, true, true),

    SF_PAIR("CCMN_reg", "0 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4", cond_compare, false, false),
    SF_PAIR("CCMP_reg", "1 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4", cond_compare, true, false),
    SF_PAIR("CCMN_imm", "0 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4", cond_compare, false, true),
    SF_PAIR("CCMP_imm", "1 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4", cond_compare, true, true),

    SF_PAIR("CSEL", "0 0 11010100 Rm:5 cond:4 0 0 Rn:5 Rd:5", cond_select, false, false),
    SF_PAIR("CSINC", "0 0 11010100 Rm:5 cond:4 0 1 Rn:5 Rd:5", cond_select, false, true),
    SF_PAIR("CSINV", "1 0 11010100 Rm:5 cond:4 0 0 Rn:5 Rd:5", cond_select, true, false),
    SF_PAIR("CSNEG", "1 0 11010100 Rm:5 cond:4 0 1 Rn:5 Rd:5", cond_select, true, true),
};

#undef SF_PAIR
#undef SREG_PAIR

} // namespace

std::span<const InsnDesc> dp_reg_arith_insns() { return kInsns; }

} // namespace kestrel::a64
