// Alignment of data accesses by memory type: with the MMU off data memory
// is Device-nGnRnE, where every unaligned access is an alignment fault;
// Normal memory allows unaligned ordinary accesses unless SCTLR_EL1.A.
// Each access is checked at the size of its architectural elements (a pair
// of words needs word alignment, LD1 of bytes none, a Q register 16 bytes).
// Instruction words come from the GNU assembler (text next to each).
#include "cpu_fixture.hpp"
#include "ldst_fixture.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using kestrel::test::IdentityMap;
using kestrel::test::LdstFixture;

namespace {

constexpr uint64_t kData = LdstFixture::kData;
constexpr uint32_t kWnR = 1u << 6;
constexpr uint32_t kDfscAlign = 0x21;

struct Access {
    const char* text;
    uint32_t insn;
    unsigned misalign; // offset from kData + 0x100 (16-byte aligned)
    bool write;
};

// Unaligned for their elements: fault on Device memory, work on Normal.
constexpr Access kUnaligned[] = {
    {"ldr x0, [x1]", 0xf9400020u, 4, false},       {"ldrh w0, [x1]", 0x79400020u, 1, false},
    {"str w2, [x1]", 0xb9000022u, 2, true},        {"str x2, [x1]", 0xf9000022u, 1, true},
    {"ldp x2, x3, [x1]", 0xa9400c22u, 4, false},   {"ldp w2, w3, [x1]", 0x29400c22u, 2, false},
    {"stp w2, w3, [x1]", 0x29000c22u, 1, true},    {"ldr d0, [x1]", 0xfd400020u, 4, false},
    {"ldr q0, [x1]", 0x3dc00020u, 8, false},       {"str q0, [x1]", 0x3d800020u, 8, true},
    {"ldp q0, q1, [x1]", 0xad400420u, 8, false},   {"ld1 {v0.2d}, [x1]", 0x4c407c20u, 4, false},
    {"ld1 {v0.4s}, [x1]", 0x4c407820u, 2, false},  {"st1 {v0.4s}, [x1]", 0x4c007820u, 1, true},
    {"ld1r {v0.4s}, [x1]", 0x4d40c820u, 2, false}, {"ld1 {v0.s}[1], [x1]", 0x0d409020u, 1, false},
};

// Wider than their elements but element-aligned: fine on Device memory.
constexpr Access kElementAligned[] = {
    {"ldp w2, w3, [x1]", 0x29400c22u, 4, false},   {"stp w2, w3, [x1]", 0x29000c22u, 4, true},
    {"ld1 {v0.16b}, [x1]", 0x4c407020u, 1, false}, {"ld1 {v0.4s}, [x1]", 0x4c407820u, 4, false},
    {"st1 {v0.4s}, [x1]", 0x4c007820u, 4, true},   {"ldr q0, [x1]", 0x3dc00020u, 0, false},
    {"ldp q0, q1, [x1]", 0xad400420u, 0, false},
};

constexpr uint64_t kAt = kData + 0x100;

void fill_pattern(LdstFixture& f) {
    for (unsigned i = 0; i < 0x40; i++)
        f.poke<uint8_t>(kAt + i, static_cast<uint8_t>(0xa0 + i));
}

// Every access in `list` faults with an alignment fault reporting its
// address, and leaves registers and memory as they were.
void check_all_fault(LdstFixture& f, const Access* list, size_t n) {
    for (size_t k = 0; k < n; k++) {
        const Access& a = list[k];
        INFO(a.text << " at +" << a.misalign);
        fill_pattern(f);
        f.x(0) = 0x5555;
        f.x(1) = kAt + a.misalign;
        f.x(2) = 0x1111222233334444ull;
        f.x(3) = 0x5555666677778888ull;
        f.cpu.s.v[0] = VReg{1, 2};
        auto e = f.exec_fault(a.insn);
        REQUIRE(e);
        CHECK(e->ec == (f.cpu.s.el ? ExcClass::DataAbortSame : ExcClass::DataAbortLower));
        CHECK((e->iss & 0x3f) == kDfscAlign);
        CHECK(((e->iss & kWnR) != 0) == a.write);
        CHECK(e->far == kAt + a.misalign);
        CHECK(f.x(0) == 0x5555);
        CHECK(f.x(2) == 0x1111222233334444ull);
        CHECK(f.cpu.s.v[0].lo == 1);
        for (unsigned i = 0; i < 0x40; i++)
            CHECK(f.peek<uint8_t>(kAt + i) == 0xa0 + i);
    }
}

void check_none_fault(LdstFixture& f, const Access* list, size_t n) {
    for (size_t k = 0; k < n; k++) {
        const Access& a = list[k];
        INFO(a.text << " at +" << a.misalign);
        fill_pattern(f);
        f.x(1) = kAt + a.misalign;
        CHECK_FALSE(f.exec_fault(a.insn));
    }
}

} // namespace

