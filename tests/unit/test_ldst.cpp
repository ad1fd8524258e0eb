// Load/store instructions run on a core with RAM: addressing modes,
// writeback, sign extension, pairs, exclusives, LSE atomics, SIMD&FP
// registers, and the faults they raise. Instruction words come from the
// GNU assembler (the instruction text is next to each).
#include "ldst_fixture.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace kestrel;
using kestrel::test::LdstFixture;

namespace {

constexpr uint64_t kData = LdstFixture::kData;
constexpr uint32_t kWnR = 1u << 6;
constexpr uint32_t kDfscAlign = 0x21;

std::string decoded_name(uint32_t insn, uint64_t features = ~0ull) {
    const InsnDesc* d = a64_decode(insn, features);
    return d ? d->name : "(unallocated)";
}

} // namespace

TEST_CASE("load/store encodings decode to their entries") {
    CHECK(decoded_name(0xf9400420u /* ldr x0, [x1, #8] */) == "LDR_X_imm");
    CHECK(decoded_name(0x385ff020u /* ldurb w0, [x1, #-1] */) == "LDURB");
    CHECK(decoded_name(0x78800820u /* ldtrsh x0, [x1] */) == "LDTRSH_X");
    CHECK(decoded_name(0x78002c20u /* strh w0, [x1, #2]! */) == "STRH_pre");
    CHECK(decoded_name(0xb8804420u /* ldrsw x0, [x1], #4 */) == "LDRSW_post");
    CHECK(decoded_name(0xb862d820u /* ldr w0, [x1, w2, sxtw #2] */) == "LDR_W_reg");
    CHECK(decoded_name(0xf8a26820u /* prfm pldl1keep, [x1, x2] */) == "PRFM_reg");
    CHECK(decoded_name(0x69c10440u /* ldpsw x0, x1, [x2, #8]! */) == "LDPSW_pre");
    CHECK(decoded_name(0xa8000440u /* stnp x0, x1, [x2] */) == "STNP_X");
    CHECK(decoded_name(0x485ffc20u /* ldaxrh w0, [x1] */) == "LDXRH");
    CHECK(decoded_name(0xc8238440u /* stlxp w3, x0, x1, [x2] */) == "STXP_X");
    CHECK(decoded_name(0x88dffc20u /* ldar w0, [x1] */) == "LDAR_W");
    CHECK(decoded_name(0xf8e04041u /* ldsmaxal x0, x1, [x2] */) == "LDSMAX_X");
    CHECK(decoded_name(0xb820705fu /* stumin w0, [x2] */) == "LDUMIN_W");
    CHECK(decoded_name(0x38608041u /* swplb w0, w1, [x2] */) == "SWPB");
    CHECK(decoded_name(0x4860fc82u /* caspal x0, x1, x2, x3, [x4] */) == "CASP_X");
    CHECK(decoded_name(0x48e07c41u /* casah w0, w1, [x2] */) == "CASH");
    CHECK(decoded_name(0x3dc00420u /* ldr q0, [x1, #16] */) == "LDR_Q_imm");
    CHECK(decoded_name(0x7c1fe020u /* stur h0, [x1, #-2] */) == "STUR_H");
    CHECK(decoded_name(0xacc10440u /* ldp q0, q1, [x2], #32 */) == "LDP_Q_post");
    CHECK(decoded_name(0x5c000040u /* ldr d0, .+8 */) == "LDR_D_lit");
    // Unallocated neighbours: register offset with option<1> clear,
    // PRFM with writeback, LDR (literal) of SIMD&FP with opc 11, LDNP of
    // opc 01, and CAS with Rt2 != 11111.
    CHECK(decoded_name(0xf8610840u) == "(unallocated)");
    CHECK(decoded_name(0xf88084c5u) == "(unallocated)");
    CHECK(decoded_name(0xdc000005u) == "(unallocated)");
    CHECK(decoded_name(0x684014c5u) == "(unallocated)");
    CHECK(decoded_name(0xc8a700c5u) == "(unallocated)");
}

TEST_CASE("unsigned-offset loads and stores of every size") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x8877665544332211ull);
    f.poke<uint64_t>(kData + 8, 0x0123456789abcdefull);
    f.x(1) = kData;
    f.x(0) = ~0ull;
    f.exec(0x39400420u /* ldrb w0, [x1, #1] */);
    CHECK(f.x(0) == 0x22);
    f.exec(0x79400420u /* ldrh w0, [x1, #2] */);
    CHECK(f.x(0) == 0x4433);
    f.exec(0xb9400420u /* ldr w0, [x1, #4] */);
    CHECK(f.x(0) == 0x88776655);
    f.exec(0xf9400420u /* ldr x0, [x1, #8] */);
    CHECK(f.x(0) == 0x0123456789abcdefull);
    f.exec(0xb9400c20u /* ldr w0, [x1, #12] */);
    CHECK(f.x(0) == 0x01234567);

    f.x(2) = 0xaabbccddeeff1122ull;
    f.exec(0xf9000822u /* str x2, [x1, #16] */);
    CHECK(f.peek<uint64_t>(kData + 16) == 0xaabbccddeeff1122ull);
    f.exec(0x39006022u /* strb w2, [x1, #24] */);
    f.exec(0x79003422u /* strh w2, [x1, #26] */);
    f.exec(0xb9001c22u /* str w2, [x1, #28] */);
    CHECK(f.peek<uint64_t>(kData + 24) == 0xeeff112211220022ull);
    f.exec(0xf900083fu /* str xzr, [x1, #16] */);
    CHECK(f.peek<uint64_t>(kData + 16) == 0);
}

