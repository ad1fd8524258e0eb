// A stage-1 identity map for tests whose guest code expects Normal memory.
// With SCTLR_EL1.M = 0 every data access is Device-nGnRnE, where unaligned
// accesses and DC ZVA take alignment faults; code written for an operating
// system (unaligned loads, user-mode differential tests) needs the MMU on.
//
// The map uses the 4 KiB granule with a 39-bit VA (T0SZ = 25), so the walk
// starts at level 1 and a single table of 1 GiB blocks covers 0..512 GiB.
#pragma once
#include "cpu/cpu.hpp"

#include <cstdint>

namespace kestrel::test {

struct IdentityMap {
    // MAIR_EL1: attr0 Normal write-back (read/write-allocate), attr1
    // Device-nGnRnE.
    static constexpr uint64_t kMair = 0x00ff;
    // T0SZ = 25, TG0 = 4 KiB, inner-shareable write-back walks, EPD1 (no
    // TTBR1 walks), IPS = 48 bits.
    static constexpr uint64_t kTcr =
        25 | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 23) | (5ull << 32);
    static constexpr uint64_t kBlockSize = 1ull << 30;
    static constexpr unsigned kEntries = 512;

    // Level-1 block descriptor fields.
    static constexpr uint64_t kBlock = 1;              // bits[1:0] = 0b01
    static constexpr uint64_t kAttrNormal = 0ull << 2; // AttrIndx 0
    static constexpr uint64_t kAttrDevice = 1ull << 2; // AttrIndx 1
    static constexpr uint64_t kApEl0Rw = 1ull << 6;    // AP = 0b01: EL1 and EL0 read/write
    static constexpr uint64_t kInnerShareable = 3ull << 8;
    static constexpr uint64_t kAf = 1ull << 10;
    // Read/write at EL1 and EL0, executable at EL0 (EL0-writable memory is
    // never executable at EL1).
    static constexpr uint64_t kNormalEl0Rw =
        kBlock | kAttrNormal | kApEl0Rw | kInnerShareable | kAf;
    static constexpr uint64_t kDeviceEl0Rw = kBlock | kAttrDevice | kApEl0Rw | kAf;
    // Read/write and executable at EL1 only.
    static constexpr uint64_t kNormalEl1 = kBlock | kAttrNormal | kInnerShareable | kAf;

    Bus& bus;
    uint64_t table; // physical address of the level-1 table (4 KiB of RAM)

    IdentityMap(Bus& b, uint64_t table_pa) : bus(b), table(table_pa) {}

    // Invalid descriptors everywhere: every address faults until mapped.
    void clear() {
        for (unsigned i = 0; i < kEntries; i++)
            bus.write(table + 8 * i, 8, 0);
    }

    // Maps the 1 GiB blocks holding [pa, pa + size) to themselves (a TLB
    // flush makes a change visible to a core that ran already).
    void map(uint64_t pa, uint64_t size, uint64_t desc_attrs) {
        for (uint64_t b = pa / kBlockSize; b <= (pa + size - 1) / kBlockSize && b < kEntries; b++)
            bus.write(table + 8 * b, 8, b * kBlockSize | desc_attrs);
    }
    void map_all(uint64_t desc_attrs) { map(0, kEntries * kBlockSize, desc_attrs); }

    // Turns stage 1 on for the EL1&0 regime with this table.
    void enable(Cpu& cpu) const {
        cpu.sys.mair_el1 = kMair;
        cpu.sys.tcr_el1 = kTcr;
        cpu.sys.ttbr0_el1 = table;
        cpu.sys.sctlr_el1 |= 1; // M
        cpu.tlb_flush_all();
    }
};

} // namespace kestrel::test