TEST_CASE("MMU off: unaligned data accesses take alignment faults, from EL1 and EL0") {
    LdstFixture f;
    f.mmu_off();
    check_all_fault(f, kUnaligned, std::size(kUnaligned));
    f.cpu.s.el = 0;
    f.cpu.update_mmu_idx();
    check_all_fault(f, kUnaligned, std::size(kUnaligned));
}

TEST_CASE("MMU off: aligned accesses work, element alignment is enough") {
    LdstFixture f;
    f.mmu_off();
    check_none_fault(f, kElementAligned, std::size(kElementAligned));
    // And the values are right.
    f.poke<uint64_t>(kAt + 8, 0x8877665544332211ull);
    f.x(1) = kAt + 4;
    f.exec(0x29400c22u /* ldp w2, w3, [x1] */);
    CHECK(f.x(2) == 0xa7a6a5a4u);
    CHECK(f.x(3) == 0x44332211u);
    f.x(1) = kAt + 8;
    f.exec(0xf9400020u /* ldr x0, [x1] */);
    CHECK(f.x(0) == 0x8877665544332211ull);
    f.x(2) = 0xcafef00d;
    f.x(1) = kAt + 0x20;
    f.exec(0xb9000022u /* str w2, [x1] */);
    CHECK(f.peek<uint32_t>(kAt + 0x20) == 0xcafef00du);
}

TEST_CASE("MMU off: the alignment fault is taken to EL1 with ESR and FAR") {
    LdstFixture f;
    f.mmu_off();
    f.cpu.sys.vbar_el1 = LdstFixture::kRamBase + 0x8000;
    f.x(1) = kAt + 3;
    auto e = f.exec_fault(0xf9400020u /* ldr x0, [x1] */);
    REQUIRE(e);
    f.cpu.take_exception(*e);
    CHECK((f.cpu.sys.esr_el1 >> 26) == 0x25);        // data abort, same EL
    CHECK((f.cpu.sys.esr_el1 >> 25 & 1) == 1);       // IL
    CHECK((f.cpu.sys.esr_el1 & 0x3f) == kDfscAlign); // alignment fault
    CHECK(f.cpu.sys.far_el1 == kAt + 3);
    CHECK(f.cpu.sys.elr_el1 == LdstFixture::kCodeAddr);
    CHECK(f.cpu.s.pc == LdstFixture::kRamBase + 0x8000 + 0x200);
}

TEST_CASE("MMU off: an unaligned access across a page faults before touching memory") {
    LdstFixture f;
    f.mmu_off();
    const uint64_t edge = kData + 0x1000;
    f.poke<uint64_t>(edge - 8, 0x1111111111111111ull);
    f.poke<uint64_t>(edge, 0x2222222222222222ull);
    f.x(1) = edge - 4;
    f.x(2) = 0;
    auto e = f.exec_fault(0xf9000022u /* str x2, [x1] */);
    REQUIRE(e);
    CHECK((e->iss & 0x3f) == kDfscAlign);
    CHECK(e->far == edge - 4);
    CHECK(f.peek<uint64_t>(edge - 8) == 0x1111111111111111ull);
    CHECK(f.peek<uint64_t>(edge) == 0x2222222222222222ull);
    // A pair of words there is two aligned words: fine.
    f.exec(0x29000c22u /* stp w2, w3, [x1] */);
    CHECK(f.peek<uint32_t>(edge - 4) == 0);
}

