// Redistributors (GICR_*): one per core, each RD_base + SGI_base frames
// (128 KiB) on GICv3, plus VLPI_base + a reserved frame (256 KiB) on GICv4.1.
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gicv3.hpp"

namespace kestrel {

using namespace gic;

namespace {

// A 64-bit register reached by a 64-bit access or either 32-bit half.
bool half_or_full(uint64_t off, unsigned size) {
    return (size == 8 && !(off & 7)) || (size == 4 && !(off & 3));
}
uint64_t read_part(uint64_t reg, uint64_t off, unsigned size) {
    return size == 8 ? reg : (reg >> (8 * (off & 4))) & 0xffffffffull;
}
uint64_t merge_part(uint64_t reg, uint64_t off, unsigned size, uint64_t v) {
    if (size == 8) return v;
    return (off & 4) ? (reg & 0xffffffffull) | (v << 32)
                     : (reg & ~0xffffffffull) | (v & 0xffffffffull);
}

} // namespace

uint32_t GicV3::gicr_ctlr_value(unsigned cpu) const {
    // CES = 1: EnableLPIs can be cleared again. IR (GICv4.1): the LPI
    // invalidate registers are implemented. RWP/UWP: writes complete at
    // once. DPG*: RAZ/WI (GICR_TYPER.DPGS = 0).
    uint32_t v = (s_.cpu[cpu].gicr_ctlr & kRCtlrEnableLpis) | kRCtlrCes;
    if (cfg_.v4()) v |= kRCtlrIr;
    return v;
}

void GicV3::write_gicr_ctlr(unsigned cpu, uint32_t v) {
    GicV3CpuState& c = s_.cpu[cpu];
    const bool was = c.gicr_ctlr & kRCtlrEnableLpis, now = v & kRCtlrEnableLpis;
    c.gicr_ctlr = now ? kRCtlrEnableLpis : 0;
    if (now && !was) rebuild_lpi_cache(cpu); // the pending table is read at enable
    if (!now) cache_[cpu].lpis.clear();
}

MemResult GicV3::rd_frame_access(unsigned cpu, uint64_t off, unsigned size, uint64_t& value,
                                 bool write) {
    GicV3CpuState& c = s_.cpu[cpu];
    const bool lpis_on = c.gicr_ctlr & kRCtlrEnableLpis;
    const bool direct_lpi = c.gicr_typer & kRTyperDirectLpi;
    const bool word = size == 4 && !(off & 3);
    bool ok = true;
    if (off == r::CTLR && word) {
        if (write)
            write_gicr_ctlr(cpu, static_cast<uint32_t>(value));
        else
            value = gicr_ctlr_value(cpu);
    } else if (off == r::IIDR && word) {
        if (!write) value = s_.gicr_iidr;
    } else if ((off & ~7ull) == r::TYPER && half_or_full(off, size)) {
        if (!write) value = read_part(c.gicr_typer, off, size);
    } else if (off == r::STATUSR && word) {
        if (write)
            c.gicr_statusr &= ~static_cast<uint32_t>(value);
        else
            value = c.gicr_statusr;
    } else if (off == r::WAKER && word) {
        // ProcessorSleep is writable; ChildrenAsleep follows it at once
        // (nothing to quiesce). Bit 0 and Quiescent: RAZ/WI.
        if (write)
            c.gicr_waker =
                (value & kWakerProcessorSleep) ? kWakerProcessorSleep | kWakerChildrenAsleep : 0;
        else
            value = c.gicr_waker;
    } else if ((off & ~7ull) == r::PROPBASER && half_or_full(off, size)) {
        // Fixed while LPIs are enabled (writes then are UNPREDICTABLE: ignored).
        if (write && !lpis_on)
            c.gicr_propbaser = merge_part(c.gicr_propbaser, off, size, value) & kPropbaserMask;
        else if (!write)
            value = read_part(c.gicr_propbaser, off, size);
    } else if ((off & ~7ull) == r::PENDBASER && half_or_full(off, size)) {
        if (write && !lpis_on)
            c.gicr_pendbaser = merge_part(c.gicr_pendbaser, off, size, value) & kPendbaserMask;
        else if (!write)
            value = read_part(c.gicr_pendbaser, off, size);
    } else if (direct_lpi && (off & ~7ull) == r::SETLPIR && half_or_full(off, size)) {
        // Write-only; the INTID is in the low word.
        if (write && !(off & 4)) set_lpi_pending(cpu, static_cast<uint32_t>(value), true);
        if (!write) value = 0;
    } else if (direct_lpi && (off & ~7ull) == r::CLRLPIR && half_or_full(off, size)) {
        if (write && !(off & 4)) set_lpi_pending(cpu, static_cast<uint32_t>(value), false);
        if (!write) value = 0;
    } else if (cfg_.v4() && ((off & ~7ull) == r::INVLPIR || (off & ~7ull) == r::INVALLR) &&
               half_or_full(off, size)) {
        // Property-table entries are read afresh on every evaluation, so an
        // invalidation only needs a re-evaluation (done after every write).
        // V = 1 (a vPE's virtual LPIs) has nothing to act on: inert.
        if (!write) value = 0;
    } else if (cfg_.v4() && off == r::SYNCR && word) {
        if (!write) value = 0; // Busy = 0: invalidations complete at once
    } else if (off >= d::IDREGS && word) {
        if (!write) value = gic_id_register(off, s_.gicd_pidr2);
    } else {
        ok = false;
    }
    if (!ok) {
        if (!write) value = 0;
        guest_error("GICR%u RD_base %s of reserved offset 0x%llx (size %u)", cpu,
                    write ? "write" : "read", static_cast<unsigned long long>(off), size);
    }
    return MemResult::Ok;
}

MemResult GicV3::sgi_frame_access(unsigned cpu, uint64_t off, unsigned size, uint64_t& value,
                                  bool write) {
    GicV3CpuState& c = s_.cpu[cpu];
    const uint32_t v = static_cast<uint32_t>(value);
    bool ok = true;
    if (off >= d::IPRIORITYR && off < d::IPRIORITYR + 32 &&
        (size == 1 || (size == 4 && !(off & 3)))) {
        unsigned i = static_cast<unsigned>(off - d::IPRIORITYR);
        if (write) {
            for (unsigned b = 0; b < size; b++)
                c.priority[i + b] = static_cast<uint8_t>(value >> (8 * b)) & kPriorityMask;
        } else {
            value = 0;
            for (unsigned b = 0; b < size; b++)
                value |= static_cast<uint64_t>(c.priority[i + b]) << (8 * b);
        }
        return MemResult::Ok;
    }
    if (size != 4 || (off & 3)) {
        ok = false;
    } else if (off == d::IGROUPR) {
        if (write)
            c.group = v;
        else
            value = c.group;
    } else if (off == d::ISENABLER || off == d::ICENABLER) {
        if (write && off == d::ISENABLER)
            c.enabled |= v;
        else if (write)
            c.enabled &= ~v;
        else
            value = c.enabled;
    } else if (off == d::ISPENDR || off == d::ICPENDR) {
        if (write && off == d::ISPENDR)
            c.pending |= v;
        else if (write)
            c.pending &= ~v;
        else
            value = c.pending | (c.level & ~c.edge_trigger);
    } else if (off == d::ISACTIVER || off == d::ICACTIVER) {
        if (write && off == d::ISACTIVER)
            c.active |= v;
        else if (write)
            c.active &= ~v;
        else
            value = c.active;
    } else if (off == d::ICFGR) {
        if (!write) value = 0xaaaaaaaa; // SGIs: edge-triggered, read-only
    } else if (off == d::ICFGR + 4) {
        // PPI trigger modes are programmable.
        if (write) {
            uint32_t edge = 0;
            for (unsigned i = 0; i < 16; i++)
                if (v & (2u << (2 * i))) edge |= 1u << (16 + i);
            c.edge_trigger = (c.edge_trigger & 0xffff) | edge;
        } else {
            uint32_t r = 0;
            for (unsigned i = 0; i < 16; i++)
                if (c.edge_trigger & (1u << (16 + i))) r |= 2u << (2 * i);
            value = r;
        }
    } else if (off == d::IGRPMODR || off == d::NSACR) {
        if (!write) value = 0; // RAZ/WI with GICD_CTLR.DS = 1
    } else {
        ok = false;
    }
    if (!ok) {
        if (!write) value = 0;
        guest_error("GICR%u SGI_base %s of reserved offset 0x%llx (size %u)", cpu,
                    write ? "write" : "read", static_cast<unsigned long long>(off), size);
    }
    return MemResult::Ok;
}

// GICv4.1 VLPI_base frame. The registers hold their values with their
// architectural access rules, but no virtual interrupt is ever delivered:
// that needs a hypervisor at EL2, which Kestrel's cores do not run yet.
MemResult GicV3::vlpi_frame_access(unsigned cpu, uint64_t off, unsigned size, uint64_t& value,
                                   bool write) {
    GicV3CpuState& c = s_.cpu[cpu];
    bool ok = true;
    if ((off & ~7ull) == r::VPROPBASER && half_or_full(off, size)) {
        // Entry_Size[61:59] is read-only: 8-byte vPE entries (0). Z is
        // write-only (it asks the GIC to treat the table as zeroed).
        if (write)
            c.gicr_vpropbaser =
                merge_part(c.gicr_vpropbaser, off, size, value) & kVPropbaserRwMask & ~kVPropZ;
        else
            value = read_part(c.gicr_vpropbaser, off, size);
    } else if ((off & ~7ull) == r::VPENDBASER && half_or_full(off, size)) {
        // Dirty and PendingLast read 0: nothing is ever being parsed.
        if (write)
            c.gicr_vpendbaser = merge_part(c.gicr_vpendbaser, off, size, value) & kVPendbaserRwMask;
        else
            value = read_part(c.gicr_vpendbaser, off, size);
    } else if (off == r::VSGIR && size == 4) {
        if (write)
            c.gicr_vsgir = static_cast<uint32_t>(value) & 0xffff;
        else
            value = c.gicr_vsgir;
    } else if (off == r::VSGIPENDR && size == 4) {
        // The query completes at once (Busy = 0); no vSGI is pending.
        if (!write) value = 0;
    } else {
        ok = false;
    }
    if (!ok) {
        if (!write) value = 0;
        guest_error("GICR%u VLPI_base %s of reserved offset 0x%llx (size %u)", cpu,
                    write ? "write" : "read", static_cast<unsigned long long>(off), size);
    }
    return MemResult::Ok;
}

MemResult GicV3::redist_read(uint64_t off, unsigned size, uint64_t& value) {
    std::lock_guard lk(mu_);
    value = 0;
    const unsigned cpu = static_cast<unsigned>(off / cfg_.redist_stride());
    const uint64_t in = off % cfg_.redist_stride();
    if (cpu >= cfg_.num_cpus()) return MemResult::Ok;
    switch (in / kFrameSize) {
    case 0: return rd_frame_access(cpu, in, size, value, false);
    case 1: return sgi_frame_access(cpu, in - kFrameSize, size, value, false);
    case 2: return vlpi_frame_access(cpu, in - 2 * kFrameSize, size, value, false);
    default:
        guest_error("GICR%u read of reserved frame offset 0x%llx", cpu,
                    static_cast<unsigned long long>(in));
        return MemResult::Ok;
    }
}

MemResult GicV3::redist_write(uint64_t off, unsigned size, uint64_t value) {
    std::lock_guard lk(mu_);
    const unsigned cpu = static_cast<unsigned>(off / cfg_.redist_stride());
    const uint64_t in = off % cfg_.redist_stride();
    if (cpu >= cfg_.num_cpus()) return MemResult::Ok;
    MemResult r = MemResult::Ok;
    switch (in / kFrameSize) {
    case 0: r = rd_frame_access(cpu, in, size, value, true); break;
    case 1: r = sgi_frame_access(cpu, in - kFrameSize, size, value, true); break;
    case 2: r = vlpi_frame_access(cpu, in - 2 * kFrameSize, size, value, true); break;
    default:
        guest_error("GICR%u write of reserved frame offset 0x%llx", cpu,
                    static_cast<unsigned long long>(in));
    }
    update();
    return r;
}

} // namespace kestrel