TEST_CASE("sign-extending loads") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x0000000080018080ull);
    f.x(1) = kData;
    f.exec(0x39800020u /* ldrsb x0, [x1] */);
    CHECK(f.x(0) == 0xffffffffffffff80ull);
    f.exec(0x39c00020u /* ldrsb w0, [x1] */);
    CHECK(f.x(0) == 0x00000000ffffff80ull);
    f.exec(0x79800020u /* ldrsh x0, [x1] */);
    CHECK(f.x(0) == 0xffffffffffff8080ull);
    f.exec(0x79c00420u /* ldrsh w0, [x1, #2] */);
    CHECK(f.x(0) == 0x00000000ffff8001ull);
    f.exec(0xb9800020u /* ldrsw x0, [x1] */);
    CHECK(f.x(0) == 0xffffffff80018080ull);
    f.exec(0x39801020u /* ldrsb x0, [x1, #4] */);
    CHECK(f.x(0) == 0);
    f.poke<uint8_t>(kData + 8, 0x7f);
    f.exec(0x38c08020u /* ldursb w0, [x1, #8] */);
    CHECK(f.x(0) == 0x7f);
}

TEST_CASE("unscaled offsets reach negative and unaligned addresses") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x1122334455667788ull);
    f.x(1) = kData + 8;
    f.exec(0xf85f8020u /* ldur x0, [x1, #-8] */);
    CHECK(f.x(0) == 0x1122334455667788ull);
    f.exec(0xb85f9020u /* ldur w0, [x1, #-7] */);
    CHECK(f.x(0) == 0x44556677);
    f.x(2) = 0xbeef;
    f.exec(0x781fd022u /* sturh w2, [x1, #-3] */);
    CHECK(f.peek<uint64_t>(kData) == 0x11beef4455667788ull);
    // Unaligned ordinary accesses are allowed, also across a page.
    f.poke<uint64_t>(kData + 0xffc, 0xa1a2a3a4a5a6a7a8ull);
    f.x(1) = kData + 0xffc;
    f.exec(0xf9400020u /* ldr x0, [x1] */);
    CHECK(f.x(0) == 0xa1a2a3a4a5a6a7a8ull);
}

TEST_CASE("pre- and post-index writeback") {
    LdstFixture f;
    for (unsigned k = 0; k < 8; k++)
        f.poke<uint64_t>(kData + 8 * k, 0x100 + k);
    f.x(1) = kData;
    f.exec(0xf8410c20u /* ldr x0, [x1, #16]! */);
    CHECK(f.x(0) == 0x102);
    CHECK(f.x(1) == kData + 16);
    f.exec(0xf85f8420u /* ldr x0, [x1], #-8 */);
    CHECK(f.x(0) == 0x102);
    CHECK(f.x(1) == kData + 8);
    f.x(2) = 0x55;
    f.exec(0x38001c22u /* strb w2, [x1, #1]! */);
    CHECK(f.x(1) == kData + 9);
    CHECK(f.peek<uint64_t>(kData + 8) == 0x5501);
    f.exec(0xf80ff422u /* str x2, [x1], #255 */);
    CHECK(f.x(1) == kData + 9 + 255);
    f.exec(0x78500c23u /* ldrh w3, [x1, #-256]! */);
    CHECK(f.x(1) == kData + 8);
    CHECK(f.x(3) == 0x5501);
}

TEST_CASE("writeback with Rt == Rn follows qemu") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x1111);
    f.poke<uint64_t>(kData + 8, 0x2222);
    // Loads: the written-back address wins over the loaded value.
    f.x(5) = kData;
    f.exec(0xf84084a5u /* ldr x5, [x5], #8 */);
    CHECK(f.x(5) == kData + 8);
    f.x(5) = kData;
    f.exec(0xb88044a5u /* ldrsw x5, [x5], #4 */);
    CHECK(f.x(5) == kData + 4);
    // Stores: the original base is stored.
    f.x(5) = kData;
    f.exec(0xf8008ca5u /* str x5, [x5, #8]! */);
    CHECK(f.x(5) == kData + 8);
    CHECK(f.peek<uint64_t>(kData + 8) == kData);
}

TEST_CASE("register-offset addressing: extends and shifts") {
    LdstFixture f;
    for (unsigned k = 0; k < 16; k++)
        f.poke<uint64_t>(kData + 8 * k, 0x1000 + k);
    f.x(1) = kData + 64;
    f.x(2) = 3;
    f.exec(0xf8627820u /* ldr x0, [x1, x2, lsl #3] */);
    CHECK(f.x(0) == 0x100b);
    f.exec(0xf8626820u /* ldr x0, [x1, x2] */);
    CHECK(f.x(0) == ((0x1008ull >> 24) | (0x1009ull << 40)));
    // UXTW ignores the upper half of the index.
    f.x(2) = 0xffffffff00000004ull;
    f.exec(0xb8625820u /* ldr w0, [x1, w2, uxtw #2] */);
    CHECK(f.x(0) == 0x100a);
    // SXTW: a negative 32-bit index.
    f.x(2) = 0x00000000fffffff8ull;
    f.exec(0xf862c820u /* ldr x0, [x1, w2, sxtw] */);
    CHECK(f.x(0) == 0x1007);
    f.exec(0x3862d820u /* ldrb w0, [x1, w2, sxtw #0] */);
    CHECK(f.x(0) == 0x07);
    // SXTX with a scale.
    f.x(2) = static_cast<uint64_t>(-2);
    f.exec(0x7862f820u /* ldrh w0, [x1, x2, sxtx #1] */);
    CHECK(f.x(0) == 0); // upper half of the doubleword below
    f.exec(0xf862f820u /* ldr x0, [x1, x2, sxtx #3] */);
    CHECK(f.x(0) == 0x1006);
    f.x(3) = 0x77;
    f.x(2) = 1;
    f.exec(0x38226823u /* strb w3, [x1, x2] */);
    CHECK(f.peek<uint64_t>(kData + 64) == 0x7708);
    // option<1> clear is unallocated.
    auto e = f.exec_fault(0xf8610840u /* ldr x0, [x2, x1, option 000] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::Unknown);
}

TEST_CASE("literal loads and prefetches") {
    LdstFixture f;
    const uint64_t pc = LdstFixture::kCodeAddr;
    f.poke<uint64_t>(pc + 0x20, 0x8000000180000002ull);
    f.poke<uint64_t>(pc - 0x100, 0x00000000fffffff0ull);
    f.exec(0x58000100u /* ldr x0, .+0x20 */);
    CHECK(f.x(0) == 0x8000000180000002ull);
    f.exec(0x18000100u /* ldr w0, .+0x20 */);
    CHECK(f.x(0) == 0x80000002);
    f.exec(0x98000120u /* ldrsw x0, .+0x24 */);
    CHECK(f.x(0) == 0xffffffff80000001ull);
    f.exec(0x98fff800u /* ldrsw x0, .-0x100 */);
    CHECK(f.x(0) == 0xfffffffffffffff0ull);
    // Prefetches never access memory, even an unmapped address.
    f.x(1) = LdstFixture::kUnmapped;
    f.x(2) = 0;
    f.exec(0xf9800020u /* prfm pldl1keep, [x1] */);
    f.exec(0xf89fd033u /* prfum pstl2strm, [x1, #-3] */);
    f.exec(0xf8a2782cu /* prfm plil3keep, [x1, x2, lsl #3] */);
    f.exec(0xd83fffe0u /* prfm pldl1keep, .+0x7fffc */);
    CHECK(f.x(1) == LdstFixture::kUnmapped);
}

