// Advanced SIMD copy/permute/table/modified-immediate and three-same
// instructions on a real core. Expected values are worked out by hand from
// the Arm ARM pseudocode; instruction words come from the GNU assembler.
#include "simd_fixture.hpp"

using kestrel::test::SimdFixture;

TEST_CASE_FIXTURE(SimdFixture, "DUP, INS, UMOV, SMOV") {
    set_v(1, 0x1103110211011100ull, 0x1107110611051104ull);
    exec(0x4e160420); // dup v0.8h, v1.h[5]
    CHECK(v(0).lo == 0x1105110511051105ull);
    CHECK(v(0).hi == 0x1105110511051105ull);

    x(3) = 0xdeadbeefcafef00dull;
    exec(0x4e040c62); // dup v2.4s, w3
    CHECK(v(2).lo == 0xcafef00dcafef00dull);
    CHECK(v(2).hi == 0xcafef00dcafef00dull);

    set_v(4, 0x1111111111111111ull, 0x2222222222222222ull);
    x(5) = 0x99999999abcdef01ull;
    exec(0x4e141ca4); // ins v4.s[2], w5
    CHECK(v(4).lo == 0x1111111111111111ull);
    CHECK(v(4).hi == 0x22222222abcdef01ull);

    set_v(6, 0, 0);
    set_v(7, 0x5a, 0);
    exec(0x6e1f04e6); // mov v6.b[15], v7.b[0]
    CHECK(v(6).hi == 0x5a00000000000000ull);
    CHECK(v(6).lo == 0);

    set_v(9, 0, 0x4444333322221111ull);
    x(8) = ~0ull;
    exec(0x0e1a3d28); // umov w8, v9.h[6]
    CHECK(x(8) == 0x3333);

    set_v(11, 0, 0x80ff);
    exec(0x4e132d6a); // smov x10, v11.b[9]
    CHECK(x(10) == 0xffffffffffffff80ull);

    set_v(13, 1, 0x0123456789abcdefull);
    exec(0x4e183dac); // mov x12, v13.d[1]
    CHECK(x(12) == 0x0123456789abcdefull);

    set_v(12, 0xab00000000000000ull, 0x77);
    set_v(11, ~0ull, ~0ull);
    exec(0x5e0f058b); // dup b11, v12.b[7]
    CHECK(v(11).lo == 0xab);
    CHECK(v(11).hi == 0);

    CHECK(undefined(0x0e083c41)); // umov w1, v2.d[0]: D needs Q=1
    CHECK(undefined(0x0e042c41)); // smov w1, v2.s[0]: S needs Xd
    CHECK(undefined(0x0e080420)); // dup v0.1d: reserved
}

