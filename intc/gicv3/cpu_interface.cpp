// The CPU interfaces: ICC_*_EL1 system registers of each core. Single
// Security state (GICD_CTLR.DS = 1): Group 0 interrupts are FIQs, Group 1
// interrupts IRQs, and EL1 owns both groups. Five priority bits (32
// levels), so only ICC_AP0R0/AP1R0 exist and group priorities use bits
// [7:3]. Spurious INTID 1023 only: 1022 is for accesses from EL3, which
// Kestrel does not have.
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gicv3.hpp"

namespace kestrel {

using namespace gic;

namespace {
constexpr uint64_t kIccCtlrCbpr = 1u << 0;
constexpr uint64_t kIccCtlrEoiMode = 1u << 1;
constexpr uint64_t kIccCtlrPmhe = 1u << 6;
constexpr unsigned kAprShift = 8 - kPriorityBits;
} // namespace

uint8_t GicV3::running_priority(unsigned cpu) const {
    const auto& apr = s_.cpu[cpu].icc_apr;
    uint64_t active = (apr[0] | apr[1]) & 0xffffffffull;
    if (!active) return 0xff; // idle
    return static_cast<uint8_t>(__builtin_ctzll(active) << kAprShift);
}

// The bits of a priority that form its group priority (binary point).
uint8_t GicV3::group_priority_mask(unsigned cpu, unsigned group) const {
    const GicV3CpuState& c = s_.cpu[cpu];
    if (group == 0 || (c.icc_ctlr & kIccCtlrCbpr))
        return static_cast<uint8_t>(0xff << ((c.icc_bpr[0] & 7) + 1));
    // ICC_BPR1 counts one less: BPR1 = n means group priority bits [7:n].
    return static_cast<uint8_t>(0xff << (c.icc_bpr[1] & 7));
}

// The interrupt beats the priority mask and preempts the running priority.
bool GicV3::can_signal(unsigned cpu, uint8_t prio, unsigned group) const {
    if (prio >= (s_.cpu[cpu].icc_pmr & kPriorityMask)) return false;
    return (prio & group_priority_mask(cpu, group)) < running_priority(cpu);
}

uint32_t GicV3::hppir(unsigned cpu, unsigned group) const {
    const CpuCache& cc = cache_[cpu];
    if (cc.hppi == kSpurious || cc.hppi_group != group) return kSpurious;
    return cc.hppi;
}

uint32_t GicV3::acknowledge(unsigned cpu, unsigned group) {
    const CpuCache& cc = cache_[cpu];
    if (cc.hppi == kSpurious || cc.hppi_group != group ||
        !can_signal(cpu, cc.hppi_prio, cc.hppi_group))
        return kSpurious;
    const uint32_t intid = cc.hppi;
    const uint8_t prio = cc.hppi_prio;
    GicV3CpuState& c = s_.cpu[cpu];
    if (intid < kNumInternal) {
        const uint32_t bit = 1u << intid;
        c.pending &= ~bit;
        // GICv4.1 GICD_CTLR.nASSGIreq: SGIs have no active state.
        if (!(intid < kNumSgis && (s_.gicd_ctlr & kCtlrNassgiReq))) c.active |= bit;
    } else if (intid < kFirstLpi) {
        s_.pending[intid / 32] &= ~(1u << (intid % 32));
        s_.active[intid / 32] |= 1u << (intid % 32);
    } else {
        set_lpi_pending(cpu, intid, false); // LPIs have no active state
    }
    c.icc_apr[group] |= 1ull << ((prio & group_priority_mask(cpu, group)) >> kAprShift);
    update();
    return intid;
}

void GicV3::deactivate(unsigned cpu, uint32_t intid) {
    if (intid < kNumInternal)
        s_.cpu[cpu].active &= ~(1u << intid);
    else if (intid < cfg_.spi_limit())
        s_.active[intid / 32] &= ~(1u << (intid % 32));
    // LPIs and unimplemented INTIDs have no active state.
}

void GicV3::end_of_interrupt(unsigned cpu, unsigned group, uint32_t intid) {
    if (intid >= 1020 && intid <= 1023) return; // special INTIDs: ignored
    GicV3CpuState& c = s_.cpu[cpu];
    const uint64_t active = (c.icc_apr[0] | c.icc_apr[1]) & 0xffffffffull;
    if (!active) {
        guest_error("CPU%u ICC_EOIR%u of INTID %u with no active priority", cpu, group, intid);
        return;
    }
    // Priority drop: the highest active priority must belong to this group
    // (the architecture makes anything else UNPREDICTABLE; it is ignored).
    const uint64_t lowest = active & (~active + 1);
    if (!(c.icc_apr[group] & lowest)) {
        guest_error("CPU%u ICC_EOIR%u of INTID %u while a Group %u priority is active", cpu, group,
                    intid, group ^ 1);
        return;
    }
    c.icc_apr[group] &= ~lowest;
    if (!(c.icc_ctlr & kIccCtlrEoiMode)) deactivate(cpu, intid);
}

void GicV3::generate_sgi(unsigned cpu, uint64_t v, IccReg reg) {
    const uint32_t intid = (v >> 24) & 0xf;
    const bool broadcast = (v >> 40) & 1; // IRM: every core but this one
    const unsigned rs = (v >> 44) & 0xf;  // range selector: Aff0 = RS * 16 + n
    const uint64_t target_aff = ((v >> 48) & 0xff) << 32 | ((v >> 32) & 0xff) << 16 |
                                ((v >> 16) & 0xff) << 8; // Aff3, Aff2, Aff1
    for (unsigned j = 0; j < cfg_.num_cpus(); j++) {
        const uint64_t mp = cfg_.cpu_mpidr[j];
        if (broadcast) {
            if (j == cpu) continue;
        } else {
            if ((mp & 0xff00ffff00ull) != target_aff) continue;
            const unsigned aff0 = mp & 0xff;
            if (aff0 / 16 != rs || !((v >> (aff0 % 16)) & 1)) continue;
        }
        GicV3CpuState& t = s_.cpu[j];
        // With DS = 1, ICC_SGI1R_EL1 raises the SGI whatever its group;
        // ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 only raise Group 0 SGIs.
        if (reg != IccReg::SGI1R && ((t.group >> intid) & 1)) continue;
        t.pending |= 1u << intid;
    }
}

uint64_t GicV3::icc_read(unsigned cpu, IccReg reg) {
    std::lock_guard lk(mu_);
    if (cpu >= cfg_.num_cpus()) return 0;
    const GicV3CpuState& c = s_.cpu[cpu];
    switch (reg) {
    case IccReg::IAR0: return acknowledge(cpu, 0);
    case IccReg::IAR1: return acknowledge(cpu, 1);
    case IccReg::HPPIR0: return hppir(cpu, 0);
    case IccReg::HPPIR1: return hppir(cpu, 1);
    case IccReg::BPR0: return c.icc_bpr[0];
    case IccReg::BPR1:
        // With CBPR, Group 1 uses BPR0 and BPR1 reads as BPR0 + 1 (max 7).
        if (c.icc_ctlr & kIccCtlrCbpr) return c.icc_bpr[0] + 1 > 7 ? 7 : c.icc_bpr[0] + 1;
        return c.icc_bpr[1];
    case IccReg::PMR: return c.icc_pmr;
    case IccReg::RPR: return running_priority(cpu);
    case IccReg::CTLR: return c.icc_ctlr;
    case IccReg::SRE: return c.icc_sre;
    case IccReg::SRE_EL2: return 0xf; // Enable, DIB, DFB, SRE: RAO/WI
    case IccReg::IGRPEN0: return c.icc_igrpen[0];
    case IccReg::IGRPEN1: return c.icc_igrpen[1];
    case IccReg::AP0R0: return c.icc_apr[0];
    case IccReg::AP1R0: return c.icc_apr[1];
    default: return 0; // write-only registers (not reachable by MRS)
    }
}

void GicV3::icc_write(unsigned cpu, IccReg reg, uint64_t v) {
    std::lock_guard lk(mu_);
    if (cpu >= cfg_.num_cpus()) return;
    GicV3CpuState& c = s_.cpu[cpu];
    switch (reg) {
    case IccReg::EOIR0: end_of_interrupt(cpu, 0, v & 0xffffff); break;
    case IccReg::EOIR1: end_of_interrupt(cpu, 1, v & 0xffffff); break;
    case IccReg::DIR:
        // With EOImode = 0 a DIR write is UNPREDICTABLE: ignored.
        if (c.icc_ctlr & kIccCtlrEoiMode) deactivate(cpu, v & 0xffffff);
        break;
    case IccReg::BPR0: c.icc_bpr[0] = (v & 7) < kMinBpr0 ? kMinBpr0 : (v & 7); break;
    case IccReg::BPR1:
        if (!(c.icc_ctlr & kIccCtlrCbpr)) c.icc_bpr[1] = (v & 7) < kMinBpr1 ? kMinBpr1 : (v & 7);
        break;
    case IccReg::PMR: c.icc_pmr = v & kPriorityMask; break;
    case IccReg::CTLR: {
        // CBPR, EOImode and PMHE are writable; the ID fields are read-only.
        const uint64_t rw = kIccCtlrCbpr | kIccCtlrEoiMode | kIccCtlrPmhe;
        c.icc_ctlr = (c.icc_ctlr & ~rw) | (v & rw);
        break;
    }
    case IccReg::SRE:
    case IccReg::SRE_EL2: break; // RAO/WI
    case IccReg::IGRPEN0: c.icc_igrpen[0] = v & 1; break;
    case IccReg::IGRPEN1: c.icc_igrpen[1] = v & 1; break;
    case IccReg::AP0R0: c.icc_apr[0] = v & 0xffffffffull; break;
    case IccReg::AP1R0: c.icc_apr[1] = v & 0xffffffffull; break;
    case IccReg::SGI0R:
    case IccReg::SGI1R:
    case IccReg::ASGI1R: generate_sgi(cpu, v, reg); break;
    default: break; // read-only registers (not reachable by MSR)
    }
    update();
}

} // namespace kestrel
