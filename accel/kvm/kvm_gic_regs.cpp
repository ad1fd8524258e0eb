#include "accel/kvm/kvm_gic_regs.hpp"

#include "intc/gicv3/gic_regs.hpp"

namespace kestrel {

using namespace gic;

std::string kvm_gic_geometry_mismatch(const GicV3State& st, const GicConfig& cfg) {
    const size_t words = cfg.num_irqs / 32;
    for (const auto* v :
         {&st.group, &st.enabled, &st.pending, &st.active, &st.level, &st.edge_trigger})
        if (v->size() != words)
            return "its distributor has " + std::to_string(v->size() * 32) +
                   " interrupts, this VM has " + std::to_string(cfg.num_irqs);
    if (st.priority.size() != cfg.num_irqs || st.irouter.size() != cfg.num_irqs)
        return "its priority/route tables do not cover " + std::to_string(cfg.num_irqs) +
               " interrupts";
    if (st.cpu.size() != cfg.num_cpus())
        return "it has " + std::to_string(st.cpu.size()) + " redistributors, this VM has " +
               std::to_string(cfg.num_cpus()) + " vCPUs";
    return {};
}

std::vector<std::string> kvm_vgic_losses(const GicV3State& st) {
    std::vector<std::string> out;
    // The kernel's distributor has one enable (Group 1); ARE and DS read as one.
    if (st.gicd_ctlr & kCtlrEnableGrp0) out.push_back("GICD_CTLR.EnableGrp0");
    // No error reporting: GICD_STATUSR/GICR_STATUSR are RAO or RAZ, and WI.
    bool statusr = st.gicd_statusr != 0;
    for (const GicV3CpuState& c : st.cpu)
        if (c.gicr_statusr) statusr = true;
    if (statusr) out.push_back("GICD_STATUSR/GICR_STATUSR error bits");
    // GICD_IROUTER keeps Aff2.Aff1.Aff0 only (no Aff3, no 1-of-N routing).
    unsigned routes = 0;
    for (size_t i = kFirstSpi; i < st.irouter.size(); i++)
        if (st.irouter[i] & ~0xffffffull) routes++;
    if (routes) out.push_back("GICD_IROUTER.IRM/Aff3 of " + std::to_string(routes) + " SPI(s)");
    unsigned asleep = 0, vlpi = 0, lpis = 0, pmhe = 0;
    for (const GicV3CpuState& c : st.cpu) {
        if (c.gicr_waker & kWakerProcessorSleep) asleep++;
        if (c.gicr_vpropbaser || c.gicr_vpendbaser || c.gicr_vsgir) vlpi++;
        if (c.gicr_ctlr & kRCtlrEnableLpis) lpis++;
        if (c.icc_ctlr & (1ull << 6)) pmhe++;
    }
    if (asleep)
        out.push_back("GICR_WAKER.ProcessorSleep of " + std::to_string(asleep) +
                      " redistributor(s) (the kernel's are always awake)");
    if (vlpi)
        out.push_back("the GICv4.1 VLPI frame registers of " + std::to_string(vlpi) +
                      " redistributor(s)");
    if (lpis)
        out.push_back("GICR_CTLR.EnableLPIs of " + std::to_string(lpis) +
                      " redistributor(s) (no in-kernel ITS)");
    if (pmhe) out.push_back("ICC_CTLR_EL1.PMHE of " + std::to_string(pmhe) + " CPU(s)");
    const GicV3ItsState& its = st.its;
    bool its_used = its.ctlr || its.cbaser || its.cwriter || its.creadr;
    for (uint64_t b : its.baser)
        if (b & kBaserValid) its_used = true;
    if (its_used) out.push_back("the ITS state (no in-kernel ITS)");
    return out;
}

} // namespace kestrel
