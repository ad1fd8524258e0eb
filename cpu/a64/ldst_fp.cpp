// Loads and stores of SIMD&FP registers: LDR/STR of B/H/S/D/Q in the
// unsigned-offset, unscaled (LDUR/STUR), pre/post-index, register-offset and
// literal (S/D/Q) forms, and LDP/STP/LDNP/STNP of S/D/Q pairs.
//
// Loading a B/H/S/D register zeroes the rest of its 128 bits. Registers
// change only after the whole access succeeded; with a writeback and Rt ==
// Rn nothing conflicts (Rn is a general-purpose register). A pair load with
// Rt == Rt2 leaves the second value, as qemu does.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/ldst_util.hpp"

namespace kestrel::a64 {
namespace {

// Bytes: 1, 2, 4, 8 or 16 (Q).
template <unsigned Bytes> inline VReg fp_load(Cpu& c, uint64_t va) {
    VReg v;
    if constexpr (Bytes == 1) v.lo = c.load<uint8_t>(va);
    if constexpr (Bytes == 2) v.lo = c.load<uint16_t>(va);
    if constexpr (Bytes == 4) v.lo = c.load<uint32_t>(va);
    if constexpr (Bytes == 8) v.lo = c.load<uint64_t>(va);
    if constexpr (Bytes == 16) {
        // One 16-byte access (alignment faults included), made as two.
        c.check_access_alignment(va, 16, AccessType::Read);
        v = load_pair64(c, va);
    }
    return v;
}

template <unsigned Bytes> inline void fp_store(Cpu& c, uint64_t va, const VReg& v) {
    if constexpr (Bytes == 1) c.store<uint8_t>(va, static_cast<uint8_t>(v.lo));
    if constexpr (Bytes == 2) c.store<uint16_t>(va, static_cast<uint16_t>(v.lo));
    if constexpr (Bytes == 4) c.store<uint32_t>(va, static_cast<uint32_t>(v.lo));
    if constexpr (Bytes == 8) c.store<uint64_t>(va, v.lo);
    if constexpr (Bytes == 16) {
        c.check_access_alignment(va, 16, AccessType::Write);
        store_pair64(c, va, v.lo, v.hi);
    }
}

template <unsigned Bytes, bool Load> inline void fp_transfer(Cpu& c, unsigned rt, uint64_t va) {
    if constexpr (Load)
        c.s.v[rt] = fp_load<Bytes>(c, va);
    else
        fp_store<Bytes>(c, va, c.s.v[rt]);
}

template <unsigned Bytes> constexpr unsigned log2_bytes() {
    return Bytes == 1 ? 0 : Bytes == 2 ? 1 : Bytes == 4 ? 2 : Bytes == 8 ? 3 : 4;
}

template <unsigned Bytes, bool Load> void fp_uimm(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    uint64_t va = ldst_base(c, bits(i, 5, 5)) +
                  (static_cast<uint64_t>(bits(i, 10, 12)) << log2_bytes<Bytes>());
    fp_transfer<Bytes, Load>(c, bits(i, 0, 5), va);
}

template <unsigned Bytes, bool Load> void fp_unscaled(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    uint64_t va = ldst_base(c, bits(i, 5, 5)) + static_cast<uint64_t>(sext(bits(i, 12, 9), 9));
    fp_transfer<Bytes, Load>(c, bits(i, 0, 5), va);
}

template <unsigned Bytes, bool Load, bool Post> void fp_writeback(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    unsigned rn = bits(i, 5, 5);
    uint64_t base = ldst_base(c, rn);
    uint64_t next = base + static_cast<uint64_t>(sext(bits(i, 12, 9), 9));
    fp_transfer<Bytes, Load>(c, bits(i, 0, 5), Post ? base : next);
    c.set_xsp(rn, next);
}

template <unsigned Bytes, bool Load> void fp_reg(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    uint64_t m = c.xr(bits(i, 16, 5));
    if (!bit(i, 13))
        m = bit(i, 15) ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(m)))
                       : static_cast<uint32_t>(m);
    if (bit(i, 12)) m <<= log2_bytes<Bytes>();
    fp_transfer<Bytes, Load>(c, bits(i, 0, 5), ldst_base(c, bits(i, 5, 5)) + m);
}

template <unsigned Bytes> void fp_literal(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    uint64_t va = c.s.pc + (static_cast<uint64_t>(sext(bits(i, 5, 19), 19)) << 2);
    c.s.v[bits(i, 0, 5)] = fp_load<Bytes>(c, va);
}

enum class Idx : uint8_t { Post, Offset, Pre };

template <unsigned Bytes, bool Load, Idx M> void fp_pair(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    unsigned rt = bits(i, 0, 5), rn = bits(i, 5, 5), rt2 = bits(i, 10, 5);
    uint64_t base = ldst_base(c, rn);
    uint64_t addr = base + (static_cast<uint64_t>(sext(bits(i, 15, 7), 7)) << log2_bytes<Bytes>());
    uint64_t va = M == Idx::Post ? base : addr;
    if constexpr (Load) {
        VReg a = fp_load<Bytes>(c, va);
        VReg b = fp_load<Bytes>(c, va + Bytes);
        c.s.v[rt] = a;
        c.s.v[rt2] = b;
    } else {
        if (crosses_page(va, 2 * Bytes)) [[unlikely]]
            probe_write(c, va, 2 * Bytes);
        VReg a = c.s.v[rt], b = c.s.v[rt2];
        fp_store<Bytes>(c, va, a);
        fp_store<Bytes>(c, va + Bytes, b);
    }
    if constexpr (M != Idx::Offset) c.set_xsp(rn, addr);
}

