#include "cpu/page_table_walker.hpp"

#include <algorithm>

namespace kestrel {

namespace {

constexpr uint64_t bits_from(uint64_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

// Output address bits [47:lo] of a descriptor or TTBR.
constexpr uint64_t addr_bits(uint64_t v, unsigned lo) {
    return v & ((1ull << 48) - 1) & ~((1ull << lo) - 1);
}

WalkResult fault(FaultKind kind, int level) {
    WalkResult r;
    r.fault = kind;
    r.level = level;
    return r;
}

// Granule size in bits from TCR.TG0 / TCR.TG1. Reserved encodings behave
// as a granule the core supports (the architecture allows any); 4 KiB here.
unsigned granule_bits(uint64_t tcr, bool upper) {
    if (upper) {
        switch (bits_from(tcr, 31, 30)) {
        case 1: return 14;
        case 3: return 16;
        default: return 12;
        }
    }
    switch (bits_from(tcr, 15, 14)) {
    case 1: return 16;
    case 2: return 14;
    default: return 12;
    }
}

// Levels at which a block descriptor is legal (no 52-bit addressing).
bool block_allowed(unsigned grain, int level) {
    if (grain == 12) return level == 1 || level == 2;
    return level == 2;
}

} // namespace

unsigned pa_range_bits(unsigned encoding) {
    static constexpr unsigned kBits[] = {32, 36, 40, 42, 44, 48, 52};
    return encoding < 7 ? kBits[encoding] : 48;
}

uint32_t fault_status_code(FaultKind kind, int level) {
    uint32_t lvl = static_cast<uint32_t>(level) & 3;
    switch (kind) {
    case FaultKind::AddressSize: return 0x00 | lvl;
    case FaultKind::Translation: return 0x04 | lvl;
    case FaultKind::AccessFlag: return 0x08 | lvl;
    case FaultKind::Permission: return 0x0c | lvl;
    case FaultKind::External: return 0x10;
    case FaultKind::ExternalOnWalk: return 0x14 | lvl;
    case FaultKind::Alignment: return 0x21;
    case FaultKind::None: break;
    }
    return 0;
}

WalkResult walk_stage1(Bus& bus, const Stage1Config& cfg, uint64_t va, bool is_fetch) {
    const uint64_t tcr = cfg.tcr;
    const bool upper = (va >> 55) & 1; // bit 55 selects TTBR1 even with a tag
    const bool tbi = (tcr >> (upper ? 38 : 37)) & 1;
    // Output size: TCR.IPS limited to what the core implements.
    const unsigned outsize =
        std::min(pa_range_bits(static_cast<unsigned>(bits_from(tcr, 34, 32))), cfg.pa_bits);

    if (!(cfg.sctlr & 1)) {
        // Translation disabled: flat mapping, Device memory for data and
        // Normal memory for instruction fetches.
        uint64_t pa = tbi ? (va & 0x00ffffffffffffffull) : va;
        if (pa >> cfg.pa_bits) return fault(FaultKind::AddressSize, 0);
        WalkResult r;
        r.pa = pa;
        r.mmu_off = true;
        r.attr = is_fetch ? 0xff : 0x00;
        r.sh = 2;
        r.ap = 1; // read/write at EL0 and EL1
        r.block_shift = 12;
        return r;
    }

    const unsigned tsz =
        std::clamp(static_cast<unsigned>(bits_from(tcr, upper ? 21 : 5, upper ? 16 : 0)), 16u, 39u);
    const unsigned inputsize = 64 - tsz;
    const bool epd = (tcr >> (upper ? 23 : 7)) & 1;
    const unsigned top = tbi ? 55 : 63;
    // The bits above the input range must all equal bit 55.
    uint64_t high = bits_from(va, top, inputsize);
    uint64_t ones = (1ull << (top - inputsize + 1)) - 1;
    if (epd || high != (upper ? ones : 0)) return fault(FaultKind::Translation, 0);

    const unsigned grain = granule_bits(tcr, upper);
    const unsigned stride = grain - 3;
    const unsigned levels = (inputsize - grain + stride - 1) / stride;
    int level = 4 - static_cast<int>(levels);
    const unsigned start_bits =
        inputsize - (grain + (levels - 1) * stride); // index bits at the start level

    const uint64_t ttbr = upper ? cfg.ttbr1 : cfg.ttbr0;
    const uint64_t asid_reg = ((tcr >> 22) & 1) ? cfg.ttbr1 : cfg.ttbr0; // TCR.A1
    uint16_t asid = static_cast<uint16_t>(asid_reg >> 48);
    if (!((tcr >> 36) & 1)) asid &= 0xff; // TCR.AS: 8-bit ASIDs

    uint64_t table = addr_bits(ttbr, start_bits + 3);
    if (table >> outsize) return fault(FaultKind::AddressSize, 0);

    bool ap_table_ro = false, ap_table_no_el0 = false, uxn_table = false, pxn_table = false;
    for (;;) {
        const unsigned shift = grain + static_cast<unsigned>(3 - level) * stride;
        const unsigned idx_bits = (level == 4 - static_cast<int>(levels)) ? start_bits : stride;
        const uint64_t index = (va >> shift) & ((1ull << idx_bits) - 1);
        uint64_t desc = 0;
        if (bus.read(table + index * 8, 8, desc) != MemResult::Ok)
            return fault(FaultKind::ExternalOnWalk, level);
        if (!(desc & 1)) return fault(FaultKind::Translation, level);
        const bool type_bit = (desc >> 1) & 1;
        if (level < 3 && type_bit) {
            // Table descriptor: descend, collecting hierarchical limits.
            uint64_t next = addr_bits(desc, grain);
            if (next >> outsize) return fault(FaultKind::AddressSize, level);
            pxn_table |= (desc >> 59) & 1;
            uxn_table |= (desc >> 60) & 1;
            ap_table_no_el0 |= (desc >> 61) & 1;
            ap_table_ro |= (desc >> 62) & 1;
            table = next;
            level++;
            continue;
        }
        if (level == 3 && !type_bit)
            return fault(FaultKind::Translation, level); // reserved encoding
        if (level < 3 && !block_allowed(grain, level)) return fault(FaultKind::Translation, level);
        uint64_t out = addr_bits(desc, shift);
        if (out >> outsize) return fault(FaultKind::AddressSize, level);
        if (!((desc >> 10) & 1))
            return fault(FaultKind::AccessFlag, level); // no hardware AF update

        WalkResult r;
        r.level = level;
        r.block_shift = shift;
        r.pa = out | (va & ((1ull << shift) - 1));
        r.attr = static_cast<uint8_t>(cfg.mair >> (8 * bits_from(desc, 4, 2)));
        r.sh = static_cast<uint8_t>(bits_from(desc, 9, 8));
        uint8_t ap = static_cast<uint8_t>(bits_from(desc, 7, 6));
        if (ap_table_ro) ap |= 2;
        if (ap_table_no_el0) ap &= static_cast<uint8_t>(~1u);
        r.ap = ap;
        r.pxn = ((desc >> 53) & 1) || pxn_table;
        r.uxn = ((desc >> 54) & 1) || uxn_table;
        r.global = !((desc >> 11) & 1);
        r.asid = asid;
        return r;
    }
}

Stage1Perms stage1_permissions(const WalkResult& w, bool el0, bool pan, bool wxn) {
    Stage1Perms p;
    if (w.mmu_off) {
        p.read = p.write = p.exec = true;
        return p;
    }
    const bool user_r = w.ap & 1;
    const bool user_w = w.ap == 1;
    const bool priv_w = !(w.ap & 2);
    if (el0) {
        p.read = user_r;
        p.write = user_w;
        p.exec = !w.uxn && !(wxn && user_w);
    } else {
        // PAN forbids data accesses to EL0-accessible memory.
        p.read = !(pan && user_r);
        p.write = priv_w && !(pan && user_r);
        p.exec = !w.pxn && !user_w && !(wxn && priv_w);
    }
    return p;
}

} // namespace kestrel
