// Architectural state of one AArch64 core: plain data, saved by savevm.
#pragma once
#include <cstdint>

namespace kestrel {

// PSTATE.NZCV in its architectural position (bits 31:28).
enum : uint32_t { kFlagN = 1u << 31, kFlagZ = 1u << 30, kFlagC = 1u << 29, kFlagV = 1u << 28 };

struct alignas(16) VReg {
    uint64_t lo = 0, hi = 0;
    bool operator==(const VReg&) const = default;
};

struct CpuState {
    uint64_t x[31] = {};
    uint64_t sp_el[4] = {}; // SP_EL0..SP_EL3
    uint64_t pc = 0;
    uint32_t nzcv = 0; // bits 31:28
    uint32_t daif = 0; // bits 9:6 (D, A, I, F)
    uint8_t el = 1;    // current exception level
    uint8_t spsel = 1; // PSTATE.SP
    uint8_t pan = 0;
    uint8_t uao = 0;
    uint8_t ss = 0;
    uint8_t il = 0;

    VReg v[32];
    uint32_t fpcr = 0;
    uint32_t fpsr = 0;

    // Local exclusive monitor (LDXR/STXR).
    uint64_t excl_addr = ~0ull; // physical-independent: virtual address tagged
    uint64_t excl_val[2] = {};
    uint8_t excl_size = 0; // bytes; 0 = open

    bool operator==(const CpuState&) const = default;
};

} // namespace kestrel
