// A GIC state as a running guest leaves it, for save/restore tests: the
// distributor enabled for Group 1, SPIs grouped, enabled, routed and
// prioritised, one pending and one active, SGIs/PPIs configured, and CPU
// interfaces with priority mask, binary points, Group 1 enabled, an active
// priority on vCPU 0 and EOImode. Tests add what they need on top.
#pragma once
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_state.hpp"

namespace kestrel::test {

inline GicV3State guest_like_gic_state(GicV3State s) {
    s.gicd_ctlr |= gic::kCtlrEnableGrp1;
    s.group[1] = 0xffff0000;
    s.enabled[1] = 0x0000f0f3;
    s.pending[1] = 0x00000100;
    s.active[2] = 0x80000000;
    s.edge_trigger[2] = 0x0000ffff;
    for (unsigned i = 32; i < s.priority.size(); i++)
        s.priority[i] = static_cast<uint8_t>((i * 8) & 0xf8);
    s.irouter[33] = 0x1;
    s.irouter[64] = 0x1;
    for (size_t i = 0; i < s.cpu.size(); i++) {
        GicV3CpuState& c = s.cpu[i];
        c.group = 0xffffffff;
        c.enabled = 0x0000ffff;
        c.pending = 0x2;
        c.active = i == 0 ? 0x8 : 0;
        for (unsigned p = 0; p < 32; p++)
            c.priority[p] = static_cast<uint8_t>(0xa0 - 8 * (p % 4));
        c.icc_pmr = 0xf0;
        c.icc_bpr = {2, 3};
        c.icc_igrpen = {0, 1};
        c.icc_apr = {0, i == 0 ? 0x100000u : 0u};
        c.icc_ctlr |= 0x2; // EOImode
    }
    return s;
}

// LPI tables as Linux sets them up (Inner Shareable, RaWaWb; the kernel
// makes a non-cacheable value cacheable), redistributors awake.
inline void set_linux_lpi_tables(GicV3State& s) {
    for (size_t i = 0; i < s.cpu.size(); i++) {
        GicV3CpuState& c = s.cpu[i];
        c.gicr_waker = 0;
        c.gicr_propbaser = 0x4100'0000ull | (1ull << 10) | (7ull << 7) | 15;
        c.gicr_pendbaser = (0x4200'0000ull + 0x10000 * i) | (1ull << 10) | (7ull << 7);
    }
}

} // namespace kestrel::test
