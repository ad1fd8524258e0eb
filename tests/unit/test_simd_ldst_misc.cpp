// Advanced SIMD structure loads/stores, shifts by immediate, by-element
// multiplies, three-different, two-register misc and across-lanes forms.
// Expected values are worked out by hand; words come from the assembler.
#include "simd_fixture.hpp"

using kestrel::VReg;
using kestrel::test::SimdFixture;

namespace {

struct LdstFixture : SimdFixture {
    static constexpr uint64_t A = kRamBase + 0x1000;
    LdstFixture() {
        uint8_t buf[256];
        for (unsigned k = 0; k < 256; k++)
            buf[k] = static_cast<uint8_t>(k);
        bus.write_block(A, buf, sizeof buf);
    }
    uint8_t mem8(uint64_t a) {
        uint8_t b = 0;
        bus.read_block(a, &b, 1);
        return b;
    }
    uint32_t mem32(uint64_t a) {
        uint32_t w = 0;
        bus.read_block(a, &w, 4);
        return w;
    }
};

} // namespace

TEST_CASE_FIXTURE(LdstFixture, "LD1/LD2/LD3 multiple structures and post-index") {
    x(1) = A;
    exec(0x4cdfa020); // ld1 {v0.16b, v1.16b}, [x1], #32
    CHECK(v(0).lo == 0x0706050403020100ull);
    CHECK(v(0).hi == 0x0f0e0d0c0b0a0908ull);
    CHECK(v(1).lo == 0x1716151413121110ull);
    CHECK(x(1) == A + 32);

    x(1) = A;
    exec(0x4c404422);                        // ld3 {v2.8h, v3.8h, v4.8h}, [x1]
    CHECK(v(2).lo == 0x13120d0c07060100ull); // halfwords 0, 3, 6, 9
    CHECK(v(3).lo == 0x15140f0e09080302ull); // halfwords 1, 4, 7, 10
    CHECK(v(4).lo == 0x171611100b0a0504ull); // halfwords 2, 5, 8, 11
    CHECK(x(1) == A);

    set_v(30, 1, 1);
    set_v(31, 1, 1);
    exec(0x0c40803e); // ld2 {v30.8b, v31.8b}, [x1]
    CHECK(v(30).lo == 0x0e0c0a0806040200ull);
    CHECK(v(30).hi == 0);
    CHECK(v(31).lo == 0x0f0d0b0907050301ull);
}

TEST_CASE_FIXTURE(LdstFixture, "ST4 multiple structures with register post-index") {
    for (unsigned r = 5; r <= 8; r++)
        set_v(r, (r << 4) | ((uint64_t{(r << 4) | 1}) << 32),
              (r << 4 | 2) | (uint64_t{(r << 4) | 3} << 32));
    x(1) = A;
    x(2) = 100;
    exec(0x4c820825); // st4 {v5.4s-v8.4s}, [x1], x2
    CHECK(mem32(A) == 0x50);
    CHECK(mem32(A + 4) == 0x60);
    CHECK(mem32(A + 12) == 0x80);
    CHECK(mem32(A + 16) == 0x51);
    CHECK(mem32(A + 60) == 0x83);
    CHECK(x(1) == A + 100);
}

TEST_CASE_FIXTURE(LdstFixture, "single-structure lanes and replicate") {
    x(1) = A;
    set_v(9, 0x1111, 0x2222);
    exec(0x4d409029); // ld1 {v9.s}[3], [x1]
    CHECK(v(9).lo == 0x1111);
    CHECK(v(9).hi == 0x0302010000002222ull);

    set_v(10, 0, 0xab00);
    set_v(11, 0, 0xcd00);
    exec(0x4dbf042a); // st2 {v10.b, v11.b}[9], [x1], #2
    CHECK(mem8(A) == 0xab);
    CHECK(mem8(A + 1) == 0xcd);
    CHECK(x(1) == A + 2);

    x(1) = A + 8;
    exec(0x4d60e42c); // ld4r {v12.8h-v15.8h}, [x1]
    CHECK(v(12).lo == 0x0908090809080908ull);
    CHECK(v(12).hi == 0x0908090809080908ull);
    CHECK(v(15).hi == 0x0f0e0f0e0f0e0f0eull);

    x(1) = A + 16;
    x(2) = 8;
    exec(0x4dc2cc30); // ld1r {v16.2d}, [x1], x2
    CHECK(v(16).lo == 0x1716151413121110ull);
    CHECK(v(16).hi == 0x1716151413121110ull);
    CHECK(x(1) == A + 24);
}

TEST_CASE_FIXTURE(LdstFixture, "a faulting load leaves registers and base untouched") {
    const uint64_t last = kRamBase + kRamSize - 16; // second register falls outside RAM
    x(1) = last;
    set_v(0, 7, 7);
    set_v(1, 9, 9);
    CHECK_THROWS_AS(exec(0x4cdfa020), kestrel::GuestException); // ld1 {v0.16b, v1.16b}, [x1], #32
    CHECK(v(0).lo == 7);
    CHECK(v(1).lo == 9);
    CHECK(x(1) == last);
}