TEST_CASE("SP as base register and the SP alignment check") {
    LdstFixture f;
    f.poke<uint64_t>(kData + 8, 0xfeed);
    f.cpu.sp() = kData;
    f.exec(0xf94007e0u /* ldr x0, [sp, #8] */);
    CHECK(f.x(0) == 0xfeed);
    f.x(2) = 0x42;
    f.exec(0xf81f0fe2u /* str x2, [sp, #-16]! */);
    CHECK(f.cpu.sp() == kData - 16);
    CHECK(f.peek<uint64_t>(kData - 16) == 0x42);
    // Misaligned SP: allowed while SCTLR_EL1.SA is clear (the reset value).
    f.cpu.sp() = kData + 8;
    f.exec(0xf94003e0u /* ldr x0, [sp] */);
    CHECK(f.x(0) == 0xfeed);
    f.cpu.sys.sctlr_el1 |= 1u << 3; // SA
    f.x(0) = 0;
    auto e = f.exec_fault(0xf84087e0u /* ldr x0, [sp], #8 */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::SPAlign);
    CHECK(f.cpu.sp() == kData + 8);
    CHECK(f.x(0) == 0);
    // An aligned SP passes; the offset does not matter.
    f.cpu.sp() = kData;
    f.exec(0xf94007e0u /* ldr x0, [sp, #8] */);
    CHECK(f.x(0) == 0xfeed);
    // At EL0 SA0 (bit 4) controls the check, with SP_EL0.
    f.cpu.s.el = 0;
    f.cpu.update_mmu_idx();
    f.cpu.s.sp_el[0] = kData + 4;
    f.exec(0xb94007e0u /* ldr w0, [sp, #4] */);
    CHECK(f.x(0) == 0xfeed);
    f.cpu.sys.sctlr_el1 |= 1u << 4; // SA0
    e = f.exec_fault(0xb94007e0u /* ldr w0, [sp, #4] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::SPAlign);
    // Prefetches do not check.
    f.exec(0xf98003e0u /* prfm pldl1keep, [sp] */);
}

TEST_CASE("faulting accesses report EC, WnR and FAR and change no register") {
    LdstFixture f;
    const uint64_t bad = LdstFixture::kUnmapped + 0x10;
    f.x(1) = bad;
    f.x(0) = 0x1234;
    auto e = f.exec_fault(0xf8408420u /* ldr x0, [x1], #8 */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::DataAbortSame);
    CHECK((e->iss & kWnR) == 0);
    CHECK(e->far == bad);
    CHECK(e->far_valid);
    CHECK(f.x(1) == bad);
    CHECK(f.x(0) == 0x1234);

    e = f.exec_fault(0x781f0c20u /* strh w0, [x1, #-16]! */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::DataAbortSame);
    CHECK((e->iss & kWnR) != 0);
    CHECK(e->far == bad - 16);
    CHECK(f.x(1) == bad);

    // From EL0 the abort comes from a lower EL.
    f.cpu.s.el = 0;
    f.cpu.update_mmu_idx();
    e = f.exec_fault(0x39400c20u /* ldrb w0, [x1, #3] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::DataAbortLower);
    CHECK(e->far == bad + 3);

    // Beyond the 48-bit address space.
    f.cpu.s.el = 1;
    f.cpu.update_mmu_idx();
    f.x(1) = 0x0001000000000000ull;
    e = f.exec_fault(0xf9400020u /* ldr x0, [x1] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::DataAbortSame);
    CHECK(e->far == 0x0001000000000000ull);

    // A pair straddling the end of RAM: the registers stay, memory too.
    const uint64_t end = LdstFixture::kRamBase + LdstFixture::kRamSize;
    f.x(1) = end - 8;
    f.x(2) = 0xaaaa;
    f.x(3) = 0xbbbb;
    f.poke<uint64_t>(end - 8, 0x77);
    e = f.exec_fault(0xa8c10c22u /* ldp x2, x3, [x1], #16 */);
    REQUIRE(e);
    CHECK(e->far == end);
    CHECK(f.x(1) == end - 8);
    CHECK(f.x(2) == 0xaaaa);
    CHECK(f.x(3) == 0xbbbb);
    e = f.exec_fault(0xa9000c22u /* stp x2, x3, [x1] */);
    REQUIRE(e);
    CHECK((e->iss & kWnR) != 0);
    CHECK(f.peek<uint64_t>(end - 8) == 0x77);
    f.x(1) = end - 4;
    e = f.exec_fault(0x29000c22u /* stp w2, w3, [x1] */);
    REQUIRE(e);
    CHECK(e->far == end);
    CHECK(f.peek<uint32_t>(end - 4) == 0);
}

