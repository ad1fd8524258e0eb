// The stage-1 walker against hand-built tables in test RAM: every granule
// and level, every fault kind, TBI, TTBR1, attributes and permissions.
#include "cpu/page_table_walker.hpp"
#include "cpu_test_util.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

// Descriptor bits.
constexpr uint64_t kValid = 1, kTable = 3, kPage = 3, kBlock = 1;
constexpr uint64_t kAF = 1ull << 10, kNG = 1ull << 11;
constexpr uint64_t ap(unsigned v) {
    return static_cast<uint64_t>(v) << 6;
}
constexpr uint64_t attrindx(unsigned v) {
    return static_cast<uint64_t>(v) << 2;
}
constexpr uint64_t kPXN = 1ull << 53, kUXN = 1ull << 54;
constexpr uint64_t kPXNTable = 1ull << 59, kUXNTable = 1ull << 60, kAPTableNoEl0 = 1ull << 61,
                   kAPTableRO = 1ull << 62;

// TCR fields.
constexpr uint64_t t0sz(unsigned v) {
    return v;
}
constexpr uint64_t t1sz(unsigned v) {
    return static_cast<uint64_t>(v) << 16;
}
constexpr uint64_t kTg0_4k = 0ull << 14, kTg0_64k = 1ull << 14, kTg0_16k = 2ull << 14;
constexpr uint64_t kTg1_16k = 1ull << 30, kTg1_4k = 2ull << 30, kTg1_64k = 3ull << 30;
constexpr uint64_t kIps48 = 5ull << 32, kIps32 = 0ull << 32;
constexpr uint64_t kEpd0 = 1ull << 7, kEpd1 = 1ull << 23, kA1 = 1ull << 22, kAs16 = 1ull << 36;
constexpr uint64_t kTbi0 = 1ull << 37, kTbi1 = 1ull << 38;

// Table pages in RAM, allocated from the start.
struct Tables {
    TestCore& t;
    uint64_t next = kRamBase;
    uint64_t alloc(uint64_t size) {
        uint64_t p = (next + size - 1) & ~(size - 1);
        next = p + size;
        return p;
    }
};

Stage1Config cfg(uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1 = 0, uint64_t mair = 0xff) {
    Stage1Config c;
    c.sctlr = 1; // M
    c.tcr = tcr;
    c.ttbr0 = ttbr0;
    c.ttbr1 = ttbr1;
    c.mair = mair;
    c.pa_bits = 48;
    return c;
}

constexpr uint64_t kOut = kRamBase + 0x80'0000; // an output page in RAM

} // namespace

TEST_CASE("fault status codes follow the DFSC encoding") {
    CHECK(fault_status_code(FaultKind::AddressSize, 0) == 0x00);
    CHECK(fault_status_code(FaultKind::AddressSize, 3) == 0x03);
    CHECK(fault_status_code(FaultKind::Translation, 1) == 0x05);
    CHECK(fault_status_code(FaultKind::Translation, 3) == 0x07);
    CHECK(fault_status_code(FaultKind::AccessFlag, 2) == 0x0a);
    CHECK(fault_status_code(FaultKind::Permission, 3) == 0x0f);
    CHECK(fault_status_code(FaultKind::External, 0) == 0x10);
    CHECK(fault_status_code(FaultKind::ExternalOnWalk, 1) == 0x15);
    CHECK(fault_status_code(FaultKind::Alignment, 0) == 0x21);
}

