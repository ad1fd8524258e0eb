#include "intc/gicv3/gic_state_dump.hpp"

#include "intc/gicv3/gic_state_desc.hpp"

#include <cstdarg>
#include <cstdio>

namespace kestrel {

namespace {

void addf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void addf(std::string& out, const char* fmt, ...) {
    char b[256];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    out += b;
}

bool bit(const std::vector<uint32_t>& v, unsigned n) {
    return n / 32 < v.size() && (v[n / 32] >> (n % 32)) & 1;
}

// One line per interrupt that is enabled, pending or active (the others
// carry no information beyond their reset values).
void add_irq(std::string& out, unsigned intid, bool en, bool pend, bool act, bool lvl, bool edge,
             bool grp, uint8_t prio, const char* extra) {
    if (!en && !pend && !act && !lvl) return;
    addf(out, "    %4u: %s%s%s%s %s group%u prio=0x%02x%s\n", intid, en ? "enabled" : "disabled",
         pend ? " pending" : "", act ? " active" : "", lvl ? " line-high" : "",
         edge ? "edge" : "level", grp ? 1 : 0, prio, extra);
}

} // namespace

std::string format_gic_state(const GicV3State& s) {
    std::string out;
    unsigned arch = (s.gicd_pidr2 >> 4) & 0xf;
    addf(out, "GIC: ArchRev %u, %s\n", arch, gic_typer2_meaning(s.gicd_typer2).c_str());
    addf(out, "  GICD_TYPER=0x%08x IIDR=0x%08x PIDR2=0x%08x GICR_IIDR=0x%08x\n", s.gicd_typer,
         s.gicd_iidr, s.gicd_pidr2, s.gicr_iidr);
    addf(out, "  GICD_CTLR=0x%08x (EnableGrp0=%u EnableGrp1=%u) STATUSR=0x%08x\n", s.gicd_ctlr,
         s.gicd_ctlr & 1, (s.gicd_ctlr >> 1) & 1, s.gicd_statusr);
    out += "  SPIs (enabled, pending, active or line high):\n";
    for (unsigned i = 32; i < s.priority.size(); i++) {
        char route[48];
        std::snprintf(route, sizeof route, " route=0x%llx",
                      static_cast<unsigned long long>(i < s.irouter.size() ? s.irouter[i] : 0));
        add_irq(out, i, bit(s.enabled, i), bit(s.pending, i), bit(s.active, i), bit(s.level, i),
                bit(s.edge_trigger, i), bit(s.group, i), s.priority[i], route);
    }
    for (size_t c = 0; c < s.cpu.size(); c++) {
        const GicV3CpuState& r = s.cpu[c];
        addf(out, "  CPU %zu redistributor: TYPER=0x%016llx CTLR=0x%08x WAKER=0x%08x\n", c,
             static_cast<unsigned long long>(r.gicr_typer), r.gicr_ctlr, r.gicr_waker);
        addf(out, "    PROPBASER=0x%016llx PENDBASER=0x%016llx\n",
             static_cast<unsigned long long>(r.gicr_propbaser),
             static_cast<unsigned long long>(r.gicr_pendbaser));
        if (r.gicr_vpropbaser || r.gicr_vpendbaser)
            addf(out, "    VPROPBASER=0x%016llx VPENDBASER=0x%016llx\n",
                 static_cast<unsigned long long>(r.gicr_vpropbaser),
                 static_cast<unsigned long long>(r.gicr_vpendbaser));
        addf(out,
             "    ICC: CTLR=0x%llx PMR=0x%02llx BPR0=%llu BPR1=%llu IGRPEN0=%llu IGRPEN1=%llu "
             "AP0R0=0x%llx AP1R0=0x%llx SRE=0x%llx\n",
             static_cast<unsigned long long>(r.icc_ctlr),
             static_cast<unsigned long long>(r.icc_pmr),
             static_cast<unsigned long long>(r.icc_bpr[0]),
             static_cast<unsigned long long>(r.icc_bpr[1]),
             static_cast<unsigned long long>(r.icc_igrpen[0]),
             static_cast<unsigned long long>(r.icc_igrpen[1]),
             static_cast<unsigned long long>(r.icc_apr[0]),
             static_cast<unsigned long long>(r.icc_apr[1]),
             static_cast<unsigned long long>(r.icc_sre));
        for (unsigned i = 0; i < 32; i++)
            add_irq(out, i, (r.enabled >> i) & 1, (r.pending >> i) & 1, (r.active >> i) & 1,
                    (r.level >> i) & 1, (r.edge_trigger >> i) & 1, (r.group >> i) & 1,
                    r.priority[i], i < 16 ? " (SGI)" : " (PPI)");
    }
    const GicV3ItsState& its = s.its;
    addf(out, "  ITS: CTLR=0x%08x TYPER=0x%016llx CBASER=0x%016llx CREADR=0x%llx CWRITER=0x%llx\n",
         its.ctlr, static_cast<unsigned long long>(its.typer),
         static_cast<unsigned long long>(its.cbaser), static_cast<unsigned long long>(its.creadr),
         static_cast<unsigned long long>(its.cwriter));
    for (unsigned n = 0; n < its.baser.size(); n++)
        if (its.baser[n] >> 63)
            addf(out, "    BASER%u=0x%016llx\n", n, static_cast<unsigned long long>(its.baser[n]));
    return out;
}

} // namespace kestrel