TEST_CASE("unprivileged loads and stores") {
    LdstFixture f;
    f.poke<uint64_t>(kData + 8, 0x99);
    f.x(1) = kData;
    f.exec(0xf8408820u /* ldtr x0, [x1, #8] */);
    CHECK(f.x(0) == 0x99);
    f.x(2) = 0x1234;
    f.exec(0x781fe822u /* sttrh w2, [x1, #-2] */);
    CHECK(f.peek<uint16_t>(kData - 2) == 0x1234);
    f.poke<uint8_t>(kData, 0x90);
    f.exec(0x38c00820u /* ldtrsb w0, [x1] */);
    CHECK(f.x(0) == 0xffffff90u);
    CHECK(f.cpu.s.el == 1);
    CHECK(f.cpu.mmu_idx() == 1);
    // A fault is still taken from EL1, and EL1 is restored.
    f.x(1) = LdstFixture::kUnmapped;
    auto e = f.exec_fault(0xb8400820u /* ldtr w0, [x1] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::DataAbortSame);
    CHECK(f.cpu.s.el == 1);
    CHECK(f.cpu.mmu_idx() == 1);
}

TEST_CASE("load/store pair") {
    LdstFixture f;
    for (unsigned k = 0; k < 8; k++)
        f.poke<uint64_t>(kData + 8 * k, 0x1000 + k);
    f.x(1) = kData;
    f.exec(0xa9410c22u /* ldp x2, x3, [x1, #16] */);
    CHECK(f.x(2) == 0x1002);
    CHECK(f.x(3) == 0x1003);
    f.exec(0x297f0c22u /* ldp w2, w3, [x1, #-8] */);
    f.exec(0x29410c22u /* ldp w2, w3, [x1, #8] */);
    CHECK(f.x(2) == 0x1001);
    CHECK(f.x(3) == 0);
    f.exec(0xa8430c22u /* ldnp x2, x3, [x1, #48] */);
    CHECK(f.x(2) == 0x1006);
    CHECK(f.x(3) == 0x1007);
    f.exec(0xa9c20c22u /* ldp x2, x3, [x1, #32]! */);
    CHECK(f.x(1) == kData + 32);
    CHECK(f.x(2) == 0x1004);
    f.exec(0xa8fe0c22u /* ldp x2, x3, [x1], #-32 */);
    CHECK(f.x(1) == kData);
    CHECK(f.x(3) == 0x1005);

    f.poke<uint64_t>(kData + 64, 0x80000000fffffffeull);
    f.exec(0x69480c22u /* ldpsw x2, x3, [x1, #64] */);
    CHECK(f.x(2) == 0xfffffffffffffffeull);
    CHECK(f.x(3) == 0xffffffff80000000ull);
    f.exec(0x29480c22u /* ldp w2, w3, [x1, #64] */);
    CHECK(f.x(2) == 0xfffffffe);
    CHECK(f.x(3) == 0x80000000);

    f.x(2) = 0xa;
    f.x(3) = 0xb;
    f.exec(0xa9bf0c22u /* stp x2, x3, [x1, #-16]! */);
    CHECK(f.x(1) == kData - 16);
    CHECK(f.peek<uint64_t>(kData - 16) == 0xa);
    CHECK(f.peek<uint64_t>(kData - 8) == 0xb);
    f.exec(0x28820823u /* stp w3, w2, [x1], #16 */);
    CHECK(f.x(1) == kData);
    CHECK(f.peek<uint64_t>(kData - 16) == 0x0000000a0000000bull);
    f.exec(0x283ffc22u /* stnp w2, wzr, [x1, #-4] */);
    CHECK(f.peek<uint64_t>(kData - 8) == 0x0000000a0000000bull);
    CHECK(f.peek<uint32_t>(kData - 4) == 0xa);
    CHECK(f.peek<uint32_t>(kData) == 0);
}

TEST_CASE("pair overlaps follow qemu") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x1111);
    f.poke<uint64_t>(kData + 8, 0x2222);
    f.x(5) = kData;
    f.exec(0xa8c118a5u /* ldp x5, x6, [x5], #16 */);
    CHECK(f.x(5) == kData + 16);
    CHECK(f.x(6) == 0x2222);
    f.x(6) = kData;
    f.exec(0xa94014c5u /* ldp x5, x5, [x6] */);
    CHECK(f.x(5) == 0x1111);
    f.x(5) = kData;
    f.x(6) = 0x99;
    f.exec(0xa98118a5u /* stp x5, x6, [x5, #16]! */);
    CHECK(f.x(5) == kData + 16);
    CHECK(f.peek<uint64_t>(kData + 16) == kData);
    CHECK(f.peek<uint64_t>(kData + 24) == 0x99);
}

TEST_CASE("exclusives: success, failure, monitor rules") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x10);
    f.x(1) = kData;
    f.x(2) = 0x20;
    f.exec(0xc85f7c20u /* ldxr x0, [x1] */);
    CHECK(f.x(0) == 0x10);
    f.exec(0xc8037c22u /* stxr w3, x2, [x1] */);
    CHECK(f.x(3) == 0);
    CHECK(f.peek<uint64_t>(kData) == 0x20);

    SUBCASE("a second store-exclusive fails: the monitor was disarmed") {
        f.x(2) = 0x30;
        f.exec(0xc8037c22u /* stxr w3, x2, [x1] */);
        CHECK(f.x(3) == 1);
        CHECK(f.peek<uint64_t>(kData) == 0x20);
    }
    SUBCASE("an intervening store of another value makes it fail") {
        f.exec(0xc85ffc20u /* ldaxr x0, [x1] */);
        f.x(4) = 0x44;
        f.exec(0xf9000024u /* str x4, [x1] */);
        f.x(2) = 0x30;
        f.exec(0xc803fc22u /* stlxr w3, x2, [x1] */);
        CHECK(f.x(3) == 1);
        CHECK(f.peek<uint64_t>(kData) == 0x44);
    }
    SUBCASE("CLREX disarms the monitor") {
        f.exec(0xc85f7c20u /* ldxr x0, [x1] */);
        f.exec(0xd5033f5fu /* clrex */);
        f.exec(0xc8037c22u /* stxr w3, x2, [x1] */);
        CHECK(f.x(3) == 1);
    }
    SUBCASE("size and address must match") {
        f.exec(0xc85f7c20u /* ldxr x0, [x1] */);
        f.exec(0x88037c22u /* stxr w3, w2, [x1] */);
        CHECK(f.x(3) == 1);
        f.exec(0xc85f7c20u /* ldxr x0, [x1] */);
        f.x(5) = kData + 8;
        f.exec(0xc8037ca2u /* stxr w3, x2, [x5] */);
        CHECK(f.x(3) == 1);
        CHECK(f.peek<uint64_t>(kData + 8) == 0);
    }
}

