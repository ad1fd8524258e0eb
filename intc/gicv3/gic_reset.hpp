// Creation and architectural reset of GicV3State.
#pragma once
#include "intc/gicv3/gic_config.hpp"
#include "intc/gicv3/gic_state.hpp"

namespace kestrel {

// ID register values Kestrel's GIC reports.
constexpr uint32_t kGicIidr = 0x4b00'343b; // ProductID 'K', Revision 3, Implementer 0x43b
constexpr uint32_t kGicPartNumber = 0x04b;

// The ID registers at 0xffd0..0xfffc of a GIC frame (PIDR4..7, PIDR0..3,
// CIDR0..3); pidr2 carries ArchRev.
uint32_t gic_id_register(uint64_t off, uint32_t pidr2);

// The state of a freshly created GIC: ID registers derived from cfg, every
// other register at its reset value. cfg must be valid.
GicV3State gic_initial_state(const GicConfig& cfg);
// Computes the ID registers (TYPER, TYPER2, IIDR, PIDR2, GICR_TYPER,
// GITS_TYPER, GITS_BASER<n> type fields) from the configuration.
void gic_derive_id_registers(GicV3State& s, const GicConfig& cfg);
// Architectural reset: every non-ID register to its reset value. ID
// registers are left as they are (under KVM they come from the kernel).
// Input line levels are part of the state but are not registers: they are
// kept when keep_levels is set (a running board's devices still drive them).
void gic_reset(GicV3State& s, const GicConfig& cfg, bool keep_levels = false);

} // namespace kestrel
