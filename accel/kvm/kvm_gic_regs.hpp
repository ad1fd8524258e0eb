// What the kernel's vGICv3 can hold of a GicV3State, as pure functions (no
// kernel needed): the geometry check and the list of registers a restore
// into the kernel would drop.
#pragma once
#include "intc/gicv3/gic_config.hpp"
#include "intc/gicv3/gic_state.hpp"

#include <string>
#include <vector>

namespace kestrel {

// GICD_IIDR.Revision: the one field of the kernel's IIDR userspace may change.
constexpr uint32_t kGicdIidrRevisionMask = 0xf000;
// The read-only ICC_CTLR_EL1 fields the kernel reports and checks:
// PRIbits[10:8], IDbits[13:11], SEIS[14], A3V[15].
constexpr uint64_t kIccCtlrIdFieldsKvm = (7ull << 8) | (7ull << 11) | (1ull << 14) | (1ull << 15);
// The writable ICC_CTLR_EL1 fields the kernel keeps: CBPR[0], EOImode[1].
constexpr uint64_t kIccCtlrKvmWritable = 0x3;

// "" when st has the interrupt count and redistributor count of cfg.
std::string kvm_gic_geometry_mismatch(const GicV3State& st, const GicConfig& cfg);

// The parts of st the kernel's vGIC (without an in-kernel ITS) has no place
// for, one entry per kind ("GICD_CTLR.EnableGrp0", "GICD_IROUTER.IRM/Aff3 of
// 3 SPIs", ...). Empty when st fits entirely.
std::vector<std::string> kvm_vgic_losses(const GicV3State& st);

} // namespace kestrel
