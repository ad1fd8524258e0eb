// Advanced SIMD shift by immediate, floating-point fixed-point forms,
// vector and scalar: SCVTF/UCVTF (fixed-point to FP, FPCR rounding) and
// FCVTZS/FCVTZU (FP to fixed-point, toward zero, saturating). immh picks the
// lane format (01xx single, 1xxx double; 001x would be half, which needs
// FP16) and fbits = 2 * esize - immh:immb.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_fp_util.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;

template <bool to_fp, bool is_unsigned> void fixed_convert(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30);
    const unsigned immh = bits(i, 19, 4), immhb = bits(i, 16, 7);
    if (immh < 4) c.undefined(); // 8-bit lanes reserved, half needs FP16
    const unsigned sz = immh >= 8;
    if (!fp_vector_size_ok(sz, q, scalar)) c.undefined();
    c.check_fp_enabled();
    with_fp_sz(sz, [&]<class T>() {
        const unsigned fbits = 2 * T::N - immhb;
        const FpShape shape = fp_shape<T>(scalar, q);
        const VReg n = c.s.v[rn_of(i)];
        VReg r;
        {
            FpScope s(c);
            for (unsigned e = 0; e < shape.lanes; e++) {
                const Bits<T> a = lane<T>(n, e);
                set_lane<T>(
                    r, e,
                    to_fp ? lane_from_fixed<T>(a, fbits, is_unsigned, s.st)
                          : lane_to_fixed<T>(a, fbits, is_unsigned, fp::Rounding::Zero, s.st));
            }
        }
        write_fp_result<T>(c, rd_of(i), r, shape);
    });
}

#define VF(name, u, opc, fn)                                                                       \
    {                                                                                              \
        name, "simd_fp_shift_imm", P("0 Q:1 " u " 011110 immh:4 immb:3 " opc " 1 Rn:5 Rd:5"), fn,  \
            Feature::AdvSIMD                                                                       \
    }
#define SF(name, u, opc, fn)                                                                       \
    {                                                                                              \
        name, "simd_fp_shift_imm", P("01 " u " 111110 immh:4 immb:3 " opc " 1 Rn:5 Rd:5"), fn,     \
            Feature::AdvSIMD                                                                       \
    }

constexpr InsnDesc kInsns[] = {
    VF("SCVTF_fix_v", "0", "11100", (fixed_convert<true, false>)),
    VF("UCVTF_fix_v", "1", "11100", (fixed_convert<true, true>)),
    VF("FCVTZS_fix_v", "0", "11111", (fixed_convert<false, false>)),
    VF("FCVTZU_fix_v", "1", "11111", (fixed_convert<false, true>)),
    SF("SCVTF_fix_s", "0", "11100", (fixed_convert<true, false>)),
    SF("UCVTF_fix_s", "1", "11100", (fixed_convert<true, true>)),
    SF("FCVTZS_fix_s", "0", "11111", (fixed_convert<false, false>)),
    SF("FCVTZU_fix_s", "1", "11111", (fixed_convert<false, true>)),
};

#undef VF
#undef SF

} // namespace

std::span<const InsnDesc> simd_fp_shift_imm_insns() {
    return kInsns;
}

} // namespace kestrel::a64
