// Translation through the core: the soft TLB caches permissions per regime,
// ASID switches keep global entries, TLBI drops large mappings, alignment
// rules, and translation blocks stay correct across TTBR/ASID switches.
#include "accel/tcg/executor.hpp"
#include "cpu_test_util.hpp"

#include <doctest/doctest.h>
#include <map>

using namespace kestrel;
using namespace kestrel::test;

namespace {

constexpr uint64_t kAF = 1ull << 10, kNG = 1ull << 11, kPage = 3, kTable = 3, kBlock = 1;
constexpr uint64_t ap(unsigned v) {
    return static_cast<uint64_t>(v) << 6;
}
constexpr uint64_t attrindx(unsigned v) {
    return static_cast<uint64_t>(v) << 2;
}
// MAIR: attr0 Normal write-back, attr1 Device-nGnRnE.
constexpr uint64_t kMair = 0x00ff;
// 39-bit VA, 4 KiB granule, 48-bit IPS, 16-bit ASIDs.
constexpr uint64_t kTcr = 25 | (5ull << 32) | (1ull << 36);

// Builds 4 KiB-granule tables (walk from level 1) in test RAM.
struct PageTables {
    TestCore& t;
    uint64_t next;
    uint64_t root;
    PageTables(TestCore& tc, uint64_t area) : t(tc), next(area) { root = alloc(); }
    uint64_t alloc() {
        uint64_t p = next;
        next += 4096;
        for (unsigned i = 0; i < 4096; i += 8)
            t.w64(p + i, 0);
        return p;
    }
    uint64_t table_at(uint64_t table, unsigned idx) {
        uint64_t d = t.r64(table + idx * 8);
        if (d & 1) return d & 0x0000fffffffff000ull;
        uint64_t n = alloc();
        t.w64(table + idx * 8, n | kTable);
        return n;
    }
    void map_page(uint64_t va, uint64_t pa, uint64_t attrs) {
        uint64_t l2 = table_at(root, (va >> 30) & 511);
        uint64_t l3 = table_at(l2, (va >> 21) & 511);
        t.w64(l3 + ((va >> 12) & 511) * 8, pa | kPage | attrs);
    }
    void map_block_2m(uint64_t va, uint64_t pa, uint64_t attrs) {
        uint64_t l2 = table_at(root, (va >> 30) & 511);
        t.w64(l2 + ((va >> 21) & 511) * 8, pa | kBlock | attrs);
    }
};

struct MmuCore : TestCore {
    explicit MmuCore(const std::string& model = "cortex-a57") : TestCore(model) {}
    void enable(uint64_t ttbr0) {
        c().sys.tcr_el1 = kTcr;
        c().sys.mair_el1 = kMair;
        c().sys.ttbr0_el1 = ttbr0;
        c().sys.sctlr_el1 |= 1;
        c().tlb_flush_all();
    }
    void set_el(unsigned el) {
        c().s.el = static_cast<uint8_t>(el);
        c().update_mmu_idx();
    }
};

GuestException fault_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const GuestException& e) {
        return e;
    }
    GuestException none;
    none.ec = static_cast<ExcClass>(0x3f);
    return none;
}

constexpr uint64_t kTables = kRamBase + 0x100000;
constexpr uint64_t kDataA = kRamBase + 0x200000, kDataB = kRamBase + 0x201000;

} // namespace