TEST_CASE_FIXTURE(SimdFixture, "shift by immediate") {
    set_v(1, 0x0000000580000000ull, 0x7fffffffffffffffull);
    exec(0x4f200420); // sshr v0.4s, v1.4s, #32
    CHECK(v(0).lo == 0x00000000ffffffffull);
    CHECK(v(0).hi == 0x00000000ffffffffull);

    set_v(0, 0x0001000100010001ull, 0x0001000100010001ull);
    set_v(1, 0x000c00030004ffffull, 0);
    exec(0x6f1d3420); // ursra v0.8h, v1.8h, #3
    CHECK(v(0).lo == 0x0003000100022001ull);
    CHECK(v(0).hi == 0x0001000100010001ull);

    set_v(0, 0xababababababababull, 0xababababababababull);
    set_v(1, 0xcdcdcdcdcdcdcdcdull, 0xcdcdcdcdcdcdcdcdull);
    exec(0x6f0c4420); // sri v0.16b, v1.16b, #4
    CHECK(v(0).lo == 0xacacacacacacacacull);

    set_v(0, 0x0123456789abcdefull, 5);
    set_v(1, 5, 5);
    exec(0x7f7c5420); // sli d0, d1, #60
    CHECK(v(0).lo == 0x5123456789abcdefull);
    CHECK(v(0).hi == 0);

    fpsr() = 0;
    set_v(1, 0x000000000140ff20ull, 0);
    exec(0x2f0a6420); // sqshlu v0.8b, v1.8b, #2
    CHECK(v(0).lo == 0x0000000004ff0080ull);
    CHECK(qc());

    fpsr() = 0;
    set_v(1, 1, 0);
    exec(0x7f3f7420); // uqshl s0, s1, #31
    CHECK(v(0).lo == 0x80000000ull);
    CHECK_FALSE(qc());
    set_v(1, 2, 0);
    exec(0x7f3f7420);
    CHECK(v(0).lo == 0xffffffffull);
    CHECK(qc());

    set_v(1, 0x1234fff800180128ull, 0);
    exec(0x0f0c8c20); // rshrn v0.8b, v1.8h, #4
    CHECK(v(0).lo == 0x23000213ull);

    fpsr() = 0;
    set_v(0, 0x1122334455667788ull, 0);
    set_v(1, 0x000301ff80000100ull, 0);
    exec(0x6f0f8c20); // sqrshrun2 v0.16b, v1.8h, #1
    CHECK(v(0).lo == 0x1122334455667788ull);
    CHECK(v(0).hi == 0x02ff0080ull);
    CHECK(qc());

    fpsr() = 0;
    set_v(1, 0x12345678, 0);
    exec(0x7f189420); // uqshrn h0, s1, #8
    CHECK(v(0).lo == 0xffff);
    CHECK(qc());

    set_v(1, 0, 0x0000000180000000ull);
    exec(0x4f23a420); // sshll2 v0.2d, v1.4s, #3
    CHECK(v(0).lo == 0xfffffffc00000000ull);
    CHECK(v(0).hi == 8);
}

TEST_CASE_FIXTURE(SimdFixture, "multiply by element") {
    set_v(2, 0, 0x0003000000000000ull);
    set_v(1, 0x0000800000020001ull, 0);
    exec(0x4f728820); // mul v0.8h, v1.8h, v2.h[7]
    CHECK(v(0).lo == 0x0000800000060003ull);

    fpsr() = 0;
    set_v(0, 5, 0);
    set_v(1, 0, 0x0000000280000000ull);
    set_v(18, 0, 0x8000000000000000ull);
    exec(0x4fb23820); // sqdmlal2 v0.2d, v1.4s, v18.s[3]
    CHECK(v(0).lo == 0x7fffffffffffffffull);
    CHECK(v(0).hi == 0xfffffffe00000000ull);
    CHECK(qc());

    set_v(1, 0x40000000, 7);
    set_v(2, 0x4000000000000000ull, 0);
    exec(0x5fa2d020); // sqrdmulh s0, s1, v2.s[1]
    CHECK(v(0).lo == 0x20000000);
    CHECK(v(0).hi == 0);

    set_v(15, 0x0000ffff00000000ull, 0);
    set_v(1, 0x000100000002ffffull, 0);
    exec(0x2f6fa020); // umull v0.4s, v1.4h, v15.h[2]
    CHECK(v(0).lo == 0x0001fffefffe0001ull);
    CHECK(v(0).hi == 0x0000ffff00000000ull);
}

