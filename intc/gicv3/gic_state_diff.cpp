#include "intc/gicv3/gic_state_diff.hpp"

#include <cstdarg>
#include <cstdio>

namespace kestrel {

namespace {

// printf-style names (std::string concatenation trips GCC 12's -Wrestrict).
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[160];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

struct Differ {
    const GicDiffOptions& opt;
    std::vector<std::string> out;

    bool full() const { return out.size() >= opt.limit; }
    template <typename T> void one(const std::string& name, const T& a, const T& b) {
        if (full() || a == b) return;
        out.push_back(fmt("%s (0x%llx vs 0x%llx)", name.c_str(), static_cast<unsigned long long>(a),
                          static_cast<unsigned long long>(b)));
    }
    template <typename T>
    void vec(const std::string& name, const std::vector<T>& a, const std::vector<T>& b) {
        if (full()) return;
        if (a.size() != b.size()) {
            out.push_back(fmt("%s (size %zu vs %zu)", name.c_str(), a.size(), b.size()));
            return;
        }
        for (size_t i = 0; i < a.size() && !full(); i++)
            one(fmt("%s[%zu]", name.c_str(), i), a[i], b[i]);
    }
    template <typename T, size_t N>
    void arr(const std::string& name, const std::array<T, N>& a, const std::array<T, N>& b) {
        for (size_t i = 0; i < N && !full(); i++)
            one(fmt("%s[%zu]", name.c_str(), i), a[i], b[i]);
    }
};

} // namespace

std::vector<std::string> gic_state_diff(const GicV3State& a, const GicV3State& b,
                                        const GicDiffOptions& opt) {
    Differ d{opt, {}};
    if (opt.id_registers) {
        d.one("GICD_TYPER", a.gicd_typer, b.gicd_typer);
        d.one("GICD_TYPER2", a.gicd_typer2, b.gicd_typer2);
        d.one("GICD_IIDR", a.gicd_iidr, b.gicd_iidr);
        d.one("GICD_PIDR2", a.gicd_pidr2, b.gicd_pidr2);
        d.one("GICR_IIDR", a.gicr_iidr, b.gicr_iidr);
    }
    d.one("GICD_CTLR", a.gicd_ctlr, b.gicd_ctlr);
    d.one("GICD_STATUSR", a.gicd_statusr, b.gicd_statusr);
    d.vec("GICD_IGROUPR", a.group, b.group);
    d.vec("GICD_ISENABLER", a.enabled, b.enabled);
    d.vec("GICD_ISPENDR(latch)", a.pending, b.pending);
    d.vec("GICD_ISACTIVER", a.active, b.active);
    d.vec("SPI line level", a.level, b.level);
    d.vec("GICD_ICFGR(edge)", a.edge_trigger, b.edge_trigger);
    d.vec("GICD_IPRIORITYR", a.priority, b.priority);
    d.vec("GICD_IROUTER", a.irouter, b.irouter);
    if (a.cpu.size() != b.cpu.size()) {
        d.out.push_back(fmt("redistributor count (%zu vs %zu)", a.cpu.size(), b.cpu.size()));
        return d.out;
    }
    for (size_t i = 0; i < a.cpu.size() && !d.full(); i++) {
        const GicV3CpuState &x = a.cpu[i], &y = b.cpu[i];
        const std::string r = fmt("GICR%zu.", i);
        const std::string c = fmt("[%zu]", i);
        if (opt.id_registers) d.one(r + "TYPER", x.gicr_typer, y.gicr_typer);
        d.one(r + "CTLR", x.gicr_ctlr, y.gicr_ctlr);
        d.one(r + "STATUSR", x.gicr_statusr, y.gicr_statusr);
        d.one(r + "WAKER", x.gicr_waker, y.gicr_waker);
        d.one(r + "PROPBASER", x.gicr_propbaser, y.gicr_propbaser);
        d.one(r + "PENDBASER", x.gicr_pendbaser, y.gicr_pendbaser);
        d.one(r + "VPROPBASER", x.gicr_vpropbaser, y.gicr_vpropbaser);
        d.one(r + "VPENDBASER", x.gicr_vpendbaser, y.gicr_vpendbaser);
        d.one(r + "VSGIR", x.gicr_vsgir, y.gicr_vsgir);
        d.one(r + "IGROUPR0", x.group, y.group);
        d.one(r + "ISENABLER0", x.enabled, y.enabled);
        d.one(r + "ISPENDR0(latch)", x.pending, y.pending);
        d.one(r + "ISACTIVER0", x.active, y.active);
        d.one(r + "PPI line level", x.level, y.level);
        d.one(r + "ICFGR(edge)", x.edge_trigger, y.edge_trigger);
        d.arr(r + "IPRIORITYR", x.priority, y.priority);
        const uint64_t ctlr_mask = opt.id_registers ? ~0ull : ~kIccCtlrIdFields;
        d.one("ICC_CTLR_EL1" + c, x.icc_ctlr & ctlr_mask, y.icc_ctlr & ctlr_mask);
        d.one("ICC_PMR_EL1" + c, x.icc_pmr, y.icc_pmr);
        d.one("ICC_BPR0_EL1" + c, x.icc_bpr[0], y.icc_bpr[0]);
        d.one("ICC_BPR1_EL1" + c, x.icc_bpr[1], y.icc_bpr[1]);
        d.one("ICC_IGRPEN0_EL1" + c, x.icc_igrpen[0], y.icc_igrpen[0]);
        d.one("ICC_IGRPEN1_EL1" + c, x.icc_igrpen[1], y.icc_igrpen[1]);
        d.one("ICC_AP0R0_EL1" + c, x.icc_apr[0], y.icc_apr[0]);
        d.one("ICC_AP1R0_EL1" + c, x.icc_apr[1], y.icc_apr[1]);
        d.one("ICC_SRE_EL1" + c, x.icc_sre, y.icc_sre);
    }
    if (opt.its) {
        const GicV3ItsState &x = a.its, &y = b.its;
        if (opt.id_registers) {
            d.one("GITS_IIDR", x.iidr, y.iidr);
            d.one("GITS_TYPER", x.typer, y.typer);
            d.one("GITS_PIDR2", x.pidr2, y.pidr2);
        }
        d.one("GITS_CTLR", x.ctlr, y.ctlr);
        d.one("GITS_CBASER", x.cbaser, y.cbaser);
        d.one("GITS_CWRITER", x.cwriter, y.cwriter);
        d.one("GITS_CREADR", x.creadr, y.creadr);
        d.arr("GITS_BASER", x.baser, y.baser);
    }
    return d.out;
}

} // namespace kestrel