TEST_CASE("MMU off: exclusives keep their own alignment rule") {
    LdstFixture f;
    f.mmu_off();
    f.poke<uint64_t>(kAt, 0x42);
    f.x(1) = kAt;
    CHECK_FALSE(f.exec_fault(0xc85f7c20u /* ldxr x0, [x1] */));
    CHECK(f.x(0) == 0x42);
    f.x(1) = kAt + 4;
    auto e = f.exec_fault(0xc85f7c20u /* ldxr x0, [x1] */);
    REQUIRE(e);
    CHECK((e->iss & 0x3f) == kDfscAlign);
}

TEST_CASE("MMU on, Normal memory: unaligned accesses work") {
    LdstFixture f;
    check_none_fault(f, kUnaligned, std::size(kUnaligned));
    f.poke<uint64_t>(kAt, 0x8877665544332211ull);
    f.poke<uint64_t>(kAt + 8, 0xffeeddccbbaa9988ull);
    f.x(1) = kAt + 3;
    f.exec(0xf9400020u /* ldr x0, [x1] */);
    CHECK(f.x(0) == 0xaa99888877665544ull);
    f.x(1) = kAt + 1;
    f.exec(0x3dc00020u /* ldr q0, [x1] */);
    CHECK(f.cpu.s.v[0].lo == 0x8888776655443322ull);
    CHECK(f.cpu.s.v[0].hi == 0xb0ffeeddccbbaa99ull); // byte 16 is from the pattern
    f.x(1) = kAt + 2;
    f.exec(0x29400c22u /* ldp w2, w3, [x1] */);
    CHECK(f.x(2) == 0x66554433u);
    CHECK(f.x(3) == 0x99888877u);
}

TEST_CASE("MMU on, SCTLR_EL1.A: unaligned accesses fault, element alignment is enough") {
    LdstFixture f;
    f.cpu.sys.sctlr_el1 |= 2; // A
    check_all_fault(f, kUnaligned, std::size(kUnaligned));
    check_none_fault(f, kElementAligned, std::size(kElementAligned));
}

TEST_CASE("MMU on, Device mapping: unaligned accesses fault, aligned ones work") {
    LdstFixture f;
    f.map().map(LdstFixture::kRamBase, LdstFixture::kRamSize, IdentityMap::kDeviceEl0Rw);
    f.cpu.tlb_flush_all();
    check_all_fault(f, kUnaligned, std::size(kUnaligned));
    check_none_fault(f, kElementAligned, std::size(kElementAligned));
    // Back to Normal: the same accesses work again.
    f.map().map(LdstFixture::kRamBase, LdstFixture::kRamSize, IdentityMap::kNormalEl0Rw);
    f.cpu.tlb_flush_all();
    check_none_fault(f, kUnaligned, std::size(kUnaligned));
}

TEST_CASE("the Device alignment fault comes before the permission fault") {
    LdstFixture f;
    // Device, read-only at EL1 and EL0 (AP = 0b11).
    const uint64_t ro_device = IdentityMap::kDeviceEl0Rw | (3ull << 6);
    f.map().map(LdstFixture::kRamBase, LdstFixture::kRamSize, ro_device);
    f.cpu.tlb_flush_all();
    f.x(1) = kAt + 2;
    auto e = f.exec_fault(0xb9000022u /* str w2, [x1] */);
    REQUIRE(e);
    CHECK((e->iss & 0x3f) == kDfscAlign);
    f.x(1) = kAt;
    e = f.exec_fault(0xb9000022u /* str w2, [x1] */);
    REQUIRE(e);
    CHECK((e->iss & 0x3f) == 0x0d); // permission fault, level 1
}

TEST_CASE("MMU off: instruction fetches are Normal, only data accesses are Device") {
    test::CpuFixture f;
    REQUIRE((f.cpu.sys.sctlr_el1 & 1) == 0);
    // Runs from RAM through the translation cache with the MMU off.
    f.set_x(1, test::CpuFixture::kRamBase + 0x8000);
    f.set_x(2, 0x1234);
    CHECK_FALSE(f.run({
        0xf9000022u, // str x2, [x1]
        0xf9400020u, // ldr x0, [x1]
    }));
    CHECK(f.x(0) == 0x1234);
    f.set_x(1, test::CpuFixture::kRamBase + 0x8001);
    auto e = f.run({0xf9400020u /* ldr x0, [x1] */});
    REQUIRE(e);
    CHECK((e->iss & 0x3f) == kDfscAlign);
    CHECK(e->far == test::CpuFixture::kRamBase + 0x8001);
}
