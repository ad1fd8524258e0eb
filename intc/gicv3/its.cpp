// The ITS (GITS_*): translates (DeviceID, EventID) into a physical LPI on
// a target redistributor. Commands are processed synchronously when
// GITS_CWRITER is written (the ITS is therefore always quiescent). A
// command that fails its checks is dropped with a guest-error log line and
// processing continues with the next one (GITS_TYPER.SEIS = 0: no SError).
//
// Tables (flat only; GITS_BASER<n>.Indirect is RAZ/WI), in guest RAM with
// Kestrel's own 8-byte entry formats:
//   BASER0, device table:     bit 0 Valid, [5:1] EventID bits - 1,
//                             [49:6] ITT address bits [51:8]
//   BASER1, collection table: bit 0 Valid, [16:1] target processor number
//   ITT (from MAPD):          bit 0 Valid, [32:1] pINTID, [48:33] ICID
// Collection targets are processor numbers (GITS_TYPER.PTA = 0), as in
// GICR_TYPER.Processor_Number. HCC = 0: every collection lives in memory.
#include "hw/bus.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gicv3.hpp"

namespace kestrel {

using namespace gic;

namespace {
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
constexpr uint64_t kPageSizes[4] = {0x1000, 0x4000, 0x10000, 0x10000};
} // namespace

uint64_t GicV3::its_table_base(unsigned n) const {
    const uint64_t b = s_.its.baser[n];
    uint64_t pa = b & (((1ull << 36) - 1) << 12);
    if (((b >> kBaserPageSizeShift) & 3) >= 2) // 64 KiB pages: PA[51:48] in bits [15:12]
        pa = (pa & ~0xffffull) | (((b >> 12) & 0xf) << 48);
    return pa;
}

uint64_t GicV3::its_table_size(unsigned n) const {
    const uint64_t b = s_.its.baser[n];
    return ((b & 0xff) + 1) * kPageSizes[(b >> kBaserPageSizeShift) & 3];
}

uint64_t GicV3::its_reg_read(uint64_t off, bool& ok) {
    const uint64_t reg = off & ~7ull;
    if (off == its::CTLR) return s_.its.ctlr | kItsCtlrQuiescent;
    if (off == its::IIDR) return s_.its.iidr;
    if (reg == its::TYPER) return s_.its.typer;
    if (reg == its::CBASER) return s_.its.cbaser;
    if (reg == its::CWRITER) return s_.its.cwriter;
    if (reg == its::CREADR) return s_.its.creadr;
    if (reg >= its::BASER && reg < its::BASER + 64) return s_.its.baser[(reg - its::BASER) / 8];
    if (off >= d::IDREGS) return gic_id_register(off, s_.its.pidr2);
    ok = false;
    return 0;
}

void GicV3::its_reg_write(uint64_t off, uint64_t v, unsigned size, bool& ok) {
    const uint64_t reg = off & ~7ull;
    const bool enabled = s_.its.ctlr & kItsCtlrEnabled;
    if (off == its::CTLR) {
        s_.its.ctlr = v & kItsCtlrEnabled; // ImDe, ITS_Number: RAZ/WI
        if (!enabled && (v & kItsCtlrEnabled)) its_process_queue();
        return;
    }
    if (off == its::IIDR || reg == its::TYPER || reg == its::CREADR || off >= d::IDREGS)
        return; // read-only
    if (reg == its::CBASER) {
        if (enabled) {
            guest_error("GITS_CBASER written while the ITS is enabled (ignored)");
            return;
        }
        s_.its.cbaser = merge_part(s_.its.cbaser, off, size, v) & kCbaserRwMask;
        s_.its.creadr = 0;
        return;
    }
    if (reg == its::CWRITER) {
        s_.its.cwriter = merge_part(s_.its.cwriter, off, size, v) & kCqOffsetMask;
        its_process_queue();
        return;
    }
    if (reg >= its::BASER && reg < its::BASER + 64) {
        const unsigned n = static_cast<unsigned>((reg - its::BASER) / 8);
        uint64_t& b = s_.its.baser[n];
        if (!((b >> kBaserTypeShift) & 7)) return; // unimplemented table: RAZ/WI
        if (enabled) {
            guest_error("GITS_BASER%u written while the ITS is enabled (ignored)", n);
            return;
        }
        b = (b & ~kBaserRwMask) | (merge_part(b, off, size, v) & kBaserRwMask);
        return;
    }
    ok = false;
}

MemResult GicV3::its_read(uint64_t off, unsigned size, uint64_t& value) {
    std::lock_guard lk(mu_);
    value = 0;
    bool ok = true;
    const uint64_t reg = off & ~7ull;
    const bool is64 = reg == its::TYPER || reg == its::CBASER || reg == its::CWRITER ||
                      reg == its::CREADR || (reg >= its::BASER && reg < its::BASER + 64);
    if (off >= kFrameSize) {
        ok = (off == its::TRANSLATER && (size == 2 || size == 4)); // write-only: RAZ
    } else if (is64 ? half_or_full(off, size) : (size == 4 && !(off & 3))) {
        value = read_part(its_reg_read(off, ok), off, is64 ? size : 8);
    } else {
        ok = false;
    }
    if (!ok) {
        value = 0;
        guest_error("GITS read of reserved offset 0x%llx (size %u)",
                    static_cast<unsigned long long>(off), size);
    }
    return MemResult::Ok;
}

MemResult GicV3::its_write(uint64_t off, unsigned size, uint64_t value) {
    std::lock_guard lk(mu_);
    bool ok = true;
    const uint64_t reg = off & ~7ull;
    const bool is64 = reg == its::TYPER || reg == its::CBASER || reg == its::CWRITER ||
                      reg == its::CREADR || (reg >= its::BASER && reg < its::BASER + 64);
    if (off >= kFrameSize) {
        // GITS_TRANSLATER: the bus carries no DeviceID for a core's write,
        // so it is treated as DeviceID 0. Devices use send_msi().
        if (off == its::TRANSLATER && (size == 2 || size == 4)) {
            unsigned cpu;
            uint32_t intid;
            if (its_translate(0, static_cast<uint32_t>(value), cpu, intid))
                set_lpi_pending(cpu, intid, true);
        } else {
            ok = false;
        }
    } else if (is64 ? half_or_full(off, size) : (size == 4 && !(off & 3))) {
        its_reg_write(off, value, size, ok);
    } else {
        ok = false;
    }
    if (!ok)
        guest_error("GITS write of reserved offset 0x%llx (size %u)",
                    static_cast<unsigned long long>(off), size);
    update();
    return MemResult::Ok;
}

bool GicV3::send_msi(uint32_t device_id, uint32_t event_id) {
    std::lock_guard lk(mu_);
    unsigned cpu;
    uint32_t intid;
    if (!(s_.its.ctlr & kItsCtlrEnabled) || !its_translate(device_id, event_id, cpu, intid))
        return false;
    set_lpi_pending(cpu, intid, true);
    update();
    return true;
}

namespace {

struct Dte {
    bool valid;
    unsigned event_bits;
    uint64_t itt;
};
struct Ite {
    bool valid;
    uint32_t intid;
    uint32_t icid;
};

} // namespace

// Entry access helpers. Each returns false (after logging) when the entry's
// address is outside the table or outside RAM.
#define ITS_FAIL(...)                                                                              \
    do {                                                                                           \
        guest_error(__VA_ARGS__);                                                                  \
        return false;                                                                              \
    } while (0)

bool GicV3::its_translate(uint32_t device_id, uint32_t event_id, unsigned& cpu, uint32_t& intid) {
    if (!(s_.its.ctlr & kItsCtlrEnabled) || !bus_) return false;
    if (!(s_.its.baser[0] & kBaserValid) || uint64_t{device_id} * 8 >= its_table_size(0))
        ITS_FAIL("ITS: MSI from unmapped DeviceID %u", device_id);
    uint64_t e;
    if (!bus_->read_block(its_table_base(0) + uint64_t{device_id} * 8, &e, 8) || !(e & 1))
        ITS_FAIL("ITS: MSI from unmapped DeviceID %u", device_id);
    const unsigned ebits = ((e >> 1) & 0x1f) + 1;
    if (event_id >= (1ull << ebits)) ITS_FAIL("ITS: EventID %u out of range", event_id);
    const uint64_t itt = ((e >> 6) & ((1ull << 44) - 1)) << 8;
    uint64_t ite;
    if (!bus_->read_block(itt + uint64_t{event_id} * 8, &ite, 8) || !(ite & 1))
        ITS_FAIL("ITS: DeviceID %u EventID %u is not mapped", device_id, event_id);
    const uint32_t icid = (ite >> 33) & 0xffff;
    uint64_t cte;
    if (!(s_.its.baser[1] & kBaserValid) || uint64_t{icid} * 8 >= its_table_size(1) ||
        !bus_->read_block(its_table_base(1) + uint64_t{icid} * 8, &cte, 8) || !(cte & 1))
        ITS_FAIL("ITS: collection %u is not mapped", icid);
    cpu = static_cast<unsigned>((cte >> 1) & 0xffff);
    intid = static_cast<uint32_t>((ite >> 1) & 0xffffffffull);
    if (cpu >= cfg_.num_cpus()) ITS_FAIL("ITS: collection %u targets no redistributor", icid);
    return true;
}

void GicV3::its_process_queue() {
    if (!(s_.its.ctlr & kItsCtlrEnabled) || !(s_.its.cbaser & kBaserValid) || !bus_) return;
    const uint64_t qsize = ((s_.its.cbaser & 0xff) + 1) * 0x1000;
    const uint64_t qbase = s_.its.cbaser & (((1ull << 40) - 1) << 12);
    if (s_.its.cwriter >= qsize) {
        guest_error("GITS_CWRITER 0x%llx beyond the command queue",
                    static_cast<unsigned long long>(s_.its.cwriter));
        return;
    }
    for (uint64_t n = 0; s_.its.creadr != s_.its.cwriter && n < qsize / 32; n++) {
        uint64_t cmd[4];
        if (!bus_->read_block(qbase + s_.its.creadr, cmd, sizeof cmd)) {
            // Cannot fetch the command: stall (GITS_CREADR.Stalled) until
            // software rewrites the queue registers.
            guest_error("ITS command queue at 0x%llx is not in RAM",
                        static_cast<unsigned long long>(qbase + s_.its.creadr));
            s_.its.creadr |= kCreadrStalled;
            return;
        }
        its_execute(cmd);
        s_.its.creadr = (s_.its.creadr + 32) % qsize;
    }
}

bool GicV3::its_execute(const uint64_t c[4]) {
    const uint8_t num = c[0] & 0xff;
    const uint32_t dev = static_cast<uint32_t>(c[0] >> 32);
    const uint32_t event = static_cast<uint32_t>(c[1]);
    const uint32_t icid = static_cast<uint32_t>(c[2] & 0xffff);
    const bool valid = c[2] >> 63;

    auto read64 = [&](uint64_t pa, uint64_t& v) { return bus_->read_block(pa, &v, 8); };
    auto write64 = [&](uint64_t pa, uint64_t v) { return bus_->write_block(pa, &v, 8); };
    auto dte_addr = [&](uint32_t id, uint64_t& pa) {
        if (!(s_.its.baser[0] & kBaserValid) || id >= (1ull << kItsDevBits) ||
            uint64_t{id} * 8 >= its_table_size(0))
            return false;
        pa = its_table_base(0) + uint64_t{id} * 8;
        return true;
    };
    auto cte_addr = [&](uint32_t id, uint64_t& pa) {
        if (!(s_.its.baser[1] & kBaserValid) || uint64_t{id} * 8 >= its_table_size(1)) return false;
        pa = its_table_base(1) + uint64_t{id} * 8;
        return true;
    };
    auto read_dte = [&](uint32_t id, Dte& d) {
        uint64_t pa, e;
        if (!dte_addr(id, pa) || !read64(pa, e) || !(e & 1)) return false;
        d = {true, static_cast<unsigned>((e >> 1) & 0x1f) + 1,
             ((e >> 6) & ((1ull << 44) - 1)) << 8};
        return true;
    };
    auto collection_target = [&](uint32_t id, unsigned& cpu) {
        uint64_t pa, e;
        if (!cte_addr(id, pa) || !read64(pa, e) || !(e & 1)) return false;
        cpu = static_cast<unsigned>((e >> 1) & 0xffff);
        return cpu < cfg_.num_cpus();
    };
    // The ITE of (dev, event): address and content.
    auto find_ite = [&](uint64_t& pa, Ite& ite) {
        Dte d;
        if (!read_dte(dev, d)) ITS_FAIL("ITS command 0x%02x: DeviceID %u not mapped", num, dev);
        if (event >= (1ull << d.event_bits))
            ITS_FAIL("ITS command 0x%02x: EventID %u out of range", num, event);
        pa = d.itt + uint64_t{event} * 8;
        uint64_t e;
        if (!read64(pa, e)) ITS_FAIL("ITS command 0x%02x: ITT not in RAM", num);
        ite = {static_cast<bool>(e & 1), static_cast<uint32_t>(e >> 1),
               static_cast<uint32_t>((e >> 33) & 0xffff)};
        if (!ite.valid)
            ITS_FAIL("ITS command 0x%02x: DeviceID %u EventID %u not mapped", num, dev, event);
        return true;
    };
    auto is_pending = [&](unsigned cpu, uint32_t intid) {
        return cache_[cpu].lpis.count(intid) > 0;
    };

    switch (num) {
    case cmd::MAPD: {
        uint64_t pa;
        if (!dte_addr(dev, pa)) ITS_FAIL("ITS MAPD: DeviceID %u outside the device table", dev);
        const unsigned size = c[1] & 0x1f;
        if (valid && size + 1 > kItsEventBits)
            ITS_FAIL("ITS MAPD: %u EventID bits exceed GITS_TYPER.IDbits", size + 1);
        const uint64_t itt = c[2] & (((1ull << 44) - 1) << 8);
        const uint64_t e = valid ? (1ull | (uint64_t{size} << 1) | ((itt >> 8) << 6)) : 0;
        if (!write64(pa, e)) ITS_FAIL("ITS MAPD: device table not in RAM");
        return true;
    }
    case cmd::MAPC: {
        uint64_t pa;
        if (!cte_addr(icid, pa)) ITS_FAIL("ITS MAPC: ICID %u outside the collection table", icid);
        const uint64_t rd = (c[2] >> 16) & ((1ull << 36) - 1);
        if (valid && rd >= cfg_.num_cpus())
            ITS_FAIL("ITS MAPC: no redistributor %llu", static_cast<unsigned long long>(rd));
        if (!write64(pa, valid ? (1ull | (rd << 1)) : 0))
            ITS_FAIL("ITS MAPC: collection table not in RAM");
        return true;
    }
    case cmd::MAPTI:
    case cmd::MAPI: {
        const uint32_t intid = num == cmd::MAPI ? event : static_cast<uint32_t>(c[1] >> 32);
        Dte d;
        if (!read_dte(dev, d)) ITS_FAIL("ITS MAPTI: DeviceID %u not mapped", dev);
        if (event >= (1ull << d.event_bits)) ITS_FAIL("ITS MAPTI: EventID %u out of range", event);
        if (icid >= (1u << kItsCollBits)) ITS_FAIL("ITS MAPTI: ICID %u out of range", icid);
        if (intid < kFirstLpi || intid >= (1u << kIdBits))
            ITS_FAIL("ITS MAPTI: pINTID %u is not an LPI", intid);
        const uint64_t e = 1ull | (uint64_t{intid} << 1) | (uint64_t{icid} << 33);
        if (!write64(d.itt + uint64_t{event} * 8, e)) ITS_FAIL("ITS MAPTI: ITT not in RAM");
        return true;
    }
    case cmd::INT:
    case cmd::CLEAR:
    case cmd::DISCARD:
    case cmd::INV:
    case cmd::MOVI: {
        uint64_t pa;
        Ite ite;
        if (!find_ite(pa, ite)) return false;
        unsigned cpu = 0;
        const bool mapped = collection_target(ite.icid, cpu);
        if (num == cmd::INT || num == cmd::CLEAR) {
            if (!mapped) ITS_FAIL("ITS command 0x%02x: collection %u not mapped", num, ite.icid);
            set_lpi_pending(cpu, ite.intid, num == cmd::INT);
        } else if (num == cmd::DISCARD) {
            if (mapped) set_lpi_pending(cpu, ite.intid, false);
            if (!write64(pa, 0)) ITS_FAIL("ITS DISCARD: ITT not in RAM");
        } else if (num == cmd::MOVI) {
            unsigned to = 0;
            if (!collection_target(icid, to)) ITS_FAIL("ITS MOVI: collection %u not mapped", icid);
            if (mapped && to != cpu && is_pending(cpu, ite.intid)) {
                set_lpi_pending(cpu, ite.intid, false);
                set_lpi_pending(to, ite.intid, true);
            }
            const uint64_t e = 1ull | (uint64_t{ite.intid} << 1) | (uint64_t{icid} << 33);
            if (!write64(pa, e)) ITS_FAIL("ITS MOVI: ITT not in RAM");
        }
        // INV: the property table is read on every evaluation; nothing cached.
        return true;
    }
    case cmd::INVALL: {
        unsigned cpu;
        if (!collection_target(icid, cpu)) ITS_FAIL("ITS INVALL: collection %u not mapped", icid);
        return true;
    }
    case cmd::SYNC: {
        const uint64_t rd = (c[2] >> 16) & ((1ull << 36) - 1);
        if (rd >= cfg_.num_cpus())
            ITS_FAIL("ITS SYNC: no redistributor %llu", static_cast<unsigned long long>(rd));
        return true; // every effect is already visible
    }
    case cmd::MOVALL: {
        const uint64_t from = (c[2] >> 16) & ((1ull << 36) - 1);
        const uint64_t to = (c[3] >> 16) & ((1ull << 36) - 1);
        if (from >= cfg_.num_cpus() || to >= cfg_.num_cpus())
            ITS_FAIL("ITS MOVALL: no such redistributor");
        if (from == to) return true;
        const std::set<uint32_t> moving = cache_[from].lpis;
        for (uint32_t intid : moving) {
            set_lpi_pending(static_cast<unsigned>(from), intid, false);
            set_lpi_pending(static_cast<unsigned>(to), intid, true);
        }
        return true;
    }
    default: ITS_FAIL("ITS: unsupported command 0x%02x", num);
    }
}

} // namespace kestrel