TEST_CASE("exclusive byte, halfword and pair forms") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x00000000fffffe80ull);
    f.x(1) = kData;
    f.exec(0x085f7c20u /* ldxrb w0, [x1] */);
    CHECK(f.x(0) == 0x80);
    f.x(2) = 0x1ff;
    f.exec(0x08037c22u /* stxrb w3, w2, [x1] */);
    CHECK(f.x(3) == 0);
    CHECK(f.peek<uint64_t>(kData) == 0x00000000fffffeffull);
    f.x(1) = kData + 2;
    f.exec(0x485ffc20u /* ldaxrh w0, [x1] */);
    CHECK(f.x(0) == 0xffff);
    f.x(2) = 0x1234;
    f.exec(0x4803fc22u /* stlxrh w3, w2, [x1] */);
    CHECK(f.x(3) == 0);
    CHECK(f.peek<uint64_t>(kData) == 0x000000001234feffull);

    f.x(1) = kData + 16;
    f.poke<uint64_t>(kData + 16, 0xa);
    f.poke<uint64_t>(kData + 24, 0xb);
    f.exec(0xc87f1424u /* ldxp x4, x5, [x1] */);
    CHECK(f.x(4) == 0xa);
    CHECK(f.x(5) == 0xb);
    f.x(6) = 0xc;
    f.x(7) = 0xd;
    f.exec(0xc8231c26u /* stxp w3, x6, x7, [x1] */);
    CHECK(f.x(3) == 0);
    CHECK(f.peek<uint64_t>(kData + 16) == 0xc);
    CHECK(f.peek<uint64_t>(kData + 24) == 0xd);
    // Changing the second half alone breaks the pair.
    f.exec(0xc87f9424u /* ldaxp x4, x5, [x1] */);
    f.poke<uint64_t>(kData + 24, 0xe);
    f.exec(0xc8239c26u /* stlxp w3, x6, x7, [x1] */);
    CHECK(f.x(3) == 1);
    CHECK(f.peek<uint64_t>(kData + 16) == 0xc);

    f.poke<uint64_t>(kData + 16, 0x0000000200000001ull);
    f.exec(0x887f1424u /* ldxp w4, w5, [x1] */);
    CHECK(f.x(4) == 1);
    CHECK(f.x(5) == 2);
    f.exec(0x88231827u /* stxp w3, w7, w6, [x1] */);
    CHECK(f.x(3) == 0);
    CHECK(f.peek<uint64_t>(kData + 16) == 0x0000000c0000000dull);
}

TEST_CASE("store-exclusive with Rs == Rt stores the value, then the status") {
    LdstFixture f;
    f.x(6) = kData;
    f.x(5) = 0x77;
    f.exec(0xc85f7cc7u /* ldxr x7, [x6] */);
    f.exec(0xc80578c5u /* stxr w5, x5, [x6] */);
    CHECK(f.x(5) == 0);
    CHECK(f.peek<uint64_t>(kData) == 0x77);
}

TEST_CASE("load-acquire and store-release") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x8877665544332211ull);
    f.x(1) = kData;
    f.exec(0xc8dffc20u /* ldar x0, [x1] */);
    CHECK(f.x(0) == 0x8877665544332211ull);
    f.exec(0x48dffc20u /* ldarh w0, [x1] */);
    CHECK(f.x(0) == 0x2211);
    f.exec(0x08dffc20u /* ldarb w0, [x1] */);
    CHECK(f.x(0) == 0x11);
    f.exec(0x88dffc20u /* ldar w0, [x1] */);
    CHECK(f.x(0) == 0x44332211);
    f.x(2) = 0xabcdef;
    f.exec(0x089ffc22u /* stlrb w2, [x1] */);
    f.x(5) = kData + 2;
    f.exec(0x489ffca2u /* stlrh w2, [x5] */);
    CHECK(f.peek<uint64_t>(kData) == 0x88776655cdef22efull);
    f.exec(0x889ffc22u /* stlr w2, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 0x8877665500abcdefull);
    f.exec(0xc89ffc22u /* stlr x2, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 0xabcdef);
}

TEST_CASE("exclusives, atomics and acquire/release need aligned addresses") {
    LdstFixture f;
    f.x(0) = 0x5555;
    struct Case {
        uint32_t insn;
        uint64_t addr;
        bool write;
    };
    const Case cases[] = {
        {0xc85f7c20u /* ldxr x0, [x1] */, kData + 4, false},
        {0x485f7c20u /* ldxrh w0, [x1] */, kData + 1, false},
        {0xc87f0820u /* ldxp x0, x2, [x1] */, kData + 8, false},
        {0x887f0820u /* ldxp w0, w2, [x1] */, kData + 4, false},
        {0x88dffc20u /* ldar w0, [x1] */, kData + 2, false},
        {0x489ffc20u /* stlrh w0, [x1] */, kData + 1, true},
        {0xf8220020u /* ldadd x2, x0, [x1] */, kData + 4, true},
        {0x78228020u /* swph w2, w0, [x1] */, kData + 3, true},
        {0xc8a07c22u /* cas x0, x2, [x1] */, kData + 8 + 1, true},
        {0x48227c24u /* casp x2, x3, x4, x5, [x1] */, kData + 8, true},
    };
    for (const Case& k : cases) {
        f.x(1) = k.addr;
        auto e = f.exec_fault(k.insn);
        INFO("insn " << std::hex << k.insn);
        REQUIRE(e);
        CHECK(e->ec == ExcClass::DataAbortSame);
        CHECK((e->iss & 0x3f) == kDfscAlign);
        CHECK(((e->iss & kWnR) != 0) == k.write);
        CHECK(e->far == k.addr);
        CHECK(f.x(0) == 0x5555);
    }
    // A store-exclusive to an address the monitor does not hold fails
    // (status 1) before any alignment check.
    f.x(1) = kData + 2;
    CHECK_FALSE(f.exec_fault(0xc8007c22u /* stxr w0, x2, [x1] */));
    CHECK(f.x(0) == 1);
    // Ordinary loads and stores may be unaligned.
    f.x(1) = kData + 3;
    f.exec(0xf9400020u /* ldr x0, [x1] */);
}

