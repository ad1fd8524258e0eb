// Block links and the jump cache of the translation-block cache: a link
// leads to the successor without a lookup, and is not followed once the
// successor's page was written, the TLB no longer holds the page, or the
// successor was freed.
#include "accel/tcg/executor.hpp"
#include "cpu_test_util.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

// B (immediate) from pc to target.
constexpr uint32_t b_to(uint64_t pc, uint64_t target) {
    return 0x14000000u | (static_cast<uint32_t>((target - pc) >> 2) & 0x03ffffffu);
}

constexpr uint64_t kPageA = kRamBase + 0x10000; // the predecessor
constexpr uint64_t kPageB = kRamBase + 0x20000; // its successor

struct LinkRig : TestCore {
    TbCache tbs{bus, cpu->model.features};
    LinkRig() {
        tbs.attach(cpu.get());
        c().s.el = 1;
        c().update_mmu_idx();
        w32(kPageA, b_to(kPageA, kPageB));
        w32(kPageB, movz(0, 1));
        w32(kPageB + 4, hlt(0));
    }
    // The block at kPageA, then its successor found through next().
    TranslationBlock* first() {
        c().s.pc = kPageA;
        return tbs.get(c());
    }
    TranslationBlock* successor(TranslationBlock& from) {
        c().s.pc = kPageB;
        return tbs.next(c(), from);
    }
    uint64_t lookups() const { return tbs.stats().lookups; }
};

} // namespace

TEST_CASE("a recorded link leads to the successor without a lookup") {
    LinkRig r;
    TranslationBlock* a = r.first();
    TranslationBlock* b = r.successor(*a);
    REQUIRE(b != nullptr);
    CHECK(b->ops[0].insn == movz(0, 1));
    const uint64_t before = r.lookups();
    CHECK(r.successor(*a) == b);
    CHECK(r.lookups() == before);
    // Another PC is not the link's: it is looked up.
    r.w32(kPageB + 0x100, movz(0, 3));
    r.c().s.pc = kPageB + 0x100;
    TranslationBlock* other = r.tbs.next(r.c(), *a);
    CHECK(other->ops[0].insn == movz(0, 3));
    CHECK(r.lookups() == before + 1);
}

TEST_CASE("a link to a block whose page was written is not followed") {
    LinkRig r;
    TranslationBlock* a = r.first();
    TranslationBlock* b = r.successor(*a);
    r.w32(kPageB, movz(0, 2)); // invalidates the page's blocks
    CHECK_FALSE(b->valid);
    TranslationBlock* fresh = r.successor(*a);
    CHECK(fresh != b);
    CHECK(fresh->valid);
    CHECK(fresh->ops[0].insn == movz(0, 2));
}

TEST_CASE("a link is checked against the TLB, and survives unrelated flushes") {
    LinkRig r;
    TranslationBlock* a = r.first();
    TranslationBlock* b = r.successor(*a);
    // Dropping the code page from the TLB: the link is not taken on trust,
    // the lookup walks again and finds the same (still valid) block.
    r.c().tlb.flush();
    uint64_t before = r.lookups();
    CHECK(r.successor(*a) == b);
    CHECK(r.lookups() == before + 1);
    // A flush of another address leaves the code page's entry: the link holds.
    r.c().tlb.flush_va(kRamBase + 0x500000);
    before = r.lookups();
    CHECK(r.successor(*a) == b);
    CHECK(r.lookups() == before);
}

TEST_CASE("links recorded before retired blocks are freed are not followed") {
    LinkRig r;
    for (unsigned i = 2; i < 400; i++)
        r.w32(kPageB + 4 * i, kNop);
    TranslationBlock* a = r.first();
    r.successor(*a);
    // Translate enough blocks on the successor's page that invalidating it
    // retires more than a collection needs (each PC starts its own block).
    for (unsigned i = 0; i < 400; i++) {
        r.c().s.pc = kPageB + 4 * i;
        r.tbs.get(r.c());
    }
    r.w32(kPageB, movz(0, 7)); // retires them all
    REQUIRE(r.tbs.collect());  // and frees them
    const uint64_t before = r.lookups();
    TranslationBlock* fresh = r.successor(*a);
    CHECK(r.lookups() == before + 1);
    CHECK(fresh->ops[0].insn == movz(0, 7));
}