TEST_CASE("4 KiB granule, 48-bit VA: four levels to a page, blocks at levels 1 and 2") {
    TestCore t;
    Tables tb{t};
    uint64_t l0 = tb.alloc(4096), l1 = tb.alloc(4096), l2 = tb.alloc(4096), l3 = tb.alloc(4096);
    const uint64_t va = 0x0000'1234'5678'9abcull;
    t.w64(l0 + ((va >> 39) & 511) * 8, l1 | kTable);
    t.w64(l1 + ((va >> 30) & 511) * 8, l2 | kTable);
    t.w64(l2 + ((va >> 21) & 511) * 8, l3 | kTable);
    t.w64(l3 + ((va >> 12) & 511) * 8, kOut | kPage | kAF | attrindx(0));
    auto c = cfg(t0sz(16) | kTg0_4k | kIps48, l0);
    WalkResult r = walk_stage1(t.bus, c, va, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.pa == (kOut | 0xabc));
    CHECK(r.level == 3);
    CHECK(r.block_shift == 12);
    CHECK(r.attr == 0xff);

    SUBCASE("level 2 block of 2 MiB") {
        t.w64(l2 + ((va >> 21) & 511) * 8, 0x4020'0000ull | kBlock | kAF);
        r = walk_stage1(t.bus, c, va, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.level == 2);
        CHECK(r.block_shift == 21);
        CHECK(r.pa == (0x4020'0000ull | (va & 0x1fffff)));
    }
    SUBCASE("level 1 block of 1 GiB") {
        t.w64(l1 + ((va >> 30) & 511) * 8, 0x4000'0000ull | kBlock | kAF);
        r = walk_stage1(t.bus, c, va, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.level == 1);
        CHECK(r.block_shift == 30);
        CHECK(r.pa == (0x4000'0000ull | (va & 0x3fffffff)));
    }
    SUBCASE("a block at level 0 is a translation fault") {
        t.w64(l0 + ((va >> 39) & 511) * 8, kBlock | kAF);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::Translation);
        CHECK(r.level == 0);
    }
    SUBCASE("invalid descriptors fault at their level") {
        for (int level = 0; level <= 3; level++) {
            uint64_t table = level == 0 ? l0 : level == 1 ? l1 : level == 2 ? l2 : l3;
            unsigned shift = 39 - 9 * level;
            uint64_t slot = table + ((va >> shift) & 511) * 8;
            uint64_t saved = t.r64(slot);
            t.w64(slot, saved & ~1ull);
            r = walk_stage1(t.bus, c, va, false);
            CHECK(r.fault == FaultKind::Translation);
            CHECK(r.level == level);
            t.w64(slot, saved);
        }
    }
    SUBCASE("the reserved level 3 encoding is a translation fault") {
        t.w64(l3 + ((va >> 12) & 511) * 8, kOut | kValid | kAF);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::Translation);
        CHECK(r.level == 3);
    }
    SUBCASE("access flag clear: access flag fault at the final level") {
        t.w64(l3 + ((va >> 12) & 511) * 8, kOut | kPage);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::AccessFlag);
        CHECK(r.level == 3);
        t.w64(l2 + ((va >> 21) & 511) * 8, 0x4020'0000ull | kBlock);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::AccessFlag);
        CHECK(r.level == 2);
    }
    SUBCASE("output address beyond IPS: address size fault at that level") {
        c.tcr = t0sz(16) | kTg0_4k | kIps32;
        t.w64(l3 + ((va >> 12) & 511) * 8, 0x1'0000'0000ull | kPage | kAF);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::AddressSize);
        CHECK(r.level == 3);
        t.w64(l1 + ((va >> 30) & 511) * 8, 0x2'0000'0000ull | kTable);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::AddressSize);
        CHECK(r.level == 1);
    }
    SUBCASE("TTBR beyond the PA size: address size fault at level 0") {
        c.ttbr0 = 0x0000'8000'0000'0000ull;
        c.pa_bits = 40;
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::AddressSize);
        CHECK(r.level == 0);
    }
    SUBCASE("descriptor read from nowhere: external abort on the walk") {
        c.ttbr0 = 0x1000; // no memory there
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::ExternalOnWalk);
        CHECK(r.level == 0);
        CHECK(fault_status_code(r.fault, r.level) == 0x14);
    }
    SUBCASE("EPD0 disables TTBR0 walks") {
        c.tcr |= kEpd0;
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::Translation);
        CHECK(r.level == 0);
    }
    SUBCASE("VA outside the TTBR0 range") {
        r = walk_stage1(t.bus, c, va | (1ull << 50), false);
        CHECK(r.fault == FaultKind::Translation);
        CHECK(r.level == 0);
    }
    SUBCASE("TBI0 ignores the top byte; without it a tag faults") {
        const uint64_t tagged = va | (0x5aull << 56);
        r = walk_stage1(t.bus, c, tagged, false);
        CHECK(r.fault == FaultKind::Translation);
        CHECK(r.level == 0);
        c.tcr |= kTbi0;
        r = walk_stage1(t.bus, c, tagged, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.pa == (kOut | 0xabc));
    }
    SUBCASE("attributes, nG and ASID") {
        t.w64(l3 + ((va >> 12) & 511) * 8, kOut | kPage | kAF | attrindx(2) | kNG | (3ull << 8));
        c.mair = 0x0000'0000'0004'44ffull; // attr2 = 0x04 (Device-nGnRE)
        c.ttbr0 = l0 | (0x1234ull << 48);
        r = walk_stage1(t.bus, c, va, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.attr == 0x04);
        CHECK(attr_is_device(r.attr));
        CHECK(r.sh == 3);
        CHECK_FALSE(r.global);
        CHECK(r.asid == 0x34); // 8-bit ASIDs
        c.tcr |= kAs16;
        CHECK(walk_stage1(t.bus, c, va, false).asid == 0x1234);
        c.tcr |= kA1; // ASID from TTBR1
        c.ttbr1 = 0x0042ull << 48;
        CHECK(walk_stage1(t.bus, c, va, false).asid == 0x42);
    }
    SUBCASE("hierarchical table attributes") {
        t.w64(l3 + ((va >> 12) & 511) * 8, kOut | kPage | kAF | ap(1));
        t.w64(l1 + ((va >> 30) & 511) * 8, l2 | kTable | kAPTableRO | kUXNTable);
        r = walk_stage1(t.bus, c, va, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.ap == 3); // AP[2] forced
        CHECK(r.uxn);
        CHECK_FALSE(r.pxn);
        t.w64(l1 + ((va >> 30) & 511) * 8, l2 | kTable | kAPTableNoEl0 | kPXNTable);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.ap == 0); // AP[1] cleared
        CHECK(r.pxn);
    }
}