TEST_CASE("LSE atomic memory operations return the old value") {
    LdstFixture f;
    f.x(1) = kData;
    auto run = [&](uint32_t insn, uint64_t mem, uint64_t operand) {
        f.poke<uint64_t>(kData, mem);
        f.x(2) = operand;
        f.x(0) = 0xdeadbeefdeadbeefull;
        f.exec(insn);
        return f.peek<uint64_t>(kData);
    };
    CHECK(run(0xf8220020u /* ldadd x2, x0, [x1] */, 40, 2) == 42);
    CHECK(f.x(0) == 40);
    CHECK(run(0xf8e21020u /* ldclral x2, x0, [x1] */, 0xff, 0x0f) == 0xf0);
    CHECK(f.x(0) == 0xff);
    CHECK(run(0xf8a22020u /* ldeora x2, x0, [x1] */, 0xff, 0x0f) == 0xf0);
    CHECK(run(0xf8623020u /* ldsetl x2, x0, [x1] */, 0xf0, 0x0f) == 0xff);
    CHECK(run(0xf8224020u /* ldsmax x2, x0, [x1] */, static_cast<uint64_t>(-5), 3) == 3);
    CHECK(f.x(0) == static_cast<uint64_t>(-5));
    CHECK(run(0xf8225020u /* ldsmin x2, x0, [x1] */, static_cast<uint64_t>(-5), 3) ==
          static_cast<uint64_t>(-5));
    CHECK(run(0xf8226020u /* ldumax x2, x0, [x1] */, static_cast<uint64_t>(-5), 3) ==
          static_cast<uint64_t>(-5));
    CHECK(run(0xf8227020u /* ldumin x2, x0, [x1] */, static_cast<uint64_t>(-5), 3) == 3);
    CHECK(run(0xf8228020u /* swp x2, x0, [x1] */, 7, 9) == 9);
    CHECK(f.x(0) == 7);

    // Narrow sizes wrap within their size, leave the neighbours alone and
    // zero-extend the old value.
    CHECK(run(0x38220020u /* ldaddb w2, w0, [x1] */, 0x11223344556677ffull, 2) ==
          0x1122334455667701ull);
    CHECK(f.x(0) == 0xff);
    CHECK(run(0x78220020u /* ldaddh w2, w0, [x1] */, 0x112233445566ffffull, 0x10003) ==
          0x1122334455660002ull);
    CHECK(f.x(0) == 0xffff);
    CHECK(run(0xb8220020u /* ldadd w2, w0, [x1] */, 0x11223344ffffffffull, 1) ==
          0x1122334400000000ull);
    CHECK(f.x(0) == 0xffffffff);
    // Signed compares of a byte: 0x80 (-128) is smaller than 0x7f.
    CHECK(run(0x38224020u /* ldsmaxb w2, w0, [x1] */, 0x80, 0x7f) == 0x7f);
    CHECK(run(0x78225020u /* ldsminh w2, w0, [x1] */, 0x8000, 0x7fff) == 0x8000);
    CHECK(run(0x38226020u /* ldumaxb w2, w0, [x1] */, 0x80, 0x7f) == 0x80);
    CHECK(run(0x78e28020u /* swpalh w2, w0, [x1] */, 0xaaaabbbb, 0x1234) == 0xaaaa1234);
    CHECK(f.x(0) == 0xbbbb);
    // ST* aliases discard the old value (Rt = XZR).
    CHECK(run(0xf822003fu /* stadd x2, [x1] */, 1, 1) == 2);
    CHECK(f.x(0) == 0xdeadbeefdeadbeefull);
}

TEST_CASE("compare and swap") {
    LdstFixture f;
    f.x(1) = kData;
    f.poke<uint64_t>(kData, 100);
    f.x(0) = 100;
    f.x(2) = 200;
    f.exec(0xc8a07c22u /* cas x0, x2, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 200);
    CHECK(f.x(0) == 100);
    f.x(0) = 100;
    f.x(2) = 300;
    f.exec(0xc8e0fc22u /* casal x0, x2, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 200);
    CHECK(f.x(0) == 200);

    f.poke<uint64_t>(kData, 0x11223344556677f0ull);
    f.x(0) = 0xf0;
    f.x(2) = 0x10f;
    f.exec(0x08a07c22u /* casb w0, w2, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 0x112233445566770full);
    // The compare ignores bits above the access size.
    f.x(0) = 0x1234770f;
    f.exec(0x48e07c22u /* casah w0, w2, [x1] */);
    CHECK(f.x(0) == 0x770f);
    CHECK(f.peek<uint64_t>(kData) == 0x112233445566010full);
    f.x(0) = 0x5566010f;
    f.x(2) = 0xffffffffcafef00dull;
    f.exec(0x88a07c22u /* cas w0, w2, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 0x11223344cafef00dull);
    CHECK(f.x(0) == 0x5566010f);
}

TEST_CASE("compare and swap pair") {
    LdstFixture f;
    f.x(1) = kData;
    f.poke<uint64_t>(kData, 1);
    f.poke<uint64_t>(kData + 8, 2);
    f.x(2) = 1;
    f.x(3) = 2;
    f.x(4) = 0xa;
    f.x(5) = 0xb;
    f.exec(0x48227c24u /* casp x2, x3, x4, x5, [x1] */);
    CHECK(f.x(2) == 1);
    CHECK(f.x(3) == 2);
    CHECK(f.peek<uint64_t>(kData) == 0xa);
    CHECK(f.peek<uint64_t>(kData + 8) == 0xb);
    // Only the second half differs: no swap, the old pair comes back.
    f.x(2) = 0xa;
    f.x(3) = 0xc;
    f.x(4) = 0x1;
    f.x(5) = 0x1;
    f.exec(0x4862fc24u /* caspal x2, x3, x4, x5, [x1] */);
    CHECK(f.x(2) == 0xa);
    CHECK(f.x(3) == 0xb);
    CHECK(f.peek<uint64_t>(kData) == 0xa);
    CHECK(f.peek<uint64_t>(kData + 8) == 0xb);

    f.poke<uint64_t>(kData, 0x0000000200000001ull);
    f.x(2) = 0xffffffff00000001ull;
    f.x(3) = 2;
    f.x(4) = 7;
    f.x(5) = 8;
    f.exec(0x08627c24u /* caspa w2, w3, w4, w5, [x1] */);
    CHECK(f.peek<uint64_t>(kData) == 0x0000000800000007ull);
    CHECK(f.x(2) == 1);
    CHECK(f.x(3) == 2);
    // Odd register numbers are UNDEFINED.
    auto e = f.exec_fault(0x48217c44u /* casp x1, x2, x4, x5, [x2] with Rs = 1 */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::Unknown);
}

