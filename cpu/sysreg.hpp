// System registers reached by MRS/MSR: tables by area, keyed by encoding.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace kestrel {

class Cpu;

// op0:op1:CRn:CRm:op2 packed as in the MRS/MSR instruction bits 20:5.
constexpr uint32_t sysreg_enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                              unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

struct SysRegDesc {
    const char* name;
    uint32_t enc;
    uint8_t min_el;                // lowest EL that may access it; below it the access is UNDEFINED
    uint64_t (*read)(Cpu&);        // nullptr: write-only
    void (*write)(Cpu&, uint64_t); // nullptr: read-only
    bool ends_block = false;       // writes change translation or interrupt state
    // Optional EL0 access control (SCTLR_EL1.UCT, CNTKCTL_EL1, PMUSERENR_EL0):
    // when it returns false an EL0 access is trapped to EL1 (EC 0x18).
    bool (*el0_allowed)(const Cpu&) = nullptr;
};

// The register with this encoding, or nullptr (the access is UNDEFINED).
const SysRegDesc* find_sysreg(uint32_t enc);
const SysRegDesc* find_sysreg(std::string_view name);

// The tables find_sysreg consults, one per area.
std::span<const SysRegDesc> special_sysregs(); // PSTATE fields, SP_ELx, ELR/SPSR, FPCR/FPSR
std::span<const SysRegDesc> el1_sysregs();     // EL1 control, translation, thread ID
std::span<const SysRegDesc> id_sysregs();      // identification and cache ID
std::span<const SysRegDesc> debug_sysregs();   // self-hosted debug (inert storage)
std::span<const SysRegDesc> pmu_sysregs();     // PMUv3 with no event counters
std::span<const SysRegDesc> timer_sysregs();   // generic timer

// The guest's view of the system counter (CNTPCT_EL0), in ticks of the
// counter frequency: cpu/guest_counter.hpp.
uint64_t guest_counter_ticks();
constexpr uint64_t kCounterFrequencyHz = 62'500'000;

} // namespace kestrel
