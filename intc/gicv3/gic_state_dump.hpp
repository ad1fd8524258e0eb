// `info gic`: a readable dump of GicV3State (ID registers, distributor,
// the interesting interrupts, each redistributor and CPU interface, ITS).
#pragma once
#include "intc/gicv3/gic_state.hpp"

#include <string>

namespace kestrel {

std::string format_gic_state(const GicV3State& s);

} // namespace kestrel