TEST_CASE("TLB entries carry the regime's permissions") {
    MmuCore m;
    PageTables pt(m, kTables);
    const uint64_t va = 0x10'0000;
    pt.map_page(va, kDataA, kAF | ap(0)); // EL1 RW, EL0 none
    m.w64(kDataA, 0x1111);
    m.enable(pt.root);
    CHECK(m.c().load<uint64_t>(va) == 0x1111); // fills the EL1 entry
    m.set_el(0);
    GuestException e = fault_of([&] { (void)m.c().load<uint64_t>(va); });
    CHECK(e.ec == ExcClass::DataAbortLower);
    CHECK((e.iss & 0x3f) == 0x0f); // permission fault, level 3
    CHECK(e.far == va);
    // Execute-only at EL0 (AP = 00, UXN = 0): a fetch fills the entry, a
    // later read must still fault.
    uint64_t pa;
    (void)m.c().fetch(va, pa);
    CHECK(pa == kDataA);
    e = fault_of([&] { (void)m.c().load<uint64_t>(va); });
    CHECK((e.iss & 0x3f) == 0x0f);
    // Read-only page: EL1 store faults with WnR even after a cached read.
    m.set_el(1);
    pt.map_page(va + 0x1000, kDataB, kAF | ap(2));
    CHECK(m.c().load<uint64_t>(va + 0x1000) == 0);
    e = fault_of([&] { m.c().store<uint64_t>(va + 0x1000, 5); });
    CHECK((e.iss & 0x3f) == 0x0f);
    CHECK((e.iss >> 6 & 1) == 1);
    // LDTR-style access from EL1 uses EL0 permissions.
    e = fault_of([&] { (void)m.c().load_unpriv<uint64_t>(va); });
    CHECK((e.iss & 0x3f) == 0x0f);
    // Access flag fault.
    pt.map_page(va + 0x2000, kDataB, 0);
    e = fault_of([&] { (void)m.c().load<uint64_t>(va + 0x2000); });
    CHECK((e.iss & 0x3f) == 0x0b);
    // Unmapped: translation fault at level 3.
    e = fault_of([&] { (void)m.c().load<uint64_t>(va + 0x3000); });
    CHECK((e.iss & 0x3f) == 0x07);
}

TEST_CASE("PAN blocks EL1 data access to EL0-accessible pages") {
    MmuCore m("max");
    PageTables pt(m, kTables);
    const uint64_t va = 0x10'0000;
    pt.map_page(va, kDataA, kAF | ap(1)); // EL0 RW
    m.w64(kDataA, 42);
    m.enable(pt.root);
    CHECK(m.c().load<uint64_t>(va) == 42);
    m.c().s.pan = 1;
    m.c().update_mmu_idx();
    GuestException e = fault_of([&] { (void)m.c().load<uint64_t>(va); });
    CHECK((e.iss & 0x3f) == 0x0f);
    CHECK(m.c().load_unpriv<uint64_t>(va) == 42); // LDTR is not subject to PAN
}

TEST_CASE("an ASID switch drops non-global entries and keeps global ones") {
    MmuCore m;
    PageTables pt(m, kTables);
    const uint64_t va_ng = 0x10'0000, va_g = 0x20'0000;
    pt.map_page(va_ng, kDataA, kAF | kNG);
    pt.map_page(va_g, kDataA, kAF);
    m.w64(kDataA, 0xa);
    m.w64(kDataB, 0xb);
    m.enable(pt.root | (1ull << 48));
    CHECK(m.c().load<uint64_t>(va_ng) == 0xa);
    CHECK(m.c().load<uint64_t>(va_g) == 0xa);
    // Remap both without TLB maintenance, then switch ASID.
    pt.map_page(va_ng, kDataB, kAF | kNG);
    pt.map_page(va_g, kDataB, kAF);
    m.c().s.x[0] = pt.root | (2ull << 48);
    m.c().s.pc = kRamBase;
    exec(m.c(), msr(3, 0, 2, 0, 0, 0)); // MSR TTBR0_EL1, X0
    CHECK(m.c().load<uint64_t>(va_ng) == 0xb);
    CHECK(m.c().load<uint64_t>(va_g) == 0xa); // the global entry survives
    m.c().s.x[0] = va_g >> 12;
    exec(m.c(), sys(0, 8, 7, 1, 0)); // TLBI VAE1
    CHECK(m.c().load<uint64_t>(va_g) == 0xb);
}

TEST_CASE("TLBI by address drops every 4 KiB piece of a block") {
    MmuCore m;
    PageTables pt(m, kTables);
    const uint64_t va = 0x4000'0000ull; // 1 GiB, so level 2 block index 0
    pt.map_block_2m(va, kRamBase + 0x400000, kAF);
    m.w64(kRamBase + 0x400000 + 0x1000, 1);
    m.w64(kRamBase + 0x400000 + 0x100000, 2);
    m.enable(pt.root);
    CHECK(m.c().load<uint64_t>(va + 0x1000) == 1);
    CHECK(m.c().load<uint64_t>(va + 0x100000) == 2);
    pt.map_block_2m(va, kRamBase + 0x600000, kAF);
    m.w64(kRamBase + 0x600000 + 0x1000, 3);
    m.w64(kRamBase + 0x600000 + 0x100000, 4);
    CHECK(m.c().load<uint64_t>(va + 0x100000) == 2); // still cached
    m.c().tlbi_va(va, false);                        // the block's base
    CHECK(m.c().load<uint64_t>(va + 0x1000) == 3);
    CHECK(m.c().load<uint64_t>(va + 0x100000) == 4);
}

