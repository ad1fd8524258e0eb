// Moving a GicV3State between Kestrel and the kernel's vGIC, one register at
// a time through the KVM_DEV_ARM_VGIC_GRP_* attribute groups. The kernel's
// user-access view differs from a guest's in a few places, which is what
// makes an exact save/restore possible: ISPENDR reads and writes the pending
// latch (not latch | level), ICPENDR is RAZ/WI, STATUSR is set directly, and
// line levels have their own group (LEVEL_INFO).
#include "accel/kvm/kvm_gic.hpp"
#include "accel/kvm/kvm_gic_regs.hpp"
#include "intc/gicv3/gic_regs.hpp"

#include <cstdio>

namespace kestrel {

using namespace kvm;

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

const char* icc_name(uint32_t enc) {
    switch (enc) {
    case icc_enc::PMR: return "ICC_PMR_EL1";
    case icc_enc::BPR0: return "ICC_BPR0_EL1";
    case icc_enc::BPR1: return "ICC_BPR1_EL1";
    case icc_enc::CTLR: return "ICC_CTLR_EL1";
    case icc_enc::SRE: return "ICC_SRE_EL1";
    case icc_enc::IGRPEN0: return "ICC_IGRPEN0_EL1";
    case icc_enc::IGRPEN1: return "ICC_IGRPEN1_EL1";
    default:
        if (enc >= icc_enc::AP0R0 && enc < icc_enc::AP0R0 + 4) return "ICC_AP0Rn_EL1";
        if (enc >= icc_enc::AP1R0 && enc < icc_enc::AP1R0 + 4) return "ICC_AP1Rn_EL1";
        return "ICC register";
    }
}

// Edge bits of 16 INTIDs from a GICD_ICFGR word (bit 2n+1 = edge).
uint32_t cfg_to_edge(uint32_t cfg) {
    uint32_t e = 0;
    for (unsigned i = 0; i < 16; i++)
        if (cfg & (2u << (2 * i))) e |= 1u << i;
    return e;
}
uint32_t edge_to_cfg(uint32_t edge16) {
    uint32_t c = 0;
    for (unsigned i = 0; i < 16; i++)
        if (edge16 & (1u << i)) c |= 2u << (2 * i);
    return c;
}

} // namespace

// --- attribute access ---------------------------------------------------------

uint32_t KvmGic::dist_get(uint64_t off) {
    uint32_t v = 0;
    int r = kvm_.get_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off, &v);
    if (r < 0) throw KvmGicError("reading GICD+" + hex(off) + ": " + kvm_errno_text(r));
    return v;
}
void KvmGic::dist_set(uint64_t off, uint32_t v) {
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off, &v);
    if (r < 0)
        throw KvmGicError("writing " + hex(v) + " to GICD+" + hex(off) + ": " + kvm_errno_text(r));
}
uint32_t KvmGic::redist_get(unsigned cpu, uint64_t off) {
    uint32_t v = 0;
    int r = kvm_.get_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                                 vgic_mpidr_field(cfg_.cpu_mpidr[cpu]) | off, &v);
    if (r < 0)
        throw KvmGicError("reading GICR" + std::to_string(cpu) + "+" + hex(off) + ": " +
                          kvm_errno_text(r));
    return v;
}
void KvmGic::redist_set(unsigned cpu, uint64_t off, uint32_t v) {
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                                 vgic_mpidr_field(cfg_.cpu_mpidr[cpu]) | off, &v);
    if (r < 0)
        throw KvmGicError("writing " + hex(v) + " to GICR" + std::to_string(cpu) + "+" + hex(off) +
                          ": " + kvm_errno_text(r));
}
uint64_t KvmGic::icc_get(unsigned cpu, uint32_t enc) {
    uint64_t v = 0;
    int r = kvm_.get_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
                                 vgic_mpidr_field(cfg_.cpu_mpidr[cpu]) | enc, &v);
    if (r < 0)
        throw KvmGicError(std::string("reading ") + icc_name(enc) + " of vCPU " +
                          std::to_string(cpu) + ": " + kvm_errno_text(r));
    return v;
}
void KvmGic::icc_set(unsigned cpu, uint32_t enc, uint64_t v) {
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
                                 vgic_mpidr_field(cfg_.cpu_mpidr[cpu]) | enc, &v);
    if (r < 0) {
        std::string m = std::string("writing ") + hex(v) + " to " + icc_name(enc) + " of vCPU " +
                        std::to_string(cpu) + ": " + kvm_errno_text(r);
        if (enc == icc_enc::CTLR && cpu < kernel_icc_ctlr_.size())
            m += " (its priority bits, ID bits, SEIS or A3V do not fit this host, whose "
                 "ICC_CTLR_EL1 is " +
                 hex(kernel_icc_ctlr_[cpu]) + ")";
        throw KvmGicError(m);
    }
}
uint32_t KvmGic::level_get(unsigned cpu, unsigned first_intid) {
    uint32_t v = 0;
    uint64_t attr = vgic_mpidr_field(cfg_.cpu_mpidr[cpu]) |
                    (VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) |
                    first_intid;
    int r = kvm_.get_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr, &v);
    if (r < 0)
        throw KvmGicError("reading the line levels of INTIDs " + std::to_string(first_intid) +
                          "..: " + kvm_errno_text(r));
    return v;
}
void KvmGic::level_set(unsigned cpu, unsigned first_intid, uint32_t v) {
    uint64_t attr = vgic_mpidr_field(cfg_.cpu_mpidr[cpu]) |
                    (VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) |
                    first_intid;
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr, &v);
    if (r < 0)
        throw KvmGicError("writing the line levels of INTIDs " + std::to_string(first_intid) +
                          "..: " + kvm_errno_text(r));
}

