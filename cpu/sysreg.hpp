// System registers reached by MRS/MSR: one table, keyed by encoding.
#pragma once
#include <cstdint>
#include <string_view>

namespace kestrel {

class Cpu;

// op0:op1:CRn:CRm:op2 packed as in the MRS/MSR instruction bits 20:5.
constexpr uint32_t sysreg_enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

struct SysRegDesc {
    const char* name;
    uint32_t enc;
    uint8_t min_el; // lowest EL that may access it (EL0 access may be further gated)
    uint64_t (*read)(Cpu&);         // nullptr: write-only
    void (*write)(Cpu&, uint64_t);  // nullptr: read-only
    bool ends_block = false; // writes change translation or interrupt state
    // Optional extra EL0 access check (e.g. CNTKCTL_EL1 or SCTLR_EL1.UCT gates).
    bool (*el0_allowed)(const Cpu&) = nullptr;
};

// The register with this encoding, or nullptr (the access is UNDEFINED).
const SysRegDesc* find_sysreg(uint32_t enc);
const SysRegDesc* find_sysreg(std::string_view name);

// The guest's view of the system counter (CNTPCT_EL0), in ticks of the
// counter frequency.
uint64_t guest_counter_ticks();
constexpr uint64_t kCounterFrequencyHz = 62'500'000;

} // namespace kestrel
