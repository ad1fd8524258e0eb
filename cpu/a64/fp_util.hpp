// Helpers shared by the scalar FP instruction handlers: V register scalar
// access and dispatch on the ftype field. The access check is
// Cpu::check_fp_enabled().
#pragma once
#include "cpu/a64/insn_util.hpp"
#include "cpu/fp/softfloat.hpp"

namespace kestrel::a64 {

// Scalar V register views: the low bits of the 128-bit register.
template <class T> inline fp::Bits<T> vread(const Cpu& c, unsigned n) {
    return static_cast<fp::Bits<T>>(c.s.v[n].lo);
}
// Writing a scalar zeroes the rest of the 128-bit register.
template <class T> inline void vwrite(Cpu& c, unsigned n, fp::Bits<T> v) {
    c.s.v[n].lo = static_cast<uint64_t>(v);
    c.s.v[n].hi = 0;
}

// Calls f(T{}) with T the format selected by the ftype field (bits 23:22):
// 00 single, 01 double, 11 half (only with FP16 unless half_is_base).
// An unallocated type is UNDEFINED; access is checked after decoding.
template <class Fn>
inline void with_ftype(Cpu& c, uint32_t insn, Fn&& f, bool half_is_base = false) {
    switch (bits(insn, 22, 2)) {
    case 0:
        c.check_fp_enabled();
        f(fp::Single{});
        break;
    case 1:
        c.check_fp_enabled();
        f(fp::Double{});
        break;
    case 3:
        if (!half_is_base && !c.model.has(Feature::FP16)) c.undefined();
        c.check_fp_enabled();
        f(fp::Half{});
        break;
    default: c.undefined();
    }
}

// Runs an operation under FPCR and accumulates its flags into FPSR.
struct FpScope {
    Cpu& c;
    fp::FpStatus st;
    explicit FpScope(Cpu& cpu) : c(cpu), st(cpu.s.fpcr) {}
    ~FpScope() { c.s.fpsr |= st.exc; }
    FpScope(const FpScope&) = delete;
    FpScope& operator=(const FpScope&) = delete;
};

} // namespace kestrel::a64