// --- pull ------------------------------------------------------------------------

void KvmGic::pull(GicV3State& out) {
    using namespace gic;
    const unsigned words = cfg_.num_irqs / 32;
    GicV3State s = reset_state(); // sizes and ID registers
    s.gicd_ctlr = dist_get(d::CTLR);
    // The kernel's vGIC reports no errors: GICD_STATUSR reads all ones and
    // GICR_STATUSR zero through this interface, and both ignore writes, so
    // they carry no state (the reset value 0 stands for them).
    s.gicd_statusr = 0;
    for (unsigned n = 1; n < words; n++) {
        s.group[n] = dist_get(d::IGROUPR + 4 * n);
        s.enabled[n] = dist_get(d::ISENABLER + 4 * n);
        s.pending[n] = dist_get(d::ISPENDR + 4 * n); // the latch
        s.active[n] = dist_get(d::ISACTIVER + 4 * n);
        s.edge_trigger[n] = cfg_to_edge(dist_get(d::ICFGR + 8 * n)) |
                            cfg_to_edge(dist_get(d::ICFGR + 8 * n + 4)) << 16;
        s.level[n] = level_get(0, 32 * n);
    }
    for (unsigned intid = kFirstSpi; intid < cfg_.num_irqs; intid += 4) {
        uint32_t p = dist_get(d::IPRIORITYR + intid);
        for (unsigned b = 0; b < 4; b++)
            s.priority[intid + b] = static_cast<uint8_t>(p >> (8 * b));
    }
    for (unsigned intid = kFirstSpi; intid < cfg_.spi_limit(); intid++)
        s.irouter[intid] =
            dist_get(d::IROUTER + 8 * intid) | uint64_t{dist_get(d::IROUTER + 8 * intid + 4)} << 32;
    for (unsigned i = 0; i < cfg_.num_cpus(); i++) {
        GicV3CpuState& c = s.cpu[i];
        c.gicr_ctlr = redist_get(i, r::CTLR) & kRCtlrEnableLpis;
        c.gicr_statusr = 0; // RAZ/WI in the kernel (see GICD_STATUSR above)
        c.gicr_waker = redist_get(i, r::WAKER);
        c.gicr_propbaser = redist_get(i, r::PROPBASER) | uint64_t{redist_get(i, r::PROPBASER + 4)}
                                                             << 32;
        c.gicr_pendbaser = redist_get(i, r::PENDBASER) | uint64_t{redist_get(i, r::PENDBASER + 4)}
                                                             << 32;
        const uint64_t sgi = kFrameSize;
        c.group = redist_get(i, sgi + d::IGROUPR);
        c.enabled = redist_get(i, sgi + d::ISENABLER);
        c.pending = redist_get(i, sgi + d::ISPENDR);
        c.active = redist_get(i, sgi + d::ISACTIVER);
        c.edge_trigger = cfg_to_edge(redist_get(i, sgi + d::ICFGR)) |
                         cfg_to_edge(redist_get(i, sgi + d::ICFGR + 4)) << 16;
        for (unsigned w = 0; w < 8; w++) {
            uint32_t p = redist_get(i, sgi + d::IPRIORITYR + 4 * w);
            for (unsigned b = 0; b < 4; b++)
                c.priority[4 * w + b] = static_cast<uint8_t>(p >> (8 * b));
        }
        c.level = level_get(i, 0);
        c.icc_ctlr = icc_get(i, icc_enc::CTLR);
        c.icc_pmr = icc_get(i, icc_enc::PMR);
        c.icc_bpr = {icc_get(i, icc_enc::BPR0), icc_get(i, icc_enc::BPR1)};
        c.icc_apr = {icc_get(i, icc_enc::AP0R0), icc_get(i, icc_enc::AP1R0)};
        // A host CPU interface with more than Kestrel's 5 priority bits
        // has more active-priority registers; GicV3State holds AP*R0.
        const unsigned pri_bits = static_cast<unsigned>((c.icc_ctlr >> 8) & 7) + 1;
        const unsigned extra = pri_bits >= 7 ? 3 : pri_bits == 6 ? 1 : 0;
        for (unsigned n = 1; n <= extra; n++) {
            if (icc_get(i, icc_enc::AP0R0 + n) || icc_get(i, icc_enc::AP1R0 + n))
                throw KvmGicError("vCPU " + std::to_string(i) +
                                  " has active priorities in "
                                  "ICC_AP*R" +
                                  std::to_string(n) +
                                  "_EL1, beyond the 5 priority bits a "
                                  "snapshot holds");
        }
        c.icc_igrpen = {icc_get(i, icc_enc::IGRPEN0), icc_get(i, icc_enc::IGRPEN1)};
        c.icc_sre = icc_get(i, icc_enc::SRE);
    }
    out = std::move(s);
}