TEST_CASE_FIXTURE(SimdFixture, "three different") {
    set_v(1, 0x0001ffff7fff8000ull, 0);
    set_v(2, 0x0002ffff00018000ull, 0);
    exec(0x0e620020); // saddl v0.4s, v1.4h, v2.4h
    CHECK(v(0).lo == 0x00008000ffff0000ull);
    CHECK(v(0).hi == 0x00000003fffffffeull);

    set_v(1, 0x000000ffff001280ull, 0);
    set_v(2, 0x0000000101000000ull, 0);
    exec(0x2e224020); // raddhn v0.8b, v1.8h, v2.8h
    CHECK(v(0).lo == 0x010013ull);

    fpsr() = 0;
    set_v(1, 0x8000, 0);
    set_v(2, 0x8000, 0);
    exec(0x5e62d020); // sqdmull s0, h1, h2
    CHECK(v(0).lo == 0x7fffffff);
    CHECK(qc());

    set_v(1, 0x80ff, 0);
    set_v(2, 0x02ff, 0);
    exec(0x0e22e020); // pmull v0.8h, v1.8b, v2.8b
    CHECK(v(0).lo == 0x0000000001005555ull);
}

TEST_CASE_FIXTURE(SimdFixture, "two-register misc and across lanes") {
    set_v(1, 0x0003000200010000ull, 0x0007000600050004ull);
    exec(0x4e600820); // rev64 v0.8h
    CHECK(v(0).lo == 0x0000000100020003ull);
    CHECK(v(0).hi == 0x0004000500060007ull);

    set_v(0, 0x0000000100000001ull, 0x0000000100000001ull);
    set_v(1, ~0ull, ~0ull);
    exec(0x6e606820); // uadalp v0.4s, v1.8h
    CHECK(v(0).lo == 0x0001ffff0001ffffull);

    set_v(1, 0x0000003f8001ff00ull, 0);
    exec(0x0e204820); // cls v0.8b
    CHECK(v(0).lo == 0x0707070100060707ull);

    set_v(1, 0x0f0fffull, 0x8000000000000000ull);
    exec(0x4e205820); // cnt v0.16b
    CHECK(v(0).lo == 0x040408ull);
    CHECK(v(0).hi == 0x0100000000000000ull);

    fpsr() = 0;
    set_v(1, 0xfffb00050000ffffull, 0x8000);
    exec(0x4e607820); // sqabs v0.8h
    CHECK(v(0).lo == 0x0005000500000001ull);
    CHECK(v(0).hi == 0x7fff);
    CHECK(qc());

    fpsr() = 0;
    set_v(1, 0x8000000000000000ull, 0);
    exec(0x7ee07820); // sqneg d0, d1
    CHECK(v(0).lo == 0x7fffffffffffffffull);
    CHECK(qc());

    set_v(1, 0x0000000100000000ull, 0x80000000ffffffffull);
    exec(0x6ea09820); // cmle v0.4s, v1.4s, #0
    CHECK(v(0).lo == 0x00000000ffffffffull);
    CHECK(v(0).hi == ~0ull);

    set_v(0, 0x1122334455667788ull, 9);
    set_v(1, 0x0403020100ff00eeull, 0xa5b4c3d2e1f00112ull);
    exec(0x4e212820); // xtn2 v0.16b, v1.8h
    CHECK(v(0).lo == 0x1122334455667788ull);
    CHECK(v(0).hi == 0xb4d2f0120301ffeeull);

    fpsr() = 0;
    set_v(1, 0xffff800000012345ull, 0x00000005fffe0000ull);
    exec(0x0e614820); // sqxtn v0.4h, v1.4s
    CHECK(v(0).lo == 0x0005800080007fffull);
    CHECK(qc());

    fpsr() = 0;
    set_v(0, 0x55, 0);
    set_v(1, ~0ull, 0x100000000ull);
    exec(0x6ea12820); // sqxtun2 v0.4s, v1.2d
    CHECK(v(0).lo == 0x55);
    CHECK(v(0).hi == 0xffffffff00000000ull);
    CHECK(qc());

    set_v(1, 0x1234, 0);
    exec(0x2e613820); // shll v0.4s, v1.4h, #16
    CHECK(v(0).lo == 0x12340000ull);

    fpsr() = 0;
    set_v(0, 0x807f, 0);
    set_v(1, 0xff01, 0);
    exec(0x4e203820); // suqadd v0.16b, v1.16b
    CHECK(v(0).lo == 0x7f7f);
    CHECK(qc());

    set_v(1, 0x0004000300020001ull, 0x0008000700060005ull);
    exec(0x4e71b820); // addv h0, v1.8h
    CHECK(v(0).lo == 36);
    CHECK(v(0).hi == 0);

    set_v(1, ~0ull, ~0ull);
    exec(0x4eb03820); // saddlv d0, v1.4s
    CHECK(v(0).lo == 0xfffffffffffffffcull);

    set_v(1, 0x0000000700000005ull, 0x00000000fffffffdull);
    exec(0x4eb1a820); // sminv s0, v1.4s
    CHECK(v(0).lo == 0xfffffffdull);

    set_v(1, 0x10, 0x20);
    exec(0x5ef1b820); // addp d0, v1.2d
    CHECK(v(0).lo == 0x30);
}
