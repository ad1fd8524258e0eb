// LPIs: configuration from the property table (GICR_PROPBASER) and pending
// state in the pending table (GICR_PENDBASER), both in guest RAM. Pending
// bits are written through to RAM on every change, so the table is always
// the authority (nothing to flush before a snapshot); the per-core set of
// pending LPIs is only a cache rebuilt from it.
#include "hw/bus.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gicv3.hpp"

namespace kestrel {

using namespace gic;

unsigned GicV3::lpi_id_bits(unsigned cpu) const {
    // The smaller of GICR_PROPBASER.IDbits + 1 and GICD_TYPER.IDbits + 1.
    unsigned bits = static_cast<unsigned>(s_.cpu[cpu].gicr_propbaser & 0x1f) + 1;
    return bits < kIdBits ? bits : kIdBits;
}

bool GicV3::lpi_in_range(unsigned cpu, uint32_t intid) const {
    return intid >= kFirstLpi && intid < (1u << lpi_id_bits(cpu));
}

bool GicV3::lpi_config(unsigned cpu, uint32_t intid, uint8_t& prio) const {
    if (!bus_ || !lpi_in_range(cpu, intid)) return false;
    const uint64_t base = s_.cpu[cpu].gicr_propbaser & (((1ull << 40) - 1) << 12);
    uint8_t byte;
    if (!bus_->read_block(base + (intid - kFirstLpi), &byte, 1)) return false;
    // Priority[7:2], bit 1 RES1, Enable[0].
    prio = byte & 0xfc & kPriorityMask;
    return byte & 1;
}

void GicV3::set_lpi_pending(unsigned cpu, uint32_t intid, bool pending) {
    GicV3CpuState& c = s_.cpu[cpu];
    if (!(c.gicr_ctlr & kRCtlrEnableLpis) || !lpi_in_range(cpu, intid)) return;
    const uint64_t addr = (c.gicr_pendbaser & (((1ull << 36) - 1) << 16)) + intid / 8;
    uint8_t byte = 0;
    if (!bus_ || !bus_->read_block(addr, &byte, 1)) {
        guest_error("GICR%u pending table at 0x%llx is not in RAM", cpu,
                    static_cast<unsigned long long>(addr));
        return;
    }
    const uint8_t bit = static_cast<uint8_t>(1u << (intid % 8));
    byte = pending ? (byte | bit) : (byte & ~bit);
    bus_->write_block(addr, &byte, 1);
    if (pending)
        cache_[cpu].lpis.insert(intid);
    else
        cache_[cpu].lpis.erase(intid);
}

void GicV3::rebuild_lpi_cache(unsigned cpu) {
    CpuCache& cc = cache_[cpu];
    cc.lpis.clear();
    const GicV3CpuState& c = s_.cpu[cpu];
    if (!bus_ || !(c.gicr_ctlr & kRCtlrEnableLpis)) return;
    const uint64_t base = c.gicr_pendbaser & (((1ull << 36) - 1) << 16);
    const uint32_t limit = 1u << lpi_id_bits(cpu);
    if (limit <= kFirstLpi) return;
    std::vector<uint8_t> table((limit - kFirstLpi) / 8);
    if (!bus_->read_block(base + kFirstLpi / 8, table.data(), table.size())) {
        guest_error("GICR%u pending table at 0x%llx is not in RAM", cpu,
                    static_cast<unsigned long long>(base));
        return;
    }
    for (size_t i = 0; i < table.size(); i++)
        for (unsigned b = 0; table[i] >> b; b++)
            if (table[i] & (1u << b)) cc.lpis.insert(static_cast<uint32_t>(kFirstLpi + i * 8 + b));
}

} // namespace kestrel