// --- push ------------------------------------------------------------------------

void KvmGic::push(const GicV3State& st, bool write_ids) {
    using namespace gic;
    if (std::string why = kvm_gic_geometry_mismatch(st, cfg_); !why.empty())
        throw KvmGicError("the state does not fit this VM: " + why);
    if (write_ids) {
        // The distributor ID registers first. The kernel ignores or checks
        // writes to ID registers; GICD_TYPER2 in particular is written only
        // so that the kernel can validate that it offers the configuration
        // the snapshot was taken with (a refusal fails the load here, before
        // any other register changes).
        dist_set(d::IIDR, st.gicd_iidr);
        if (int r = write_typer2(st.gicd_typer2); r < 0)
            throw KvmGicError(typer2_refusal(st.gicd_typer2, r, true));
    }
    dist_set(d::CTLR, st.gicd_ctlr);
    for (unsigned i = 0; i < cfg_.num_cpus(); i++)
        push_redistributor(i, st.cpu[i]);
    push_distributor(st);
    for (unsigned i = 0; i < cfg_.num_cpus(); i++)
        push_cpu_interface(i, st.cpu[i]);
}

void KvmGic::push_redistributor(unsigned i, const GicV3CpuState& c) {
    using namespace gic;
    // PROPBASER/PENDBASER are fixed once LPIs are enabled: write them while
    // EnableLPIs is still clear, then GICR_CTLR.
    redist_set(i, r::PROPBASER, static_cast<uint32_t>(c.gicr_propbaser));
    redist_set(i, r::PROPBASER + 4, static_cast<uint32_t>(c.gicr_propbaser >> 32));
    redist_set(i, r::PENDBASER, static_cast<uint32_t>(c.gicr_pendbaser));
    redist_set(i, r::PENDBASER + 4, static_cast<uint32_t>(c.gicr_pendbaser >> 32));
    redist_set(i, r::CTLR, c.gicr_ctlr & kRCtlrEnableLpis);
    redist_set(i, r::WAKER, c.gicr_waker);
    const uint64_t sgi = kFrameSize;
    redist_set(i, sgi + d::IGROUPR, c.group);
    redist_set(i, sgi + d::ICENABLER, ~c.enabled);
    redist_set(i, sgi + d::ISENABLER, c.enabled);
    redist_set(i, sgi + d::ICFGR + 4, edge_to_cfg(c.edge_trigger >> 16));
    for (unsigned w = 0; w < 8; w++) {
        uint32_t p = 0;
        for (unsigned b = 0; b < 4; b++)
            p |= uint32_t{c.priority[4 * w + b]} << (8 * b);
        redist_set(i, sgi + d::IPRIORITYR + 4 * w, p);
    }
    level_set(i, 0, c.level);
    redist_set(i, sgi + d::ISPENDR, c.pending); // sets and clears the latch
    redist_set(i, sgi + d::ICACTIVER, ~c.active);
    redist_set(i, sgi + d::ISACTIVER, c.active);
}

