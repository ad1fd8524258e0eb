// Device-tree description of the GIC (node "intc@<dist>" with an "its@"
// child), as Linux's arm,gic-v3 binding expects.
#pragma once
#include "intc/gicv3/gic_config.hpp"
#include "intc/gicv3/gicv3.hpp"

#include <cstdint>

namespace kestrel {

struct GicFdtOptions {
    uint32_t gic_phandle = 0x8003;
    uint32_t its_phandle = 0x8004;
    bool with_its = true;
    // EL2 guests get the maintenance interrupt (PPI 9, level-high).
    bool maintenance_irq = false;
};

// Adds the GIC node under parent (normally the root, offset 0) of an FDT
// open for random-access editing (fdt_open_into / fdt_create_empty_tree).
// Returns the node offset, or a negative libfdt error (FDT_ERR_NOSPACE when
// the blob must be grown first).
int gic_fdt_add(void* fdt, int parent, const GicConfig& cfg, const GicV3Layout& layout,
                const GicFdtOptions& opt = {});

} // namespace kestrel