TEST_CASE("4 KiB granule, 39-bit VA starts at level 1") {
    TestCore t;
    Tables tb{t};
    uint64_t l1 = tb.alloc(4096), l2 = tb.alloc(4096), l3 = tb.alloc(4096);
    const uint64_t va = 0x0000'0040'1234'5000ull; // < 2^39
    t.w64(l1 + ((va >> 30) & 511) * 8, l2 | kTable);
    t.w64(l2 + ((va >> 21) & 511) * 8, l3 | kTable);
    t.w64(l3 + ((va >> 12) & 511) * 8, kOut | kPage | kAF);
    auto c = cfg(t0sz(25) | kTg0_4k | kIps48, l1);
    WalkResult r = walk_stage1(t.bus, c, va, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.pa == kOut);
    CHECK(walk_stage1(t.bus, c, 1ull << 39, false).fault == FaultKind::Translation);
}

TEST_CASE("4 KiB granule, 32-bit VA: level 1 table of 4 entries") {
    TestCore t;
    Tables tb{t};
    uint64_t l1 = tb.alloc(4096), l2 = tb.alloc(4096);
    const uint64_t va = 0xc000'0000ull + 0x20'0000;
    t.w64(l1 + 3 * 8, l2 | kTable);
    t.w64(l2 + 1 * 8, 0x4060'0000ull | kBlock | kAF);
    auto c = cfg(t0sz(32) | kTg0_4k | kIps48, l1);
    WalkResult r = walk_stage1(t.bus, c, va + 0x123, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.pa == 0x4060'0123ull);
}

TEST_CASE("16 KiB granule: levels 0-3, blocks only at level 2") {
    TestCore t;
    Tables tb{t};
    uint64_t l0 = tb.alloc(16384), l1 = tb.alloc(16384), l2 = tb.alloc(16384), l3 = tb.alloc(16384);
    const uint64_t va = 0x0000'8123'4567'8abcull; // bit 47 set: level 0 index 1
    t.w64(l0 + ((va >> 47) & 1) * 8, l1 | kTable);
    t.w64(l1 + ((va >> 36) & 2047) * 8, l2 | kTable);
    t.w64(l2 + ((va >> 25) & 2047) * 8, l3 | kTable);
    t.w64(l3 + ((va >> 14) & 2047) * 8, kOut | kPage | kAF);
    auto c = cfg(t0sz(16) | kTg0_16k | kIps48, l0);
    WalkResult r = walk_stage1(t.bus, c, va, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.level == 3);
    CHECK(r.block_shift == 14);
    CHECK(r.pa == (kOut | (va & 0x3fff)));

    t.w64(l2 + ((va >> 25) & 2047) * 8, 0x4200'0000ull | kBlock | kAF);
    r = walk_stage1(t.bus, c, va, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.level == 2);
    CHECK(r.block_shift == 25);
    CHECK(r.pa == (0x4200'0000ull | (va & 0x1ffffff)));

    t.w64(l1 + ((va >> 36) & 2047) * 8, kBlock | kAF);
    r = walk_stage1(t.bus, c, va, false);
    CHECK(r.fault == FaultKind::Translation);
    CHECK(r.level == 1);
}

TEST_CASE("64 KiB granule: 48-bit VA starts at level 1, 42-bit at level 2") {
    TestCore t;
    Tables tb{t};
    uint64_t l1 = tb.alloc(65536), l2 = tb.alloc(65536), l3 = tb.alloc(65536);
    const uint64_t va = 0x0000'f123'4567'8abcull;
    t.w64(l1 + ((va >> 42) & 63) * 8, l2 | kTable);
    t.w64(l2 + ((va >> 29) & 8191) * 8, l3 | kTable);
    t.w64(l3 + ((va >> 16) & 8191) * 8, (kRamBase + 0x90'0000) | kPage | kAF);
    auto c = cfg(t0sz(16) | kTg0_64k | kIps48, l1);
    WalkResult r = walk_stage1(t.bus, c, va, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.level == 3);
    CHECK(r.block_shift == 16);
    CHECK(r.pa == ((kRamBase + 0x90'0000) | (va & 0xffff)));

    SUBCASE("level 2 block of 512 MiB") {
        t.w64(l2 + ((va >> 29) & 8191) * 8, 0x2000'0000ull | kBlock | kAF);
        r = walk_stage1(t.bus, c, va, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.block_shift == 29);
        CHECK(r.pa == (0x2000'0000ull | (va & 0x1fffffff)));
    }
    SUBCASE("level 1 block: translation fault") {
        t.w64(l1 + ((va >> 42) & 63) * 8, kBlock | kAF);
        r = walk_stage1(t.bus, c, va, false);
        CHECK(r.fault == FaultKind::Translation);
        CHECK(r.level == 1);
    }
    SUBCASE("42-bit VA") {
        const uint64_t va42 = va & ((1ull << 42) - 1);
        c.tcr = t0sz(22) | kTg0_64k | kIps48;
        c.ttbr0 = l2;
        t.w64(l2 + ((va42 >> 29) & 8191) * 8, l3 | kTable);
        t.w64(l3 + ((va42 >> 16) & 8191) * 8, kOut | kPage | kAF);
        r = walk_stage1(t.bus, c, va42, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.pa == (kOut | (va42 & 0xffff)));
    }
}

TEST_CASE("TTBR1 translates the top of the address space, each granule") {
    struct Case {
        uint64_t tg1;
        unsigned grain;
    };
    for (Case k : {Case{kTg1_4k, 12}, Case{kTg1_16k, 14}, Case{kTg1_64k, 16}}) {
        TestCore t;
        Tables tb{t};
        const unsigned stride = k.grain - 3;
        // 39-bit upper range (T1SZ = 25): walk as many levels as needed.
        const unsigned inputsize = 39;
        const unsigned levels = (inputsize - k.grain + stride - 1) / stride;
        const uint64_t va = 0xffff'ff80'1234'5678ull;
        uint64_t base = tb.alloc(1ull << k.grain);
        uint64_t table = base;
        for (unsigned i = 0; i < levels; i++) {
            int level = 4 - static_cast<int>(levels) + static_cast<int>(i);
            unsigned shift = k.grain + (3 - level) * stride;
            uint64_t idx = (va >> shift) & ((1ull << (i == 0 ? inputsize - shift : stride)) - 1);
            if (level == 3) {
                t.w64(table + idx * 8, kOut | kPage | kAF);
            } else {
                uint64_t next = tb.alloc(1ull << k.grain);
                t.w64(table + idx * 8, next | kTable);
                table = next;
            }
        }
        auto c = cfg(t0sz(16) | t1sz(25) | k.tg1 | kIps48, 0, base);
        INFO("granule bits " << k.grain);
        WalkResult r = walk_stage1(t.bus, c, va, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.pa == (kOut | (va & ((1ull << k.grain) - 1))));
        // Below the TTBR1 range: translation fault at level 0.
        CHECK(walk_stage1(t.bus, c, 0xffff'0000'0000'0000ull, false).fault ==
              FaultKind::Translation);
        // TBI1 accepts a tag in the top byte; without it the tag faults.
        const uint64_t tagged = (va & ~(0xffull << 56)) | (0xa5ull << 56);
        CHECK(walk_stage1(t.bus, c, tagged, false).fault == FaultKind::Translation);
        c.tcr |= kTbi1;
        r = walk_stage1(t.bus, c, tagged, false);
        REQUIRE(r.fault == FaultKind::None);
        CHECK(r.pa == (kOut | (va & ((1ull << k.grain) - 1))));
        // EPD1 disables TTBR1 walks.
        c.tcr |= kEpd1;
        CHECK(walk_stage1(t.bus, c, va, false).fault == FaultKind::Translation);
    }
}

TEST_CASE("MMU off: flat mapping, Device data and Normal fetch, PA size limit") {
    TestCore t;
    Stage1Config c;
    c.sctlr = 0;
    WalkResult r = walk_stage1(t.bus, c, 0x4000'1234, false);
    REQUIRE(r.fault == FaultKind::None);
    CHECK(r.pa == 0x4000'1234);
    CHECK(attr_is_device(r.attr));
    CHECK_FALSE(attr_is_device(walk_stage1(t.bus, c, 0x4000'1234, true).attr));
    r = walk_stage1(t.bus, c, 1ull << 48, false);
    CHECK(r.fault == FaultKind::AddressSize);
    CHECK(r.level == 0);
}

TEST_CASE("permissions: AP, UXN/PXN, implicit PXN, WXN and PAN") {
    struct Row {
        uint8_t ap;
        bool el0_r, el0_w, el1_w, el1_x;
    };
    // With UXN = PXN = 0.
    const Row rows[] = {
        {0, false, false, true, true},  // EL1 RW, EL0 none
        {1, true, true, true, false},   // EL1 RW, EL0 RW: EL1 may not execute
        {2, false, false, false, true}, // EL1 RO, EL0 none
        {3, true, false, false, true},  // EL1 RO, EL0 RO
    };
    for (const Row& row : rows) {
        INFO("AP " << int(row.ap));
        WalkResult w;
        w.ap = row.ap;
        Stage1Perms el0 = stage1_permissions(w, true, false, false);
        Stage1Perms el1 = stage1_permissions(w, false, false, false);
        Stage1Perms pan = stage1_permissions(w, false, true, false);
        CHECK(el0.read == row.el0_r);
        CHECK(el0.write == row.el0_w);
        CHECK(el0.exec);
        CHECK(el1.read);
        CHECK(el1.write == row.el1_w);
        CHECK(el1.exec == row.el1_x);
        // PAN: EL1 data access to EL0-readable memory faults; fetch unaffected.
        CHECK(pan.read == !row.el0_r);
        CHECK(pan.write == (row.el1_w && !row.el0_r));
        CHECK(pan.exec == row.el1_x);
    }
    WalkResult w;
    w.ap = 0;
    w.uxn = true;
    CHECK_FALSE(stage1_permissions(w, true, false, false).exec);
    CHECK(stage1_permissions(w, false, false, false).exec);
    w.uxn = false;
    w.pxn = true;
    CHECK(stage1_permissions(w, true, false, false).exec);
    CHECK_FALSE(stage1_permissions(w, false, false, false).exec);
    // WXN: writable means not executable.
    w.pxn = false;
    CHECK_FALSE(stage1_permissions(w, false, false, true).exec);
    w.ap = 2; // read-only at EL1
    CHECK(stage1_permissions(w, false, false, true).exec);
    w.ap = 1;
    CHECK_FALSE(stage1_permissions(w, true, false, true).exec);
}
