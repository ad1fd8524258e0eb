// Advanced SIMD scalar encodings of the FP estimate and step instructions
// (FRECPE, FRSQRTE, FRECPX, FRECPS, FRSQRTS, FMULX) for single and double.
// They belong to AdvSIMD and decode only when it is advertised.
#include "cpu/a64/fp_util.hpp"
#include "cpu/a64/groups.hpp"

namespace kestrel::a64 {
namespace {

using fp::Bits;

// sz (bit 22): 0 single, 1 double.
template <class Fn> void with_sz(Cpu& c, uint32_t i, Fn&& f) {
    c.check_fp_enabled();
    if (bit(i, 22))
        f(fp::Double{});
    else
        f(fp::Single{});
}

enum class Est { Recpe, Rsqrte, Recpx };

template <Est op> void estimate(Cpu& c, uint32_t i) {
    with_sz(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5));
        FpScope s(c);
        Bits<T> r;
        if (op == Est::Recpe) r = fp::recip_estimate<T>(a, s.st);
        if (op == Est::Rsqrte) r = fp::rsqrt_estimate<T>(a, s.st);
        if (op == Est::Recpx) r = fp::recpx<T>(a, s.st);
        vwrite<T>(c, bits(i, 0, 5), r);
    });
}

enum class Step { Recps, Rsqrts, Mulx };

template <Step op> void step(Cpu& c, uint32_t i) {
    with_sz(c, i, [&](auto fmt) {
        using T = decltype(fmt);
        Bits<T> a = vread<T>(c, bits(i, 5, 5)), b = vread<T>(c, bits(i, 16, 5));
        FpScope s(c);
        Bits<T> r;
        if (op == Step::Recps) r = fp::recip_step<T>(a, b, s.st);
        if (op == Step::Rsqrts) r = fp::rsqrt_step<T>(a, b, s.st);
        if (op == Step::Mulx) r = fp::mulx<T>(a, b, s.st);
        vwrite<T>(c, bits(i, 0, 5), r);
    });
}

constexpr InsnDesc kInsns[] = {
    {"FRECPE_scalar", "simd_scalar_2misc", P("01 0 11110 1 sz:1 10000 11101 10 Rn:5 Rd:5"),
     estimate<Est::Recpe>, Feature::AdvSIMD},
    {"FRECPX_scalar", "simd_scalar_2misc", P("01 0 11110 1 sz:1 10000 11111 10 Rn:5 Rd:5"),
     estimate<Est::Recpx>, Feature::AdvSIMD},
    {"FRSQRTE_scalar", "simd_scalar_2misc", P("01 1 11110 1 sz:1 10000 11101 10 Rn:5 Rd:5"),
     estimate<Est::Rsqrte>, Feature::AdvSIMD},
    {"FRECPS_scalar", "simd_scalar_3same", P("01 0 11110 0 sz:1 1 Rm:5 11111 1 Rn:5 Rd:5"),
     step<Step::Recps>, Feature::AdvSIMD},
    {"FRSQRTS_scalar", "simd_scalar_3same", P("01 0 11110 1 sz:1 1 Rm:5 11111 1 Rn:5 Rd:5"),
     step<Step::Rsqrts>, Feature::AdvSIMD},
    {"FMULX_scalar", "simd_scalar_3same", P("01 0 11110 0 sz:1 1 Rm:5 11011 1 Rn:5 Rd:5"),
     step<Step::Mulx>, Feature::AdvSIMD},
};

} // namespace

std::span<const InsnDesc> fp_scalar_simd_insns() {
    return kInsns;
}

} // namespace kestrel::a64
