// Loads and stores of one general-purpose register: unsigned offset,
// unscaled (LDUR/STUR), pre/post-index, unprivileged (LDTR/STTR), register
// offset and PC-relative literal forms, plus the PRFM/PRFUM prefetches.
//
// Every handler computes the address from the original registers, performs
// the access and only then writes registers, so a fault changes nothing.
// With writeback and Rt == Rn a load's writeback wins and a store stores
// the original base, the CONSTRAINED UNPREDICTABLE choices qemu makes.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/ldst_util.hpp"

#include <type_traits>

namespace kestrel::a64 {
namespace {

// What a transfer does with the register: store it, or load and extend.
enum class Ld : uint8_t { Store, Zero, Sign64, Sign32 };

template <typename T, Ld K> inline void transfer(Cpu& c, unsigned rt, uint64_t va) {
    if constexpr (K == Ld::Store) {
        c.store<T>(va, static_cast<T>(c.xr(rt)));
    } else {
        using S = std::make_signed_t<T>;
        T v = c.load<T>(va);
        uint64_t r;
        if constexpr (K == Ld::Zero)
            r = v;
        else if constexpr (K == Ld::Sign64)
            r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<S>(v)));
        else
            r = static_cast<uint32_t>(static_cast<int32_t>(static_cast<S>(v)));
        c.set_xr(rt, r);
    }
}

template <typename T, Ld K> void ldst_uimm(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5)) + static_cast<uint64_t>(bits(i, 10, 12)) * sizeof(T);
    transfer<T, K>(c, bits(i, 0, 5), va);
}

template <typename T, Ld K> void ldst_unscaled(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5)) + static_cast<uint64_t>(sext(bits(i, 12, 9), 9));
    transfer<T, K>(c, bits(i, 0, 5), va);
}

template <typename T, Ld K, bool Post> void ldst_writeback(Cpu& c, uint32_t i) {
    unsigned rn = bits(i, 5, 5);
    uint64_t base = ldst_base(c, rn);
    uint64_t next = base + static_cast<uint64_t>(sext(bits(i, 12, 9), 9));
    transfer<T, K>(c, bits(i, 0, 5), Post ? base : next);
    c.set_xsp(rn, next);
}

// Runs an access in the EL0 translation regime (so EL0 permissions apply)
// on behalf of an EL1 LDTR/STTR. A fault is still taken from EL1.
template <typename T, Ld K>
[[gnu::noinline]] void transfer_as_el0(Cpu& c, unsigned rt, uint64_t va) {
    struct El0Regime {
        Cpu& c;
        uint8_t el;
        explicit El0Regime(Cpu& cpu) : c(cpu), el(cpu.s.el) {
            c.s.el = 0;
            c.update_mmu_idx();
        }
        ~El0Regime() {
            c.s.el = el;
            c.update_mmu_idx();
        }
    };
    try {
        El0Regime scope(c);
        transfer<T, K>(c, rt, va);
    } catch (GuestException& e) {
        if (e.ec == ExcClass::DataAbortLower) e.ec = ExcClass::DataAbortSame;
        throw;
    }
}

// LDTR/STTR: at EL1 without PSTATE.UAO the access is checked as if at EL0;
// elsewhere they behave as LDUR/STUR.
template <typename T, Ld K> void ldst_unpriv(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5)) + static_cast<uint64_t>(sext(bits(i, 12, 9), 9));
    if (c.s.el == 1 && !c.s.uao) [[unlikely]]
        transfer_as_el0<T, K>(c, bits(i, 0, 5), va);
    else
        transfer<T, K>(c, bits(i, 0, 5), va);
}

// Register offset: option<1> is always 1 here (the table excludes the
// rest); option<0> clear means a 32-bit index, option<2> a signed one.
inline uint64_t reg_offset(Cpu& c, uint32_t i, unsigned scale_log2) {
    uint64_t m = c.xr(bits(i, 16, 5));
    if (!bit(i, 13))
        m = bit(i, 15) ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(m)))
                       : static_cast<uint32_t>(m);
    return bit(i, 12) ? m << scale_log2 : m;
}

template <typename T> constexpr unsigned log2_size() {
    return sizeof(T) == 1 ? 0 : sizeof(T) == 2 ? 1 : sizeof(T) == 4 ? 2 : 3;
}

template <typename T, Ld K> void ldst_reg(Cpu& c, uint32_t i) {
    uint64_t va = ldst_base(c, bits(i, 5, 5)) + reg_offset(c, i, log2_size<T>());
    transfer<T, K>(c, bits(i, 0, 5), va);
}

template <typename T, Ld K> void ld_literal(Cpu& c, uint32_t i) {
    uint64_t va = c.s.pc + (static_cast<uint64_t>(sext(bits(i, 5, 19), 19)) << 2);
    transfer<T, K>(c, bits(i, 0, 5), va);
}

