// Load/store pair of general-purpose registers: STP/LDP/LDPSW in the
// post-index, signed-offset and pre-index forms, and STNP/LDNP (offset
// only; the non-temporal hint changes nothing here).
//
// Registers are written only after the whole access succeeded. For the
// CONSTRAINED UNPREDICTABLE overlaps this follows qemu: with writeback and
// Rt or Rt2 == Rn a load's writeback wins and a store stores the original
// base; a load with Rt == Rt2 leaves the first (Rt) value.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/ldst_util.hpp"

namespace kestrel::a64 {
namespace {

enum class Idx : uint8_t { Post, Offset, Pre };

// Is64: X registers (else W). Sign: LDPSW.
template <bool Is64, bool Load, bool Sign, Idx M> void ldst_pair(Cpu& c, uint32_t i) {
    unsigned rt = bits(i, 0, 5), rn = bits(i, 5, 5), rt2 = bits(i, 10, 5);
    uint64_t base = ldst_base(c, rn);
    uint64_t addr = base + (static_cast<uint64_t>(sext(bits(i, 15, 7), 7)) << (Is64 ? 3 : 2));
    uint64_t va = M == Idx::Post ? base : addr;
    if constexpr (Load) {
        uint64_t a, b;
        if constexpr (Is64) {
            VReg v = load_pair64(c, va);
            a = v.lo;
            b = v.hi;
        } else {
            // One doubleword access: both words or neither.
            uint64_t v = load_pair32(c, va);
            if constexpr (Sign) {
                a = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
                b = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v >> 32)));
            } else {
                a = static_cast<uint32_t>(v);
                b = v >> 32;
            }
        }
        c.set_xr(rt2, b);
        c.set_xr(rt, a);
    } else {
        if constexpr (Is64)
            store_pair64(c, va, c.xr(rt), c.xr(rt2));
        else
            store_pair32(
                c, va, static_cast<uint64_t>(c.wr(rt)) | (static_cast<uint64_t>(c.wr(rt2)) << 32));
    }
    if constexpr (M != Idx::Offset) c.set_xsp(rn, addr);
}

constexpr const char* kGroup = "ldst_pair";
constexpr uint16_t kMem = kInsnMem;

// opc (bits 31:30), then "101 0", then the index mode (bits 25:23), then L.
// clang-format off
#define PAIR(NAME, OPC, MODE, L, IS64, SIGN, IDX)                                                  \
    {NAME, kGroup, P(OPC " 101 0 " MODE " " L " imm7:7 Rt2:5 Rn:5 Rt:5"),                          \
     ldst_pair<IS64, L[0] == '1', SIGN, IDX>, Feature::Base, kMem}
// clang-format on

constexpr InsnDesc kInsns[] = {
    PAIR("STNP_W", "00", "000", "0", false, false, Idx::Offset),
    PAIR("LDNP_W", "00", "000", "1", false, false, Idx::Offset),
    PAIR("STP_W_post", "00", "001", "0", false, false, Idx::Post),
    PAIR("LDP_W_post", "00", "001", "1", false, false, Idx::Post),
    PAIR("STP_W", "00", "010", "0", false, false, Idx::Offset),
    PAIR("LDP_W", "00", "010", "1", false, false, Idx::Offset),
    PAIR("STP_W_pre", "00", "011", "0", false, false, Idx::Pre),
    PAIR("LDP_W_pre", "00", "011", "1", false, false, Idx::Pre),
    PAIR("LDPSW_post", "01", "001", "1", false, true, Idx::Post),
    PAIR("LDPSW", "01", "010", "1", false, true, Idx::Offset),
    PAIR("LDPSW_pre", "01", "011", "1", false, true, Idx::Pre),
    PAIR("STNP_X", "10", "000", "0", true, false, Idx::Offset),
    PAIR("LDNP_X", "10", "000", "1", true, false, Idx::Offset),
    PAIR("STP_X_post", "10", "001", "0", true, false, Idx::Post),
    PAIR("LDP_X_post", "10", "001", "1", true, false, Idx::Post),
    PAIR("STP_X", "10", "010", "0", true, false, Idx::Offset),
    PAIR("LDP_X", "10", "010", "1", true, false, Idx::Offset),
    PAIR("STP_X_pre", "10", "011", "0", true, false, Idx::Pre),
    PAIR("LDP_X_pre", "10", "011", "1", true, false, Idx::Pre),
};

#undef PAIR

} // namespace

std::span<const InsnDesc> ldst_pair_insns() {
    return kInsns;
}

} // namespace kestrel::a64