TEST_CASE("LSE is only decoded where advertised") {
    auto max = find_cpu_model("max");
    auto a57 = find_cpu_model("cortex-a57");
    auto a72 = find_cpu_model("cortex-a72");
    REQUIRE(max);
    REQUIRE(a57);
    REQUIRE(a72);
    CHECK(((max->id_aa64isar0 >> 20) & 0xf) == 2);
    CHECK(((a57->id_aa64isar0 >> 20) & 0xf) == 0);
    CHECK(max->has(Feature::LSE));
    CHECK_FALSE(a57->has(Feature::LSE));
    CHECK_FALSE(a72->has(Feature::LSE));
    CHECK(decoded_name(0xb8e00041u /* ldaddal w0, w1, [x2] */, a57->features) == "(unallocated)");
    CHECK(decoded_name(0x48207c82u /* casp x0, x1, x2, x3, [x4] */, a57->features) ==
          "(unallocated)");
    CHECK(decoded_name(0xb8e00041u /* ldaddal w0, w1, [x2] */, max->features) == "LDADD_W");
    // Exclusives are v8.0.
    CHECK(decoded_name(0x885ffc40u /* ldaxr w0, [x2] */, a57->features) == "LDXR_W");
}

TEST_CASE("SIMD&FP register loads zero the upper bits") {
    LdstFixture f;
    f.poke<uint64_t>(kData, 0x8877665544332211ull);
    f.poke<uint64_t>(kData + 8, 0x0123456789abcdefull);
    f.x(1) = kData;
    auto fill = [&](unsigned r) { f.cpu.s.v[r] = VReg{~0ull, ~0ull}; };
    fill(0);
    f.exec(0x3d400420u /* ldr b0, [x1, #1] */);
    CHECK(f.cpu.s.v[0].lo == 0x22);
    CHECK(f.cpu.s.v[0].hi == 0);
    fill(0);
    f.exec(0x7d400420u /* ldr h0, [x1, #2] */);
    CHECK(f.cpu.s.v[0].lo == 0x4433);
    CHECK(f.cpu.s.v[0].hi == 0);
    fill(0);
    f.exec(0xbd400420u /* ldr s0, [x1, #4] */);
    CHECK(f.cpu.s.v[0].lo == 0x88776655);
    CHECK(f.cpu.s.v[0].hi == 0);
    fill(0);
    f.exec(0xfd400420u /* ldr d0, [x1, #8] */);
    CHECK(f.cpu.s.v[0].lo == 0x0123456789abcdefull);
    CHECK(f.cpu.s.v[0].hi == 0);
    f.exec(0x3dc0003fu /* ldr q31, [x1] */);
    CHECK(f.cpu.s.v[31].lo == 0x8877665544332211ull);
    CHECK(f.cpu.s.v[31].hi == 0x0123456789abcdefull);
    fill(3);
    f.exec(0xbc403023u /* ldur s3, [x1, #3] */);
    CHECK(f.cpu.s.v[3].lo == 0x77665544);
    CHECK(f.cpu.s.v[3].hi == 0);
}

TEST_CASE("SIMD&FP register stores and addressing modes") {
    LdstFixture f;
    f.x(1) = kData;
    f.cpu.s.v[2] = VReg{0x0807060504030201ull, 0x100f0e0d0c0b0a09ull};
    f.exec(0x3d800822u /* str q2, [x1, #32] */);
    CHECK(f.peek<uint64_t>(kData + 32) == 0x0807060504030201ull);
    CHECK(f.peek<uint64_t>(kData + 40) == 0x100f0e0d0c0b0a09ull);
    f.exec(0x3d000022u /* str b2, [x1] */);
    f.exec(0x7d000422u /* str h2, [x1, #2] */);
    f.exec(0xbd000422u /* str s2, [x1, #4] */);
    CHECK(f.peek<uint64_t>(kData) == 0x0403020102010001ull);
    f.exec(0xfd000422u /* str d2, [x1, #8] */);
    CHECK(f.peek<uint64_t>(kData + 8) == 0x0807060504030201ull);
    f.exec(0x3c9f0022u /* stur q2, [x1, #-16] */);
    CHECK(f.peek<uint64_t>(kData - 8) == 0x100f0e0d0c0b0a09ull);

    f.exec(0x3cc20c25u /* ldr q5, [x1, #32]! */);
    CHECK(f.x(1) == kData + 32);
    CHECK(f.cpu.s.v[5].hi == 0x100f0e0d0c0b0a09ull);
    f.exec(0xfc5e0426u /* ldr d6, [x1], #-32 */);
    CHECK(f.x(1) == kData);
    CHECK(f.cpu.s.v[6].lo == 0x0807060504030201ull);
    f.exec(0x7c1fec22u /* str h2, [x1, #-2]! */);
    CHECK(f.x(1) == kData - 2);
    CHECK(f.peek<uint16_t>(kData - 2) == 0x0201);
    f.x(1) = kData;
    f.x(2) = 2;
    f.exec(0x3ce27827u /* ldr q7, [x1, x2, lsl #4] */);
    CHECK(f.cpu.s.v[7].lo == 0x0807060504030201ull);
    f.x(2) = 0xfffffffc; // -4 as a W register
    f.exec(0xbc62c827u /* ldr s7, [x1, w2, sxtw] */);
    CHECK(f.cpu.s.v[7].lo == 0x02010e0d); // STUR Q then STR H wrote these
    CHECK(f.cpu.s.v[7].hi == 0);
    f.x(2) = 1;
    f.exec(0xfc227822u /* str d2, [x1, x2, lsl #3] */);
    CHECK(f.peek<uint64_t>(kData + 8) == 0x0807060504030201ull);
}