// Prefetches are hints: no access, no fault (not even SP alignment).
void prefetch(Cpu&, uint32_t) {}

constexpr const char* kGroup = "ldst_single";
constexpr uint16_t kMem = kInsnMem;

// One register size/opc combination in all six addressing modes.
// clang-format off
#define LDST_GPR(NAME, UNAME, TNAME, SZ, OPC, T, K)                                                \
    {NAME "_imm", kGroup, P(SZ " 111 0 01 " OPC " imm12:12 Rn:5 Rt:5"), ldst_uimm<T, K>,           \
     Feature::Base, kMem},                                                                         \
    {UNAME, kGroup, P(SZ " 111 0 00 " OPC " 0 imm9:9 00 Rn:5 Rt:5"), ldst_unscaled<T, K>,          \
     Feature::Base, kMem},                                                                         \
    {NAME "_post", kGroup, P(SZ " 111 0 00 " OPC " 0 imm9:9 01 Rn:5 Rt:5"),                        \
     ldst_writeback<T, K, true>, Feature::Base, kMem},                                             \
    {TNAME, kGroup, P(SZ " 111 0 00 " OPC " 0 imm9:9 10 Rn:5 Rt:5"), ldst_unpriv<T, K>,            \
     Feature::Base, kMem},                                                                         \
    {NAME "_pre", kGroup, P(SZ " 111 0 00 " OPC " 0 imm9:9 11 Rn:5 Rt:5"),                         \
     ldst_writeback<T, K, false>, Feature::Base, kMem},                                            \
    {NAME "_reg", kGroup, P(SZ " 111 0 00 " OPC " 1 Rm:5 x1x S:1 10 Rn:5 Rt:5"), ldst_reg<T, K>,   \
     Feature::Base, kMem}
// clang-format on

constexpr InsnDesc kInsns[] = {
    LDST_GPR("STRB", "STURB", "STTRB", "00", "00", uint8_t, Ld::Store),
    LDST_GPR("LDRB", "LDURB", "LDTRB", "00", "01", uint8_t, Ld::Zero),
    LDST_GPR("LDRSB_X", "LDURSB_X", "LDTRSB_X", "00", "10", uint8_t, Ld::Sign64),
    LDST_GPR("LDRSB_W", "LDURSB_W", "LDTRSB_W", "00", "11", uint8_t, Ld::Sign32),
    LDST_GPR("STRH", "STURH", "STTRH", "01", "00", uint16_t, Ld::Store),
    LDST_GPR("LDRH", "LDURH", "LDTRH", "01", "01", uint16_t, Ld::Zero),
    LDST_GPR("LDRSH_X", "LDURSH_X", "LDTRSH_X", "01", "10", uint16_t, Ld::Sign64),
    LDST_GPR("LDRSH_W", "LDURSH_W", "LDTRSH_W", "01", "11", uint16_t, Ld::Sign32),
    LDST_GPR("STR_W", "STUR_W", "STTR_W", "10", "00", uint32_t, Ld::Store),
    LDST_GPR("LDR_W", "LDUR_W", "LDTR_W", "10", "01", uint32_t, Ld::Zero),
    LDST_GPR("LDRSW", "LDURSW", "LDTRSW", "10", "10", uint32_t, Ld::Sign64),
    LDST_GPR("STR_X", "STUR_X", "STTR_X", "11", "00", uint64_t, Ld::Store),
    LDST_GPR("LDR_X", "LDUR_X", "LDTR_X", "11", "01", uint64_t, Ld::Zero),
    // PRFM exists in the unsigned-offset, unscaled and register forms only.
    {"PRFM_imm", kGroup, P("11 111 0 01 10 imm12:12 Rn:5 Rt:5"), prefetch, Feature::Base, 0},
    {"PRFUM", kGroup, P("11 111 0 00 10 0 imm9:9 00 Rn:5 Rt:5"), prefetch, Feature::Base, 0},
    {"PRFM_reg", kGroup, P("11 111 0 00 10 1 Rm:5 x1x S:1 10 Rn:5 Rt:5"), prefetch, Feature::Base,
     0},
    {"LDR_W_lit", kGroup, P("00 011 0 00 imm19:19 Rt:5"), ld_literal<uint32_t, Ld::Zero>,
     Feature::Base, kMem},
    {"LDR_X_lit", kGroup, P("01 011 0 00 imm19:19 Rt:5"), ld_literal<uint64_t, Ld::Zero>,
     Feature::Base, kMem},
    {"LDRSW_lit", kGroup, P("10 011 0 00 imm19:19 Rt:5"), ld_literal<uint32_t, Ld::Sign64>,
     Feature::Base, kMem},
    {"PRFM_lit", kGroup, P("11 011 0 00 imm19:19 Rt:5"), prefetch, Feature::Base, 0},
};

#undef LDST_GPR

} // namespace

std::span<const InsnDesc> ldst_single_insns() {
    return kInsns;
}

} // namespace kestrel::a64
