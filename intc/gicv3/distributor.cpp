// The distributor (GICD_*): SPI configuration, routing and the ID space.
// Affinity routing is always enabled and there is one Security state
// (GICD_CTLR.ARE and DS are RAO/WI), so the GICv2-style registers
// (ITARGETSR, SGIR, CPENDSGIR, SPENDSGIR) and the per-INTID registers of
// INTIDs 0..31 are RAZ/WI here; IGRPMODR, NSACR and SETSPI_SR/CLRSPI_SR
// are RAZ/WI because DS = 1.
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gicv3.hpp"

namespace kestrel {

using namespace gic;

namespace {

// The 32-bit ID registers at 0xffd0..0xfffc shared by the GIC frames:
// PIDR4..7, PIDR0..3, CIDR0..3.
uint32_t id_register(uint64_t off, uint32_t pidr2) {
    switch (off) {
    case 0xffd0: return 0x44; // PIDR4: 64 KiB frame count, JEP106 continuation 4
    case 0xffe0: return kGicPartNumber & 0xff;
    case 0xffe4: return 0xb0 | ((kGicPartNumber >> 8) & 0xf); // DES_0 = 0xb
    case 0xffe8: return pidr2;
    case 0xfff0: return kCidr[0];
    case 0xfff4: return kCidr[1];
    case 0xfff8: return kCidr[2];
    case 0xfffc: return kCidr[3];
    default: return 0; // PIDR5..7, PIDR3
    }
}

} // namespace

uint32_t gic_id_register(uint64_t off, uint32_t pidr2) {
    return id_register(off, pidr2);
}

uint32_t GicV3::spi_pending_word(unsigned w) const {
    // Level-sensitive interrupts are pending while their line is high.
    return s_.pending[w] | (s_.level[w] & ~s_.edge_trigger[w]);
}

// Word-sized registers; ok=false marks a reserved offset (guest error).
uint32_t GicV3::dist_read32(uint64_t off, bool& ok) {
    const unsigned words = cfg_.num_irqs / 32;
    auto bitmap = [&](const std::vector<uint32_t>& v, uint64_t base) -> uint32_t {
        unsigned n = static_cast<unsigned>((off - base) / 4);
        return n == 0 || n >= words ? 0 : v[n];
    };
    if (off == d::CTLR) return s_.gicd_ctlr;
    if (off == d::TYPER) return s_.gicd_typer;
    if (off == d::IIDR) return s_.gicd_iidr;
    if (off == d::TYPER2) return s_.gicd_typer2; // RES0 on GICv3: reads 0, not an error
    if (off == d::STATUSR) return s_.gicd_statusr;
    if (off == d::SETSPI_NSR || off == d::CLRSPI_NSR || off == d::SETSPI_SR || off == d::CLRSPI_SR)
        return 0; // write-only / RAZ with DS = 1
    if (off >= d::IGROUPR && off < d::ISENABLER) return bitmap(s_.group, d::IGROUPR);
    if (off >= d::ISENABLER && off < d::ISPENDR)
        return bitmap(s_.enabled, off < d::ICENABLER ? d::ISENABLER : d::ICENABLER);
    if (off >= d::ISPENDR && off < d::ISACTIVER) {
        unsigned n = static_cast<unsigned>((off & 0x7f) / 4);
        return n == 0 || n >= words ? 0 : spi_pending_word(n);
    }
    if (off >= d::ISACTIVER && off < d::IPRIORITYR)
        return bitmap(s_.active, off < d::ICACTIVER ? d::ISACTIVER : d::ICACTIVER);
    if (off >= d::IPRIORITYR && off < d::ITARGETSR) {
        unsigned intid = static_cast<unsigned>(off - d::IPRIORITYR);
        uint32_t v = 0;
        for (unsigned b = 0; b < 4; b++)
            if (intid + b >= kFirstSpi && intid + b < cfg_.spi_limit())
                v |= static_cast<uint32_t>(s_.priority[intid + b]) << (8 * b);
        return v;
    }
    if (off >= d::ITARGETSR && off < d::ICFGR) return 0;
    if (off >= d::ICFGR && off < d::IGRPMODR) {
        unsigned n = static_cast<unsigned>((off - d::ICFGR) / 4); // 16 INTIDs per word
        if (n < 2 || n / 2 >= words) return 0;
        uint32_t edge = s_.edge_trigger[n / 2] >> (16 * (n % 2)), v = 0;
        for (unsigned i = 0; i < 16; i++)
            if (edge & (1u << i)) v |= 2u << (2 * i);
        return v;
    }
    if (off >= d::IGRPMODR && off < d::IGRPMODR + 0x80) return 0;
    if (off >= d::NSACR && off < d::NSACR + 0x100) return 0;
    if (off == d::SGIR || (off >= d::CPENDSGIR && off < d::CPENDSGIR + 0x20)) return 0;
    if (off >= d::IDREGS) return id_register(off, s_.gicd_pidr2);
    ok = false;
    return 0;
}

void GicV3::dist_write32(uint64_t off, uint32_t v, bool& ok) {
    const unsigned words = cfg_.num_irqs / 32;
    auto index = [&](uint64_t base) -> unsigned {
        unsigned n = static_cast<unsigned>((off - base) / 4);
        return n == 0 || n >= words ? 0 : n; // 0: RAZ/WI
    };
    if (off == d::CTLR) {
        uint32_t ctlr = (s_.gicd_ctlr & ~(kCtlrEnableGrp0 | kCtlrEnableGrp1)) |
                        (v & (kCtlrEnableGrp0 | kCtlrEnableGrp1));
        // nASSGIreq: only with nASSGIcap, and only while both groups are
        // disabled (as they are before this write); otherwise the bit keeps
        // its value.
        const bool groups_off = !(s_.gicd_ctlr & (kCtlrEnableGrp0 | kCtlrEnableGrp1));
        if ((s_.gicd_typer2 & kTyper2NassgiCap) && groups_off)
            ctlr = (ctlr & ~kCtlrNassgiReq) | (v & kCtlrNassgiReq);
        s_.gicd_ctlr = ctlr; // ARE, DS: RAO/WI; E1NWF: RAZ/WI; RWP: always 0
        return;
    }
    if (off == d::TYPER || off == d::IIDR || off == d::TYPER2) return; // read-only
    if (off == d::STATUSR) {
        s_.gicd_statusr &= ~v; // write-one-to-clear; nothing sets it
        return;
    }
    if (off == d::SETSPI_NSR || off == d::CLRSPI_NSR) {
        unsigned intid = v & 0x3ff;
        if (intid < kFirstSpi || intid >= cfg_.spi_limit()) return; // ignored
        const unsigned w = intid / 32;
        const uint32_t bit = 1u << (intid % 32);
        const bool edge = s_.edge_trigger[w] & bit;
        // Edge: SETSPI sets the pending state, CLRSPI has no effect.
        // Level: SETSPI asserts the interrupt until CLRSPI deasserts it.
        if (off == d::SETSPI_NSR) {
            if (edge)
                s_.pending[w] |= bit;
            else
                s_.level[w] |= bit;
        } else if (!edge) {
            s_.level[w] &= ~bit;
        }
        return;
    }
    if (off == d::SETSPI_SR || off == d::CLRSPI_SR) return;
    if (off >= d::IGROUPR && off < d::ISENABLER) {
        if (unsigned n = index(d::IGROUPR)) s_.group[n] = v;
        return;
    }
    if (off >= d::ISENABLER && off < d::ICENABLER) {
        if (unsigned n = index(d::ISENABLER)) s_.enabled[n] |= v;
        return;
    }
    if (off >= d::ICENABLER && off < d::ISPENDR) {
        if (unsigned n = index(d::ICENABLER)) s_.enabled[n] &= ~v;
        return;
    }
    if (off >= d::ISPENDR && off < d::ICPENDR) {
        if (unsigned n = index(d::ISPENDR)) s_.pending[n] |= v;
        return;
    }
    if (off >= d::ICPENDR && off < d::ISACTIVER) {
        // Clears the latch; a level-sensitive line that is still high keeps
        // the interrupt pending.
        if (unsigned n = index(d::ICPENDR)) s_.pending[n] &= ~v;
        return;
    }
    if (off >= d::ISACTIVER && off < d::ICACTIVER) {
        if (unsigned n = index(d::ISACTIVER)) s_.active[n] |= v;
        return;
    }
    if (off >= d::ICACTIVER && off < d::IPRIORITYR) {
        if (unsigned n = index(d::ICACTIVER)) s_.active[n] &= ~v;
        return;
    }
    if (off >= d::IPRIORITYR && off < d::ITARGETSR) {
        unsigned intid = static_cast<unsigned>(off - d::IPRIORITYR);
        for (unsigned b = 0; b < 4; b++)
            if (intid + b >= kFirstSpi && intid + b < cfg_.spi_limit())
                s_.priority[intid + b] = static_cast<uint8_t>(v >> (8 * b)) & kPriorityMask;
        return;
    }
    if (off >= d::ITARGETSR && off < d::ICFGR) return;
    if (off >= d::ICFGR && off < d::IGRPMODR) {
        unsigned n = static_cast<unsigned>((off - d::ICFGR) / 4);
        if (n < 2 || n / 2 >= words) return;
        uint32_t edge = 0;
        for (unsigned i = 0; i < 16; i++)
            if (v & (2u << (2 * i))) edge |= 1u << i;
        const unsigned shift = 16 * (n % 2);
        s_.edge_trigger[n / 2] = (s_.edge_trigger[n / 2] & ~(0xffffu << shift)) | (edge << shift);
        return;
    }
    if (off >= d::IGRPMODR && off < d::IGRPMODR + 0x80) return;
    if (off >= d::NSACR && off < d::NSACR + 0x100) return;
    if (off == d::SGIR) {
        guest_error("GICD_SGIR written with affinity routing enabled (ignored)");
        return;
    }
    if (off >= d::CPENDSGIR && off < d::CPENDSGIR + 0x20) return;
    if (off >= d::IDREGS) return; // read-only ID registers
    ok = false;
}

MemResult GicV3::dist_read(uint64_t off, unsigned size, uint64_t& value) {
    std::lock_guard lk(mu_);
    value = 0;
    bool ok = true;
    if (off >= d::IROUTER && off < d::IROUTER + 8 * 1024 && (size == 8 || size == 4)) {
        unsigned intid = static_cast<unsigned>((off - d::IROUTER) / 8);
        uint64_t r = 0;
        if (intid >= kFirstSpi && intid < cfg_.spi_limit())
            r = s_.irouter[intid];
        else if (intid < kFirstSpi)
            ok = false;
        value = size == 8 ? r : static_cast<uint32_t>(r >> (8 * (off & 4)));
        if (size == 8 && (off & 7)) ok = false;
    } else if (size == 1 && off >= d::IPRIORITYR && off < d::ITARGETSR) {
        unsigned intid = static_cast<unsigned>(off - d::IPRIORITYR);
        value = intid >= kFirstSpi && intid < cfg_.spi_limit() ? s_.priority[intid] : 0;
    } else if (size == 1 && off >= d::ITARGETSR && off < d::ICFGR) {
        value = 0;
    } else if (size == 4 && !(off & 3)) {
        value = dist_read32(off, ok);
    } else {
        ok = false;
    }
    if (!ok) {
        value = 0;
        guest_error("GICD read of reserved offset 0x%llx (size %u)",
                    static_cast<unsigned long long>(off), size);
    }
    return MemResult::Ok;
}

MemResult GicV3::dist_write(uint64_t off, unsigned size, uint64_t value) {
    std::lock_guard lk(mu_);
    bool ok = true;
    if (off >= d::IROUTER && off < d::IROUTER + 8 * 1024 && (size == 8 || size == 4)) {
        unsigned intid = static_cast<unsigned>((off - d::IROUTER) / 8);
        if (size == 8 && (off & 7)) {
            ok = false;
        } else if (intid >= kFirstSpi && intid < cfg_.spi_limit()) {
            // Aff3[39:32], IRM[31], Aff2[23:16], Aff1[15:8], Aff0[7:0].
            constexpr uint64_t kMask = 0xff'8000'0000ull | 0xffffff;
            uint64_t r = s_.irouter[intid];
            if (size == 8)
                r = value;
            else if (off & 4)
                r = (r & 0xffffffffull) | (value << 32);
            else
                r = (r & ~0xffffffffull) | (value & 0xffffffffull);
            s_.irouter[intid] = r & kMask;
        } else if (intid < kFirstSpi) {
            ok = false;
        }
    } else if (size == 1 && off >= d::IPRIORITYR && off < d::ITARGETSR) {
        unsigned intid = static_cast<unsigned>(off - d::IPRIORITYR);
        if (intid >= kFirstSpi && intid < cfg_.spi_limit())
            s_.priority[intid] = static_cast<uint8_t>(value) & kPriorityMask;
    } else if (size == 1 && off >= d::ITARGETSR && off < d::ICFGR) {
        // RAZ/WI with affinity routing
    } else if (size == 4 && !(off & 3)) {
        dist_write32(off, static_cast<uint32_t>(value), ok);
    } else {
        ok = false;
    }
    if (!ok)
        guest_error("GICD write of reserved offset 0x%llx (size %u)",
                    static_cast<unsigned long long>(off), size);
    update();
    return MemResult::Ok;
}

} // namespace kestrel