TEST_CASE("SIMD&FP literal loads") {
    LdstFixture f;
    const uint64_t pc = LdstFixture::kCodeAddr;
    f.poke<uint64_t>(pc + 16, 0x1111222233334444ull);
    f.poke<uint64_t>(pc + 24, 0x5555666677778888ull);
    f.cpu.s.v[1] = VReg{~0ull, ~0ull};
    f.exec(0x1c000081u /* ldr s1, .+16 */);
    CHECK(f.cpu.s.v[1].lo == 0x33334444);
    CHECK(f.cpu.s.v[1].hi == 0);
    f.exec(0x5c0000a1u /* ldr d1, .+20 */);
    CHECK(f.cpu.s.v[1].lo == 0x7777888811112222ull);
    f.exec(0x9c000081u /* ldr q1, .+16 */);
    CHECK(f.cpu.s.v[1].lo == 0x1111222233334444ull);
    CHECK(f.cpu.s.v[1].hi == 0x5555666677778888ull);
}

TEST_CASE("SIMD&FP pairs") {
    LdstFixture f;
    for (unsigned k = 0; k < 8; k++)
        f.poke<uint64_t>(kData + 8 * k, 0x1000 + k);
    f.x(1) = kData;
    f.cpu.s.v[2] = VReg{~0ull, ~0ull};
    f.exec(0x2d410c22u /* ldp s2, s3, [x1, #8] */);
    CHECK(f.cpu.s.v[2].lo == 0x1001);
    CHECK(f.cpu.s.v[2].hi == 0);
    CHECK(f.cpu.s.v[3].lo == 0);
    f.exec(0x6dc10c22u /* ldp d2, d3, [x1, #16]! */);
    CHECK(f.x(1) == kData + 16);
    CHECK(f.cpu.s.v[2].lo == 0x1002);
    CHECK(f.cpu.s.v[3].lo == 0x1003);
    f.exec(0xacff8c22u /* ldp q2, q3, [x1], #-16 */);
    CHECK(f.x(1) == kData);
    CHECK(f.cpu.s.v[2].lo == 0x1002);
    CHECK(f.cpu.s.v[2].hi == 0x1003);
    CHECK(f.cpu.s.v[3].lo == 0x1004);
    CHECK(f.cpu.s.v[3].hi == 0x1005);
    f.exec(0x6c431424u /* ldnp d4, d5, [x1, #48] */);
    CHECK(f.cpu.s.v[4].lo == 0x1006);
    CHECK(f.cpu.s.v[5].lo == 0x1007);
    // Rt == Rt2 keeps the second value (qemu's choice).
    f.x(6) = kData + 8;
    f.exec(0x6d4014c5u /* ldp d5, d5, [x6] */);
    CHECK(f.cpu.s.v[5].lo == 0x1002);

    f.cpu.s.v[8] = VReg{0xa, 0xb};
    f.cpu.s.v[9] = VReg{0xc, 0xd};
    f.exec(0xad022428u /* stp q8, q9, [x1, #64] */);
    CHECK(f.peek<uint64_t>(kData + 64) == 0xa);
    CHECK(f.peek<uint64_t>(kData + 72) == 0xb);
    CHECK(f.peek<uint64_t>(kData + 80) == 0xc);
    CHECK(f.peek<uint64_t>(kData + 88) == 0xd);
    f.exec(0x2dbf2029u /* stp s9, s8, [x1, #-8]! */);
    CHECK(f.x(1) == kData - 8);
    CHECK(f.peek<uint64_t>(kData - 8) == 0x0000000a0000000cull);
    f.exec(0x6c00a428u /* stnp d8, d9, [x1, #8] */);
    CHECK(f.peek<uint64_t>(kData) == 0xa);
    CHECK(f.peek<uint64_t>(kData + 8) == 0xc);
}

TEST_CASE("SIMD&FP accesses trap while CPACR_EL1.FPEN disables them") {
    LdstFixture f;
    f.x(1) = kData;
    f.cpu.sys.cpacr_el1 = 0;
    auto e = f.exec_fault(0x3cc10420u /* ldr q0, [x1], #16 */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::FPAccess);
    CHECK(f.x(1) == kData);
    // FPEN = 01: EL1 may, EL0 may not.
    f.cpu.sys.cpacr_el1 = 1u << 20;
    f.exec(0x3dc00020u /* ldr q0, [x1] */);
    f.cpu.s.el = 0;
    f.cpu.update_mmu_idx();
    e = f.exec_fault(0xfd000020u /* str d0, [x1] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::FPAccess);
    f.cpu.sys.cpacr_el1 = 3u << 20;
    f.exec(0xfd000020u /* str d0, [x1] */);
}

TEST_CASE("SIMD&FP loads and stores need the FP feature") {
    uint64_t base = feature_bit(Feature::Base);
    CHECK(decoded_name(0x3dc00020u /* ldr q0, [x1] */, base) == "(unallocated)");
    CHECK(decoded_name(0x6dbf07e0u /* stp d0, d1, [sp, #-16]! */, base) == "(unallocated)");
    CHECK(decoded_name(0x1c000040u /* ldr s0, .+8 */, base) == "(unallocated)");
    CHECK(decoded_name(0x6dbf07e0u /* stp d0, d1, [sp, #-16]! */,
                       base | feature_bit(Feature::FP)) == "STP_D_pre");
}

TEST_CASE("a store crossing from RAM into a page where nothing decodes writes nothing") {
    LdstFixture f;
    const uint64_t end = LdstFixture::kRamBase + LdstFixture::kRamSize;
    f.poke<uint32_t>(end - 4, 0x11223344);
    f.x(1) = end - 4;
    f.x(2) = 0xaabbccddeeff0011ull;
    auto e = f.exec_fault(0xf9000022u /* str x2, [x1] */);
    REQUIRE(e);
    CHECK(e->ec == ExcClass::DataAbortSame);
    CHECK((e->iss & 0x3f) == 0x10);   // synchronous external abort
    CHECK((e->iss & (1u << 6)) != 0); // WnR
    CHECK(f.peek<uint32_t>(end - 4) == 0x11223344);
}