TEST_CASE("alignment: unaligned Normal accesses work, Device and SCTLR.A fault") {
    MmuCore m;
    PageTables pt(m, kTables);
    pt.map_page(0x10'0000, kDataA, kAF);
    pt.map_page(0x10'1000, kDataB, kAF);
    pt.map_page(0x11'0000, kDataA, kAF | attrindx(1));
    m.w64(kDataA + 0xff8, 0x1122334455667788ull);
    m.w64(kDataB, 0x99aabbccddeeff00ull);
    m.enable(pt.root);
    CHECK(m.c().load<uint32_t>(0x10'0ffc) == 0x11223344u);
    CHECK(m.c().load<uint64_t>(0x10'0ffc) == 0xddeeff0011223344ull); // crosses the page
    m.c().store<uint16_t>(0x10'0fff, 0xabcd);
    CHECK(m.r64(kDataB) == 0x99aabbccddeeffabull);
    GuestException e = fault_of([&] { (void)m.c().load<uint32_t>(0x11'0002); });
    CHECK((e.iss & 0x3f) == 0x21);
    CHECK(m.c().load<uint32_t>(0x11'0004) == 0); // aligned Device access is fine
    // DC ZVA on mapped Device memory: alignment fault.
    m.c().s.x[0] = 0x11'0040;
    m.c().s.pc = kRamBase;
    GuestException z = fault_of([&] {
        m.c().tlb_flush_all();
        const InsnDesc* d = a64_decode(sys(3, 7, 4, 1, 0), m.c().model.features);
        d->fn(m.c(), sys(3, 7, 4, 1, 0));
    });
    CHECK((z.iss & 0x3f) == 0x21);
    m.c().sys.sctlr_el1 |= 2; // A
    e = fault_of([&] { (void)m.c().load<uint32_t>(0x10'0ffe); });
    CHECK((e.iss & 0x3f) == 0x21);
}

TEST_CASE("translation blocks follow the current mapping across TTBR/ASID switches") {
    MmuCore m;
    PageTables a(m, kTables), b(m, kTables + 0x10000);
    const uint64_t va = 0x40'0000, code_a = kRamBase + 0x300000, code_b = kRamBase + 0x301000;
    // Same VA, different physical code: MOVZ X0, #1 / #2, then HLT #0.
    m.w32(code_a, movz(0, 1));
    m.w32(code_a + 4, hlt(0));
    m.w32(code_b, movz(0, 2));
    m.w32(code_b + 4, hlt(0));
    a.map_page(va, code_a, kAF | kNG);
    b.map_page(va, code_b, kAF | kNG);
    m.enable(a.root | (1ull << 48));
    m.c().hooks.hlt = [](Cpu& cpu, uint16_t) -> bool { cpu.halt(0); };
    TcgExecutor ex(m.bus, {&m.c()});
    m.c().s.pc = va;
    ex.run();
    CHECK(m.c().s.x[0] == 1);
    // Switch to the other tables (and ASID) and run the same VA again.
    m.c().s.x[1] = b.root | (2ull << 48);
    m.c().s.pc = kRamBase;
    exec(m.c(), msr(3, 0, 2, 0, 0, 1));
    m.c().run_state = CpuRunState::Running;
    m.c().s.pc = va;
    ex.run();
    CHECK(m.c().s.x[0] == 2);
    // And back: the first block is still cached and still right.
    m.c().s.x[1] = a.root | (1ull << 48);
    exec(m.c(), msr(3, 0, 2, 0, 0, 1));
    m.c().run_state = CpuRunState::Running;
    m.c().s.pc = va;
    ex.run();
    CHECK(m.c().s.x[0] == 1);
}
