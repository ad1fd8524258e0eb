// VMSAv8-64 stage-1 translation for the EL1&0 regime: the table walk and the
// permission model, independent of any core so tests can drive them with
// hand-built tables.
#pragma once
#include "hw/bus.hpp"

#include <cstdint>

namespace kestrel {

enum class FaultKind : uint8_t {
    None,
    AddressSize,
    Translation,
    AccessFlag,
    Permission,
    Alignment,
    External,       // synchronous external abort on the access itself
    ExternalOnWalk, // synchronous external abort reading a descriptor
};

// DFSC/IFSC encoding of a fault found at a lookup level.
uint32_t fault_status_code(FaultKind kind, int level);

// The registers that drive one EL1&0 stage-1 translation.
struct Stage1Config {
    uint64_t sctlr = 0;
    uint64_t tcr = 0;
    uint64_t ttbr0 = 0;
    uint64_t ttbr1 = 0;
    uint64_t mair = 0;
    unsigned pa_bits = 48; // implemented physical address size (ID_AA64MMFR0.PARange)
};

struct WalkResult {
    FaultKind fault = FaultKind::None;
    int level = 0;             // lookup level of the fault or of the final descriptor
    uint64_t pa = 0;           // output address of the input address
    unsigned block_shift = 12; // log2 of the size of the page or block
    uint8_t attr = 0;          // MAIR attribute byte of the mapping
    uint8_t sh = 0;            // shareability (descriptor SH[1:0])
    uint8_t ap = 0;            // AP[2:1] after hierarchical APTable limits
    bool uxn = false;
    bool pxn = false;
    bool global = true; // nG == 0
    uint16_t asid = 0;
    bool mmu_off = false; // SCTLR_EL1.M == 0: flat mapping
};

// Walks the tables for va. Descriptors are read from physical memory through
// the bus (little-endian). is_fetch selects the memory type used when the MMU
// is off (instruction fetches are Normal, data accesses Device-nGnRnE).
WalkResult walk_stage1(Bus& bus, const Stage1Config& cfg, uint64_t va, bool is_fetch);

struct Stage1Perms {
    bool read = false;
    bool write = false;
    bool exec = false;
};

// What a walked mapping permits to EL0 (el0) or EL1 (with PSTATE.PAN when
// pan), honouring SCTLR_EL1.WXN and the implicit PXN of EL0-writable pages.
// PAN restricts data accesses only.
Stage1Perms stage1_permissions(const WalkResult& w, bool el0, bool pan, bool wxn);

// MAIR attribute bytes of the form 0b0000xxxx are Device memory.
constexpr bool attr_is_device(uint8_t attr) {
    return (attr & 0xf0) == 0;
}

// Physical address size in bits for a PARange/IPS encoding.
unsigned pa_range_bits(unsigned encoding);

} // namespace kestrel
