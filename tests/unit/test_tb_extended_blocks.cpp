// Extended translation blocks: the executor's blocks go on past conditional
// branches, leaving at a taken one, so each path runs exactly its own
// instructions and exceptions after a fall-through report their own PC.
#include "accel/tcg/executor.hpp"
#include "cpu_test_util.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

constexpr uint64_t kCode = kRamBase + 0x10000;
constexpr uint64_t kTarget = kRamBase + 0x11000; // another page
constexpr uint64_t kVectors = kRamBase + 0x20000;

// CBZ Xt, target / TBNZ Xt, #bit, target / B.EQ target, from pc.
constexpr uint32_t cbz_to(unsigned rt, uint64_t pc, uint64_t target) {
    return 0xb4000000u | ((static_cast<uint32_t>((target - pc) >> 2) & 0x7ffffu) << 5) | rt;
}
constexpr uint32_t tbnz_to(unsigned rt, unsigned bit, uint64_t pc, uint64_t target) {
    return 0x37000000u | ((bit >> 5) << 31) | ((bit & 31) << 19) |
           ((static_cast<uint32_t>((target - pc) >> 2) & 0x3fffu) << 5) | rt;
}
constexpr uint32_t beq_to(uint64_t pc, uint64_t target) {
    return 0x54000000u | ((static_cast<uint32_t>((target - pc) >> 2) & 0x7ffffu) << 5);
}
// CMP Xn, #imm (SUBS XZR, Xn, #imm).
constexpr uint32_t cmp_imm(unsigned rn, unsigned imm12) {
    return 0xf100001fu | (imm12 << 10) | (rn << 5);
}

struct Rig : TestCore {
    Rig() {
        c().s.el = 1;
        c().update_mmu_idx();
        c().sys.vbar_el1 = kVectors;
        for (unsigned off = 0; off < 0x800; off += 0x80)
            w32(kVectors + off, hlt(1));
        c().hooks.hlt = [this](Cpu& cpu, uint16_t imm) -> bool {
            halted_by = imm;
            cpu.halt(0);
        };
        // Three conditional branches inside one stretch of code, each to its
        // own exit; X0 records how far the straight path got.
        const uint32_t code[] = {
            movz(0, 1),                         // 0
            cbz_to(1, kCode + 4, kTarget),      // 1: X1 == 0 -> target
            movz(0, 2),                         // 2
            tbnz_to(2, 3, kCode + 12, kTarget), // 3: X2 bit 3 -> target
            movz(0, 3),                         // 4
            cmp_imm(3, 5),                      // 5
            beq_to(kCode + 24, kTarget + 8),    // 6: X3 == 5 -> target + 8
            movz(0, 4),                         // 7
            kUdf,                               // 8
        };
        for (unsigned i = 0; i < sizeof(code) / 4; i++)
            w32(kCode + 4 * i, code[i]);
        w32(kTarget, movz(5, 10));
        w32(kTarget + 4, hlt(0));
        w32(kTarget + 8, movz(5, 20));
        w32(kTarget + 12, hlt(0));
    }
    // Runs from kCode with the given X1, X2, X3.
    void run(uint64_t x1, uint64_t x2, uint64_t x3) {
        c().s.x[0] = c().s.x[5] = 0;
        c().s.x[1] = x1;
        c().s.x[2] = x2;
        c().s.x[3] = x3;
        c().s.pc = kCode;
        c().run_state = CpuRunState::Running;
        halted_by = -1;
        ex.run();
    }
    int halted_by = -1;
    TcgExecutor ex{bus, {cpu.get()}};
};

} // namespace

TEST_CASE("the cache records conditional branches as exits only when asked") {
    TestCore t;
    t.c().s.el = 1;
    t.c().update_mmu_idx();
    t.w32(kCode, movz(0, 1));
    t.w32(kCode + 4, cbz_to(1, kCode + 4, kTarget));
    t.w32(kCode + 8, movz(0, 2));
    t.w32(kCode + 12, hlt(0));
    TbCache plain(t.bus, t.c().model.features);
    TbCache extended(t.bus, t.c().model.features, true);
    plain.attach(t.cpu.get());
    extended.attach(t.cpu.get());
    t.c().s.pc = kCode;
    TranslationBlock* p = plain.get(t.c());
    CHECK(p->ops.size() == 2);
    CHECK(p->num_exits == 0);
    CHECK(p->last_sets_pc);
    t.c().s.pc = kCode;
    TranslationBlock* e = extended.get(t.c());
    CHECK(e->ops.size() == 4); // ends at HLT (it ends blocks; not conditional)
    REQUIRE(e->num_exits == 1);
    CHECK(e->exits[0] == 1);
}

TEST_CASE("a taken branch inside a block leaves it; a fall-through goes on") {
    Rig r;
    r.run(0, 0, 0); // CBZ taken
    CHECK(r.c().s.x[0] == 1);
    CHECK(r.c().s.x[5] == 10);
    CHECK(r.halted_by == 0);
    r.run(1, 8, 0); // CBZ falls through, TBNZ taken
    CHECK(r.c().s.x[0] == 2);
    CHECK(r.c().s.x[5] == 10);
    r.run(1, 0, 5); // both fall through, B.EQ taken to the other exit
    CHECK(r.c().s.x[0] == 3);
    CHECK(r.c().s.x[5] == 20);
    CHECK(r.halted_by == 0);
}

TEST_CASE("an exception after fall-throughs reports its own instruction") {
    Rig r;
    r.run(1, 0, 4); // every branch falls through to the UDF
    CHECK(r.c().s.x[0] == 4);
    CHECK(r.c().s.x[5] == 0);
    CHECK(r.halted_by == 1); // the vector ran
    CHECK(r.c().sys.elr_el1 == kCode + 32);
    CHECK((r.c().sys.esr_el1 >> 26) == 0); // Unknown reason: UNDEFINED
}