TEST_CASE_FIXTURE(SimdFixture, "EXT and permutes") {
    set_v(15, 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
    set_v(16, 0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull);
    exec(0x6e1019ee); // ext v14.16b, v15.16b, v16.16b, #3
    CHECK(v(14).lo == 0x0a09080706050403ull);
    CHECK(v(14).hi == 0x1211100f0e0d0c0bull);

    set_v(18, 0x000000a1000000a0ull, 0x000000a3000000a2ull);
    set_v(19, 0x000000b1000000b0ull, 0x000000b3000000b2ull);
    exec(0x4e933a51); // zip1 v17.4s, v18.4s, v19.4s
    CHECK(v(17).lo == 0x000000b0000000a0ull);
    CHECK(v(17).hi == 0x000000b1000000a1ull);

    set_v(18, 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
    set_v(19, 0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull);
    exec(0x4e137a51); // zip2 v17.16b, v18.16b, v19.16b
    CHECK(v(17).lo == 0x1b0b1a0a19091808ull);
    CHECK(v(17).hi == 0x1f0f1e0e1d0d1c0cull);

    set_v(21, 0x0706050403020100ull, 0xffff);
    set_v(22, 0x1716151413121110ull, 0xffff);
    set_v(20, 0, ~0ull);
    exec(0x0e165ab4); // uzp2 v20.8b, v21.8b, v22.8b
    CHECK(v(20).lo == 0x1715131107050301ull);
    CHECK(v(20).hi == 0);

    set_v(24, 0x0003000200010000ull, 0x0007000600050004ull);
    set_v(25, 0x0013001200110010ull, 0x0017001600150014ull);
    exec(0x4e592b17); // trn1 v23.8h, v24.8h, v25.8h
    CHECK(v(23).lo == 0x0012000200100000ull);
    CHECK(v(23).hi == 0x0016000600140004ull);
}

TEST_CASE_FIXTURE(SimdFixture, "TBL and TBX") {
    set_v(30, 0x8786858483828180ull, 0x8f8e8d8c8b8a8988ull);
    set_v(31, 0x9796959493929190ull, 0x9f9e9d9c9b9a9998ull);
    // indices 0, 17, 31, 32, 255, 5, 16, 15 | 0x40, then 1s
    set_v(27, 0x0f1005ff201f1100ull, 0x0101010101010140ull);
    exec(0x4e1b23da); // tbl v26.16b, {v30.16b, v31.16b}, v27.16b
    CHECK(v(26).lo == 0x8f908500009f9180ull);
    CHECK(v(26).hi == 0x8181818181818100ull);

    set_v(29, 0xc7c6c5c4c3c2c1c0ull, 0xcfcecdcccbcac9c8ull);
    set_v(28, 0x1111111111111111ull, 0x2222222222222222ull);
    exec(0x0e1b13bc); // tbx v28.8b, {v29.16b}, v27.8b
    CHECK(v(28).lo == 0xcf11c511111111c0ull);
    CHECK(v(28).hi == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "modified immediate: every cmode class") {
    struct Case {
        uint32_t insn;
        unsigned rd;
        uint64_t lo, hi;
    };
    set_v(2, 0x1000000010000000ull, 0x1000000010000000ull);
    set_v(3, 0x123456789abcdef0ull, 0x123456789abcdef0ull);
    set_v(5, 1, 1);
    set_v(7, 1, 1);
    const Case cases[] = {
        {0x4f054560, 0, 0x00ab000000ab0000ull, 0x00ab000000ab0000ull}, // movi v0.4s, #0xab, lsl #16
        {0x6f00a641, 1, 0xedffedffedffedffull, 0xedffedffedffedffull}, // mvni v1.8h, #0x12, lsl #8
        {0x4f0216a2, 2, 0x1000005510000055ull, 0x1000005510000055ull}, // orr v2.4s, #0x55
        {0x6f07b7e3, 3, 0x0034007800bc00f0ull, 0x0034007800bc00f0ull}, // bic v3.8h, #0xff, lsl #8
        {0x6f05e4c4, 4, 0xff00ff0000ffff00ull, 0xff00ff0000ffff00ull}, // movi v4.2d
        {0x2f02e445, 5, 0x00ff00000000ff00ull, 0},                     // movi d5
        {0x4f00d646, 6, 0x0012ffff0012ffffull, 0x0012ffff0012ffffull}, // movi v6.4s, #0x12, msl #16
        {0x2f01c687, 7, 0xffffcb00ffffcb00ull, 0},                     // mvni v7.2s, #0x34, msl #8
        {0x4f07f708, 8, 0xbfc00000bfc00000ull, 0xbfc00000bfc00000ull}, // fmov v8.4s, #-1.5
        {0x6f03f409, 9, 0x3fe0000000000000ull, 0x3fe0000000000000ull}, // fmov v9.2d, #0.5
        {0x4f03e7ca, 10, 0x7e7e7e7e7e7e7e7eull, 0x7e7e7e7e7e7e7e7eull}, // movi v10.16b, #0x7e
        {0x0f01f7ed, 13, 0x41f8000041f80000ull, 0},                     // fmov v13.2s, #31.0
    };
    for (const Case& c : cases) {
        INFO("insn 0x" << std::hex << c.insn);
        exec(c.insn);
        CHECK(v(c.rd).lo == c.lo);
        CHECK(v(c.rd).hi == c.hi);
    }
    CHECK(undefined(0x2f03f409)); // fmov with op=1, Q=0: unallocated
}

TEST_CASE_FIXTURE(SimdFixture, "three same: arithmetic, saturation and QC") {
    set_v(1, 0xffffffff00000001ull, 0x0000000580000000ull);
    set_v(2, 0x0000000100000002ull, 0xfffffffb80000000ull);
    exec(0x4ea28420); // add v0.4s
    CHECK(v(0).lo == 3);
    CHECK(v(0).hi == 0);
    CHECK_FALSE(qc());

    set_v(1, 0xffff000180007fffull, 0x0000000040004000ull);
    set_v(2, 0xffff0002ffff0001ull, 0x000000003fff4000ull);
    exec(0x4e620c20); // sqadd v0.8h
    CHECK(v(0).lo == 0xfffe000380007fffull);
    CHECK(v(0).hi == 0x000000007fff7fffull);
    CHECK(qc());

    // QC is sticky: a non-saturating op leaves it set; cleared by hand.
    fpsr() = 0;
    set_v(1, 0x1010101010101010ull, 0x1010101010101010ull);
    set_v(2, 0x0101010101010101ull, 0x0101010101010101ull);
    exec(0x6e222c20); // uqsub v0.16b
    CHECK(v(0).lo == 0x0f0f0f0f0f0f0f0full);
    CHECK_FALSE(qc());
    set_v(2, 0x0101010101010120ull, 0x0101010101010101ull);
    exec(0x6e222c20);
    CHECK(v(0).lo == 0x0f0f0f0f0f0f0f00ull);
    CHECK(qc());

    fpsr() = 0;
    set_v(1, 0x0100800040008000ull, 0);
    set_v(2, 0x01007fff40008000ull, 0);
    exec(0x4e62b420); // sqdmulh v0.8h
    // lanes: -32768*-32768 saturates; 0x4000^2 -> 0x2000; -32768*32767 -> 0x8001; 0x100^2 -> 2
    CHECK(v(0).lo == 0x0002800120007fffull);
    CHECK(v(0).hi == 0);
    CHECK(qc());

    fpsr() = 0;
    set_v(1, 0x0000000340000000ull, 0xffffffff80000000ull);
    set_v(2, 0x7fffffff00000001ull, 0x0000000180000000ull);
    exec(0x6ea2b420); // sqrdmulh v0.4s
    CHECK(v(0).lo == 0x0000000300000001ull);
    CHECK(v(0).hi == 0x000000007fffffffull);
    CHECK(qc());
}

TEST_CASE_FIXTURE(SimdFixture, "three same: shifts by register") {
    set_v(1, 0xfff000ff80000001ull, 0x0007000540000003ull);
    set_v(2, 0xfffe000800ff0003ull, 0x011000f000010010ull);
    exec(0x4e624420); // sshl v0.8h
    CHECK(v(0).lo == 0xfffcff00c0000008ull);
    CHECK(v(0).hi == 0x0000000080000000ull);

    set_v(1, 0xfffffffb00000005ull, 0x000000017fffffffull);
    set_v(2, 0x000000ff000000ffull, 0x000000e0000000e1ull);
    exec(0x4ea25420); // srshl v0.4s
    CHECK(v(0).lo == 0xfffffffe00000003ull);
    CHECK(v(0).hi == 0x0000000000000001ull);

    fpsr() = 0;
    set_v(1, 0x000010807f01c040ull, 0);
    set_v(2, 0x006408f9ff060101ull, 0);
    exec(0x4e224c20); // sqshl v0.16b
    CHECK(v(0).lo == 0x00007fff3f40807full);
    CHECK(v(0).hi == 0);
    CHECK(qc());

    fpsr() = 0;
    set_v(1, ~0ull, 3);
    set_v(2, 0xff, 0x3f);
    exec(0x6ee25c20); // uqrshl v0.2d
    CHECK(v(0).lo == 0x8000000000000000ull);
    CHECK(v(0).hi == ~0ull);
    CHECK(qc());

    set_v(1, 0x8000000000000000ull, 5);
    set_v(2, 0xc1, 5);
    exec(0x5ee24420); // sshl d0, d1, d2
    CHECK(v(0).lo == ~0ull);
    CHECK(v(0).hi == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "three same: compare, min/max, multiply, pairwise") {
    set_v(1, 0xffffffff00000001ull, 0x8000000000000005ull);
    set_v(2, 0x0000000100000000ull, 0x7fffffff00000005ull);
    exec(0x4ea23420); // cmgt v0.4s
    CHECK(v(0).lo == 0x00000000ffffffffull);
    CHECK(v(0).hi == 0);
    exec(0x6ea23420); // cmhi v0.4s
    CHECK(v(0).lo == ~0ull);
    CHECK(v(0).hi == 0xffffffff00000000ull);

    set_v(0, 0, ~0ull);
    set_v(1, 0x00000000ff017f80ull, 0x1234);
    set_v(2, 0x0000000001ff807full, 0x5678);
    exec(0x0e226420); // smax v0.8b (Q=0 clears the top half)
    CHECK(v(0).lo == 0x0000000001017f7full);
    CHECK(v(0).hi == 0);

    set_v(1, 0x00000064ffff0001ull, 0);
    set_v(2, 0x000000320001ffffull, 0);
    exec(0x6e627420); // uabd v0.8h
    CHECK(v(0).lo == 0x00000032fffefffeull);

    set_v(0, 0x000000140000000aull, 0x000000280000001eull);
    set_v(1, 0x0001000000000002ull, 0x00000003ffffffffull);
    set_v(2, 0x0001000000000003ull, 0x8000000000000002ull);
    exec(0x4ea29420); // mla v0.4s
    CHECK(v(0).lo == 0x0000001400000010ull);
    CHECK(v(0).hi == 0x800000280000001cull);

    set_v(1, 0x80ff03, 0);
    set_v(2, 0x800203, 0);
    exec(0x6e229c20); // pmul v0.16b
    CHECK(v(0).lo == 0x00fe05);

    set_v(1, 0x0000000200000001ull, 0x0000000400000003ull);
    set_v(2, 0x000000140000000aull, 0x000000280000001eull);
    exec(0x4ea2bc20); // addp v0.4s
    CHECK(v(0).lo == 0x0000000700000003ull);
    CHECK(v(0).hi == 0x000000460000001eull);

    set_v(1, 0x080700ff09090305ull, 0);
    set_v(2, 0x0807060504030201ull, 0);
    exec(0x2e22ac20); // uminp v0.8b
    CHECK(v(0).lo == 0x0705030107000903ull);
}

TEST_CASE_FIXTURE(SimdFixture, "three same: bitwise select and logical") {
    set_v(0, 0xff00ff00ff00ff00ull, 0xff00ff00ff00ff00ull);
    set_v(1, 0x1111111111111111ull, 0x1111111111111111ull);
    set_v(2, 0x2222222222222222ull, 0x2222222222222222ull);
    exec(0x6e621c20); // bsl
    CHECK(v(0).lo == 0x1122112211221122ull);

    set_v(0, 0x3333333333333333ull, 0x3333333333333333ull);
    set_v(1, 0xccccccccccccccccull, 0xccccccccccccccccull);
    set_v(2, 0xf0f0f0f0f0f0f0f0ull, 0xf0f0f0f0f0f0f0f0ull);
    exec(0x6ea21c20); // bit
    CHECK(v(0).hi == 0xc3c3c3c3c3c3c3c3ull);
    set_v(0, 0x3333333333333333ull, 0x3333333333333333ull);
    exec(0x6ee21c20); // bif
    CHECK(v(0).lo == 0x3c3c3c3c3c3c3c3cull);

    set_v(1, 0x00000000000000f0ull, 1);
    set_v(2, 0xffffffffffffff0full, 1);
    exec(0x0ee21c20); // orn v0.8b
    CHECK(v(0).lo == 0xf0);
    CHECK(v(0).hi == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "three same: scalar forms") {
    set_v(1, ~0ull, 7);
    set_v(2, 2, 9);
    exec(0x5ee28420); // add d0, d1, d2
    CHECK(v(0).lo == 1);
    CHECK(v(0).hi == 0);

    fpsr() = 0;
    set_v(1, 0x1170, 0);
    set_v(2, 0x2270, 0);
    exec(0x5e220c20); // sqadd b0, b1, b2
    CHECK(v(0).lo == 0x7f);
    CHECK(qc());

    set_v(1, 42, 1);
    set_v(2, 42, 2);
    exec(0x7ee28c20); // cmeq d0, d1, d2
    CHECK(v(0).lo == ~0ull);
    CHECK(v(0).hi == 0);

    CHECK(undefined(0x5ea28420)); // add s0, s1, s2: only D exists
}

TEST_CASE_FIXTURE(SimdFixture, "FPEN traps SIMD at EL0 and EL1") {
    cpu->sys.cpacr_el1 = 0;
    try {
        exec(0x4ea28420);
        FAIL("no trap");
    } catch (const kestrel::GuestException& e) {
        CHECK(e.ec == kestrel::ExcClass::FPAccess);
    }
    cpu->sys.cpacr_el1 = 1u << 20; // traps EL0 only
    exec(0x4ea28420);
    cpu->s.el = 0;
    CHECK_THROWS_AS(exec(0x4ea28420), kestrel::GuestException);
    // UNDEFINED takes priority over the access trap.
    CHECK(undefined(0x5ea28420));
}