void KvmGic::push_distributor(const GicV3State& st) {
    using namespace gic;
    const unsigned words = cfg_.num_irqs / 32;
    // Group, enable, route, configuration, level, pending, active, priority.
    for (unsigned n = 1; n < words; n++) {
        dist_set(d::IGROUPR + 4 * n, st.group[n]);
        dist_set(d::ICENABLER + 4 * n, ~st.enabled[n]);
        dist_set(d::ISENABLER + 4 * n, st.enabled[n]);
    }
    for (unsigned intid = kFirstSpi; intid < cfg_.spi_limit(); intid++) {
        dist_set(d::IROUTER + 8 * intid, static_cast<uint32_t>(st.irouter[intid]));
        dist_set(d::IROUTER + 8 * intid + 4, static_cast<uint32_t>(st.irouter[intid] >> 32));
    }
    for (unsigned n = 1; n < words; n++) {
        dist_set(d::ICFGR + 8 * n, edge_to_cfg(st.edge_trigger[n] & 0xffff));
        dist_set(d::ICFGR + 8 * n + 4, edge_to_cfg(st.edge_trigger[n] >> 16));
        level_set(0, 32 * n, st.level[n]);
        dist_set(d::ISPENDR + 4 * n, st.pending[n]);
        dist_set(d::ICACTIVER + 4 * n, ~st.active[n]);
        dist_set(d::ISACTIVER + 4 * n, st.active[n]);
    }
    for (unsigned intid = kFirstSpi; intid < cfg_.num_irqs; intid += 4) {
        uint32_t p = 0;
        for (unsigned b = 0; b < 4; b++)
            p |= uint32_t{st.priority[intid + b]} << (8 * b);
        dist_set(d::IPRIORITYR + intid, p);
    }
}

void KvmGic::push_cpu_interface(unsigned i, const GicV3CpuState& c) {
    // ICC_CTLR_EL1 first: it sets the number of priority bits (and so of
    // active-priority registers). With CBPR set the kernel ignores BPR1
    // writes, so BPR1 goes in while CBPR is clear, then the final CTLR.
    icc_set(i, icc_enc::CTLR, c.icc_ctlr & ~uint64_t{1});
    icc_set(i, icc_enc::PMR, c.icc_pmr);
    icc_set(i, icc_enc::BPR0, c.icc_bpr[0]);
    icc_set(i, icc_enc::BPR1, c.icc_bpr[1]);
    icc_set(i, icc_enc::CTLR, c.icc_ctlr);
    icc_set(i, icc_enc::AP0R0, c.icc_apr[0]);
    icc_set(i, icc_enc::AP1R0, c.icc_apr[1]);
    icc_set(i, icc_enc::IGRPEN0, c.icc_igrpen[0]);
    icc_set(i, icc_enc::IGRPEN1, c.icc_igrpen[1]);
    icc_set(i, icc_enc::SRE, c.icc_sre);
}

} // namespace kestrel
