// The GIC's device-tree node, matching the common virt board's layout:
//   intc@8000000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>;
//     interrupt-controller; #address-cells = <2>; #size-cells = <2>; ranges;
//     reg = <dist 64K>, <redist region>; #redistributor-regions = <1>;
//     its@8080000 { compatible = "arm,gic-v3-its"; msi-controller;
//       #msi-cells = <1>; reg = <its 128K>; }; };
#include "intc/gicv3/gic_fdt.hpp"

#include <cstdio>
#include <libfdt.h>

namespace kestrel {

namespace {

int set_reg_pairs(void* fdt, int node, const uint64_t* vals, int n) {
    fdt64_t cells[8];
    for (int i = 0; i < n; i++)
        cells[i] = cpu_to_fdt64(vals[i]);
    return fdt_setprop(fdt, node, "reg", cells, static_cast<int>(n * sizeof(fdt64_t)));
}

} // namespace

int gic_fdt_add(void* fdt, int parent, const GicConfig& cfg, const GicV3Layout& layout,
                const GicFdtOptions& opt) {
    char name[32];
    std::snprintf(name, sizeof name, "intc@%llx",
                  static_cast<unsigned long long>(layout.dist_base));
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0) return node;
    int err = 0;
    auto check = [&err](int r) {
        if (r < 0 && !err) err = r;
    };
    check(fdt_setprop_u32(fdt, node, "phandle", opt.gic_phandle));
    if (opt.maintenance_irq) {
        const fdt32_t irq[3] = {cpu_to_fdt32(1), cpu_to_fdt32(9), cpu_to_fdt32(4)};
        check(fdt_setprop(fdt, node, "interrupts", irq, sizeof irq));
    }
    const uint64_t reg[4] = {layout.dist_base, kGicDistFrameSize, layout.redist_base,
                             layout.redist_region_size};
    check(set_reg_pairs(fdt, node, reg, 4));
    check(fdt_setprop_u32(fdt, node, "#redistributor-regions", 1));
    check(fdt_setprop_string(fdt, node, "compatible", "arm,gic-v3"));
    check(fdt_setprop_empty(fdt, node, "ranges"));
    check(fdt_setprop_u32(fdt, node, "#size-cells", 2));
    check(fdt_setprop_u32(fdt, node, "#address-cells", 2));
    check(fdt_setprop_empty(fdt, node, "interrupt-controller"));
    check(fdt_setprop_u32(fdt, node, "#interrupt-cells", 3));
    (void)cfg; // the binding does not describe the GIC version: Linux reads PIDR2
    if (err) return err;
    if (opt.with_its) {
        std::snprintf(name, sizeof name, "its@%llx",
                      static_cast<unsigned long long>(layout.its_base));
        int its = fdt_add_subnode(fdt, node, name);
        if (its < 0) return its;
        check(fdt_setprop_u32(fdt, its, "phandle", opt.its_phandle));
        const uint64_t its_reg[2] = {layout.its_base, kGicItsFrameSize};
        check(set_reg_pairs(fdt, its, its_reg, 2));
        check(fdt_setprop_u32(fdt, its, "#msi-cells", 1));
        check(fdt_setprop_empty(fdt, its, "msi-controller"));
        check(fdt_setprop_string(fdt, its, "compatible", "arm,gic-v3-its"));
        if (err) return err;
    }
    return node;
}

} // namespace kestrel