constexpr const char* kGroup = "ldst_fp";
constexpr uint16_t kMem = kInsnMem;

// One register size (size, opc<1>) and direction (opc<0>) in the five
// addressing modes.
// clang-format off
#define LDST_FP(NAME, UNAME, SZ, OPC, BYTES, LOAD)                                                 \
    {NAME "_imm", kGroup, P(SZ " 111 1 01 " OPC " imm12:12 Rn:5 Rt:5"), fp_uimm<BYTES, LOAD>,      \
     Feature::FP, kMem},                                                                           \
    {UNAME, kGroup, P(SZ " 111 1 00 " OPC " 0 imm9:9 00 Rn:5 Rt:5"), fp_unscaled<BYTES, LOAD>,     \
     Feature::FP, kMem},                                                                           \
    {NAME "_post", kGroup, P(SZ " 111 1 00 " OPC " 0 imm9:9 01 Rn:5 Rt:5"),                        \
     fp_writeback<BYTES, LOAD, true>, Feature::FP, kMem},                                          \
    {NAME "_pre", kGroup, P(SZ " 111 1 00 " OPC " 0 imm9:9 11 Rn:5 Rt:5"),                         \
     fp_writeback<BYTES, LOAD, false>, Feature::FP, kMem},                                         \
    {NAME "_reg", kGroup, P(SZ " 111 1 00 " OPC " 1 Rm:5 x1x S:1 10 Rn:5 Rt:5"),                   \
     fp_reg<BYTES, LOAD>, Feature::FP, kMem}
// clang-format on

// opc 101 1 mode L imm7 Rt2 Rn Rt
// clang-format off
#define PAIR_FP(NAME, OPC, MODE, L, BYTES, IDX)                                                    \
    {NAME, kGroup, P(OPC " 101 1 " MODE " " L " imm7:7 Rt2:5 Rn:5 Rt:5"),                          \
     fp_pair<BYTES, L[0] == '1', IDX>, Feature::FP, kMem}
// clang-format on

// clang-format off
#define PAIR_FP_MODES(SUFFIX, OPC, BYTES)                                                          \
    PAIR_FP("STNP_" SUFFIX, OPC, "000", "0", BYTES, Idx::Offset),                                  \
    PAIR_FP("LDNP_" SUFFIX, OPC, "000", "1", BYTES, Idx::Offset),                                  \
    PAIR_FP("STP_" SUFFIX "_post", OPC, "001", "0", BYTES, Idx::Post),                             \
    PAIR_FP("LDP_" SUFFIX "_post", OPC, "001", "1", BYTES, Idx::Post),                             \
    PAIR_FP("STP_" SUFFIX, OPC, "010", "0", BYTES, Idx::Offset),                                   \
    PAIR_FP("LDP_" SUFFIX, OPC, "010", "1", BYTES, Idx::Offset),                                   \
    PAIR_FP("STP_" SUFFIX "_pre", OPC, "011", "0", BYTES, Idx::Pre),                               \
    PAIR_FP("LDP_" SUFFIX "_pre", OPC, "011", "1", BYTES, Idx::Pre)
// clang-format on

constexpr InsnDesc kInsns[] = {
    LDST_FP("STR_B", "STUR_B", "00", "00", 1, false),
    LDST_FP("LDR_B", "LDUR_B", "00", "01", 1, true),
    LDST_FP("STR_H", "STUR_H", "01", "00", 2, false),
    LDST_FP("LDR_H", "LDUR_H", "01", "01", 2, true),
    LDST_FP("STR_S", "STUR_S", "10", "00", 4, false),
    LDST_FP("LDR_S", "LDUR_S", "10", "01", 4, true),
    LDST_FP("STR_D", "STUR_D", "11", "00", 8, false),
    LDST_FP("LDR_D", "LDUR_D", "11", "01", 8, true),
    LDST_FP("STR_Q", "STUR_Q", "00", "10", 16, false),
    LDST_FP("LDR_Q", "LDUR_Q", "00", "11", 16, true),
    {"LDR_S_lit", kGroup, P("00 011 1 00 imm19:19 Rt:5"), fp_literal<4>, Feature::FP, kMem},
    {"LDR_D_lit", kGroup, P("01 011 1 00 imm19:19 Rt:5"), fp_literal<8>, Feature::FP, kMem},
    {"LDR_Q_lit", kGroup, P("10 011 1 00 imm19:19 Rt:5"), fp_literal<16>, Feature::FP, kMem},
    PAIR_FP_MODES("S", "00", 4),
    PAIR_FP_MODES("D", "01", 8),
    PAIR_FP_MODES("Q", "10", 16),
};

#undef LDST_FP
#undef PAIR_FP
#undef PAIR_FP_MODES

} // namespace

std::span<const InsnDesc> ldst_fp_insns() {
    return kInsns;
}

} // namespace kestrel::a64
