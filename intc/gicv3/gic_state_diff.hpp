// Comparing GIC states register by register: which guest-visible registers
// differ between two GicV3State values, with ID registers compared or not.
// Used to report what a load changed or dropped, and by the tests that move
// a state between the software GIC and the KVM-backed GIC.
#pragma once
#include "intc/gicv3/gic_state.hpp"

#include <string>
#include <vector>

namespace kestrel {

struct GicDiffOptions {
    // Compare TYPER, TYPER2, IIDR, PIDR2, GICR_TYPER/IIDR, ICC_CTLR's
    // read-only fields and the ITS ID registers too.
    bool id_registers = false;
    // Compare the ITS registers (absent when the ITS is not modelled).
    bool its = true;
    // Stop after this many differences.
    size_t limit = 16;
};

// Names of the registers that differ ("GICD_CTLR", "GICR1.ISENABLER0",
// "ICC_PMR_EL1[2]", "GICD_IPRIORITYR[40]", ...), empty when equal.
std::vector<std::string> gic_state_diff(const GicV3State& a, const GicV3State& b,
                                        const GicDiffOptions& opt = {});

// The read-only fields of ICC_CTLR_EL1: PRIbits, IDbits, SEIS, A3V, RSS, ExtRange.
constexpr uint64_t kIccCtlrIdFields =
    (7ull << 8) | (7ull << 11) | (1ull << 14) | (1ull << 15) | (1ull << 18) | (1ull << 19);

} // namespace kestrel
