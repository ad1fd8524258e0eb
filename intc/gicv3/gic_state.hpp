// The architectural state of a GICv3/GICv4.1: plain data only. The software
// GIC implements behaviour on it; a KVM-backed GIC pulls/pushes it from and
// to the kernel; savevm describes it field by field. Nothing here is a cache:
// the highest-priority-pending interrupt and the LPI pending set are
// recomputed from it (and from the LPI tables in guest RAM).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace kestrel {

// One redistributor plus the CPU interface of its core.
struct GicV3CpuState {
    // --- Redistributor, RD_base frame ---
    uint64_t gicr_typer = 0; // ID register, derived from the configuration
    uint32_t gicr_ctlr = 0;
    uint32_t gicr_statusr = 0;
    uint32_t gicr_waker = 0;
    uint64_t gicr_propbaser = 0;
    uint64_t gicr_pendbaser = 0; // PTZ is write-only and never stored
    // --- VLPI_base frame (GICv4.1 only; zero on GICv3) ---
    uint64_t gicr_vpropbaser = 0;
    uint64_t gicr_vpendbaser = 0;
    uint32_t gicr_vsgir = 0;
    // --- SGI_base frame: SGIs (bits 0-15) and PPIs (bits 16-31) ---
    uint32_t group = 0;        // GICR_IGROUPR0
    uint32_t enabled = 0;      // GICR_ISENABLER0
    uint32_t pending = 0;      // pending latch (edge events, ISPENDR0 writes)
    uint32_t active = 0;       // GICR_ISACTIVER0
    uint32_t level = 0;        // input line levels of the PPIs
    uint32_t edge_trigger = 0; // 1 = edge (ICFGR0/1 bit 2n+1); SGIs always 1
    std::array<uint8_t, 32> priority{};
    // --- CPU interface (ICC_*_EL1) ---
    uint64_t icc_ctlr = 0; // includes the read-only ID fields
    uint64_t icc_pmr = 0;
    std::array<uint64_t, 2> icc_bpr{};    // BPR0, BPR1
    std::array<uint64_t, 2> icc_igrpen{}; // IGRPEN0, IGRPEN1
    std::array<uint64_t, 2> icc_apr{};    // AP0R0, AP1R0 (5 priority bits)
    uint64_t icc_sre = 0;

    bool operator==(const GicV3CpuState&) const = default;
};

struct GicV3ItsState {
    uint32_t iidr = 0;  // ID
    uint64_t typer = 0; // ID
    uint32_t pidr2 = 0; // ID
    uint32_t ctlr = 0;
    uint64_t cbaser = 0;
    uint64_t cwriter = 0;
    uint64_t creadr = 0;
    std::array<uint64_t, 8> baser{}; // Type and Entry_Size fields are ID bits
    // Device, collection and interrupt translation tables live in guest
    // RAM (GITS_BASER0/1 and the ITT addresses), in Kestrel's own entry
    // format (see its.cpp), so they travel with RAM.

    bool operator==(const GicV3ItsState&) const = default;
};

struct GicV3State {
    // --- ID registers: derived from the configuration, unchanged by reset ---
    uint32_t gicd_typer = 0;
    uint32_t gicd_typer2 = 0; // 0 on GICv3
    uint32_t gicd_iidr = 0;
    uint32_t gicd_pidr2 = 0;
    uint32_t gicr_iidr = 0;
    // --- Distributor ---
    uint32_t gicd_ctlr = 0;
    uint32_t gicd_statusr = 0;
    // SPI bitmaps: bit n of word n / 32 is INTID n. Word 0 (SGIs/PPIs) is
    // RES0 here: those live in the redistributors.
    std::vector<uint32_t> group;
    std::vector<uint32_t> enabled;
    std::vector<uint32_t> pending; // pending latch
    std::vector<uint32_t> active;
    std::vector<uint32_t> level; // input line levels
    std::vector<uint32_t> edge_trigger;
    std::vector<uint8_t> priority; // indexed by INTID (0..31 unused)
    std::vector<uint64_t> irouter; // indexed by INTID (0..31 unused)
    // --- Per-core redistributor and CPU interface ---
    std::vector<GicV3CpuState> cpu;
    // --- ITS ---
    GicV3ItsState its;

    bool operator==(const GicV3State&) const = default;
};

} // namespace kestrel
