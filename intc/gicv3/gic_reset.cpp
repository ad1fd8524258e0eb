// GIC creation and reset. Reset values follow the architecture: most
// registers reset to zero; the exceptions (GICD_CTLR.ARE/DS, GICR_WAKER,
// ICC_BPRn, ICC_SRE, ICC_CTLR ID fields, SGI trigger mode) are set here.
#include "intc/gicv3/gic_reset.hpp"

#include "intc/gicv3/gic_regs.hpp"

namespace kestrel {

using namespace gic;

void GicConfig::validate() const {
    if (num_irqs % 32 != 0 || num_irqs < 64 || num_irqs > 1024)
        throw GicConfigError("GIC: number of interrupts must be a multiple of 32 between 64 and "
                             "1024, got " +
                             std::to_string(num_irqs));
    if (cpu_mpidr.empty()) throw GicConfigError("GIC: needs at least one CPU");
    if (cpu_mpidr.size() > 0xffff) throw GicConfigError("GIC: too many CPUs");
    for (size_t i = 0; i < cpu_mpidr.size(); i++)
        for (size_t j = i + 1; j < cpu_mpidr.size(); j++)
            if ((cpu_mpidr[i] & 0xff00ffffffull) == (cpu_mpidr[j] & 0xff00ffffffull))
                throw GicConfigError("GIC: CPUs " + std::to_string(i) + " and " +
                                     std::to_string(j) + " have the same affinity");
}

std::vector<uint64_t> GicConfig::virt_mpidrs(unsigned ncpus) {
    std::vector<uint64_t> v;
    for (unsigned i = 0; i < ncpus; i++)
        v.push_back((1ull << 31) | ((i / 16) << 8) | (i % 16));
    return v;
}

void gic_derive_id_registers(GicV3State& s, const GicConfig& cfg) {
    const unsigned ncpus = cfg.num_cpus();
    // GICD_TYPER: ITLinesNumber, CPUNumber, MBIS, LPIS, IDbits, A3V, RSS.
    // No1N = 0 (1-of-N supported), SecurityExtn = 0 (single Security state),
    // ESPI/NMI/DVIS = 0.
    s.gicd_typer = (cfg.num_irqs / 32 - 1) | ((ncpus > 8 ? 7 : ncpus - 1) << 5) | (1u << 16) |
                   (1u << 17) | ((kIdBits - 1) << 19) | (1u << 24) | (1u << 26);
    // GICD_TYPER2 exists on GICv4.1 only: VIL = 1, VID = vPEID bits - 1,
    // nASSGIcap = 1. RES0 (reads zero) on GICv3.
    s.gicd_typer2 = cfg.v4() ? (kTyper2NassgiCap | kTyper2Vil | (kGicVpeIdBits - 1)) : 0;
    s.gicd_iidr = kGicIidr;
    s.gicr_iidr = kGicIidr;
    // PIDR2: ArchRev[7:4], JEDEC[3] = 1, DES_1[2:0] = 3 (JEP106 0x3b).
    s.gicd_pidr2 = ((cfg.v4() ? 4u : 3u) << 4) | 0xb;
    s.cpu.resize(ncpus);
    for (unsigned i = 0; i < ncpus; i++) {
        uint64_t mp = cfg.cpu_mpidr[i];
        uint64_t aff = ((mp >> 32) & 0xff) << 24 | (mp & 0xffffff); // Aff3.Aff2.Aff1.Aff0
        uint64_t t = kRTyperPlpis | (static_cast<uint64_t>(i) << 8) | (aff << 32);
        if (i == ncpus - 1) t |= kRTyperLast;
        // GICv4.1: VLPIS (the redistributors have the VLPI frames: software
        // derives the four-frame stride from it) and DirectLPI. RVPEID and
        // VSGI stay 0: the ITS is physical only, and Linux warns about
        // redistributors with RVPEID when no ITS is v4.1. The v4.1 vPE
        // registers exist with their reset and access behaviour.
        if (cfg.v4()) t |= kRTyperVlpis | kRTyperDirectLpi;
        s.cpu[i].gicr_typer = t;
    }
    // GITS_TYPER: Physical, ITT_entry_size, IDbits, Devbits; PTA = 0 (target
    // is the processor number), HCC = 0, CIL = 0 (16-bit ICIDs), no virtual
    // LPIs in the ITS.
    s.its.typer = 1ull | ((kItsEntrySize - 1ull) << 4) | ((kItsEventBits - 1ull) << 8) |
                  ((kItsDevBits - 1ull) << 13);
    s.its.iidr = kGicIidr;
    s.its.pidr2 = s.gicd_pidr2;
}

namespace {

// The read-only fields of GITS_BASER<n>: table type and entry size.
uint64_t baser_id_bits(unsigned n) {
    uint64_t type = n == 0 ? kBaserTypeDevice : n == 1 ? kBaserTypeCollection : 0;
    if (!type) return 0;
    return (type << kBaserTypeShift) | (uint64_t{kItsEntrySize - 1} << kBaserEntrySizeShift);
}

} // namespace

void gic_reset(GicV3State& s, const GicConfig& cfg, bool keep_levels) {
    const unsigned words = cfg.num_irqs / 32;
    std::vector<uint32_t> spi_levels = s.level;
    s.gicd_ctlr = kCtlrAre | kCtlrDs;
    s.gicd_statusr = 0;
    s.group.assign(words, 0);
    s.enabled.assign(words, 0);
    s.pending.assign(words, 0);
    s.active.assign(words, 0);
    s.level.assign(words, 0);
    s.edge_trigger.assign(words, 0);
    s.priority.assign(cfg.num_irqs, 0);
    s.irouter.assign(cfg.num_irqs, 0);
    if (keep_levels && spi_levels.size() == words) s.level = spi_levels;
    s.cpu.resize(cfg.num_cpus());
    for (auto& c : s.cpu) {
        uint32_t ppi_levels = c.level;
        const uint64_t typer = c.gicr_typer;
        c = GicV3CpuState{};
        c.gicr_typer = typer;
        c.gicr_waker = kWakerProcessorSleep | kWakerChildrenAsleep;
        c.edge_trigger = 0xffff; // SGIs are always edge-triggered
        if (keep_levels) c.level = ppi_levels;
        // ICC_CTLR_EL1: PRIbits[10:8], IDbits[13:11] = 0 (16 bits),
        // A3V[15], RSS[18] (SGI Aff0 0..255); EOImode/CBPR/PMHE reset to 0.
        c.icc_ctlr = (uint64_t{kPriorityBits - 1} << 8) | (1ull << 15) | (1ull << 18);
        c.icc_bpr = {kMinBpr0, kMinBpr1};
        c.icc_sre = 0x7; // SRE, DFB, DIB: RAO/WI
    }
    const uint32_t its_iidr = s.its.iidr, its_pidr2 = s.its.pidr2;
    const uint64_t its_typer = s.its.typer;
    s.its = GicV3ItsState{};
    s.its.iidr = its_iidr;
    s.its.typer = its_typer;
    s.its.pidr2 = its_pidr2;
    for (unsigned n = 0; n < 8; n++)
        s.its.baser[n] = baser_id_bits(n);
}

GicV3State gic_initial_state(const GicConfig& cfg) {
    GicV3State s;
    gic_derive_id_registers(s, cfg);
    gic_reset(s, cfg);
    return s;
}

} // namespace kestrel