TEST_CASE("the jump cache tells apart PCs that share its index") {
    LinkRig r;
    // 64 KiB apart: the same low PC bits, so a table indexed by them alone
    // would alias. Both blocks must be found with their own contents.
    const uint64_t p = kRamBase + 0x40000, q = p + 0x10000;
    r.w32(p, movz(0, 1));
    r.w32(p + 4, hlt(0));
    r.w32(q, movz(0, 2));
    r.w32(q + 4, hlt(0));
    for (int round = 0; round < 2; round++) {
        r.c().s.pc = p;
        CHECK(r.tbs.get(r.c())->ops[0].insn == movz(0, 1));
        r.c().s.pc = q;
        CHECK(r.tbs.get(r.c())->ops[0].insn == movz(0, 2));
    }
    CHECK(r.tbs.stats().jump_hits == 2);
}

TEST_CASE("a link checked on one core is checked again on another") {
    // Core 0 runs with the MMU off; core 1 maps the successor's VA to other
    // code. Their TLB generations are made equal, so only the core tells
    // the link's earlier TLB check apart from one core 1 would need.
    LinkRig r;
    const uint64_t other_code = kRamBase + 0x30000, tables = kRamBase + 0x100000;
    r.w32(other_code, movz(0, 9));
    r.w32(other_code + 4, hlt(0));
    Cpu c1(1, r.c().model, r.bus);
    c1.s.el = 1;
    r.tbs.attach(&c1);
    // 4 KiB granule, 39-bit VA: one table per level from level 1.
    const uint64_t l1 = tables, l2 = tables + 0x1000, l3 = tables + 0x2000;
    for (uint64_t t = tables; t < tables + 0x3000; t += 8)
        r.w64(t, 0);
    const uint64_t kAF = 1ull << 10, kTableOrPage = 3;
    r.w64(l1 + ((kPageA >> 30) & 511) * 8, l2 | kTableOrPage);
    r.w64(l2 + ((kPageA >> 21) & 511) * 8, l3 | kTableOrPage);
    r.w64(l3 + ((kPageA >> 12) & 511) * 8, kPageA | kTableOrPage | kAF);
    r.w64(l3 + ((kPageB >> 12) & 511) * 8, other_code | kTableOrPage | kAF);
    c1.sys.tcr_el1 = 25 | (5ull << 32);
    c1.sys.mair_el1 = 0xff;
    c1.sys.ttbr0_el1 = l1;
    c1.sys.sctlr_el1 |= 1;
    c1.tlb_flush_all();
    c1.update_mmu_idx();
    REQUIRE(c1.mmu_idx() == r.c().mmu_idx());

    TranslationBlock* a = r.first();
    TranslationBlock* b = r.successor(*a);
    CHECK(b->ops[0].insn == movz(0, 1));
    while (r.c().tlb.generation() < c1.tlb.generation())
        r.c().tlb.flush();
    while (c1.tlb.generation() < r.c().tlb.generation())
        c1.tlb.flush();
    CHECK(r.successor(*a) == b); // core 0 still follows it, after the flushes
    c1.s.pc = kPageB;
    TranslationBlock* seen_by_c1 = r.tbs.next(c1, *a);
    CHECK(seen_by_c1->ops[0].insn == movz(0, 9));
}

TEST_CASE("the executor runs rewritten code after following links to it") {
    TestCore t;
    t.c().s.el = 1;
    t.c().update_mmu_idx();
    t.c().hooks.hlt = [](Cpu& cpu, uint16_t) -> bool { cpu.halt(0); };
    t.w32(kPageA, b_to(kPageA, kPageB));
    t.w32(kPageB, movz(0, 1));
    t.w32(kPageB + 4, hlt(0));
    TcgExecutor ex(t.bus, {&t.c()});
    for (unsigned value = 1; value <= 3; value++) {
        t.w32(kPageB, movz(0, value));
        t.c().run_state = CpuRunState::Running;
        t.c().s.pc = kPageA;
        ex.run();
        CHECK(t.c().s.x[0] == value);
    }
}
