// Advanced SIMD floating point: one or more representative instructions
// of every group with hand-derived results (bit patterns worked out from
// the IEEE formats and the Arm ARM pseudocode): NaN propagation per lane,
// FPSR accumulation across lanes, fused multiply-add, pairwise and
// across-lanes ordering, round-to-odd FCVTXN, fixed-point saturation,
// the unsigned estimates, UNDEFINED forms and the FP access trap.
#include "tests/unit/simd_fixture.hpp"

using namespace kestrel;
using kestrel::test::SimdFixture;

namespace {

constexpr uint32_t kIOC = 1u << 0, kDZC = 1u << 1, kOFC = 1u << 2, kIXC = 1u << 4;

// Single-precision constants.
constexpr uint32_t kOne = 0x3f800000, kTwo = 0x40000000, kThree = 0x40400000;
constexpr uint32_t kFour = 0x40800000;

uint64_t pack2(uint32_t lo, uint32_t hi) {
    return lo | static_cast<uint64_t>(hi) << 32;
}
uint32_t lane_s(const VReg& v, unsigned i) {
    return static_cast<uint32_t>((i < 2 ? v.lo : v.hi) >> (32 * (i & 1)));
}

} // namespace

TEST_CASE_FIXTURE(SimdFixture, "FADD 4S: per-lane NaN rules, flags accumulate across lanes") {
    // lane 0: 1 + 2 = 3; lane 1: signalling NaN + 1 -> quieted NaN, IOC;
    // lane 2: quiet NaN + signalling NaN -> the signalling one (quieted),
    // even as the second operand; lane 3: 1 + 2^-30 -> 1 (inexact).
    set_v(1, pack2(kOne, 0x7f800001), pack2(0x7fc00002, kOne));
    set_v(2, pack2(kTwo, kOne), pack2(0xff800003, 0x30800000));
    fpsr() = kDZC;    // cumulative: earlier flags stay
    exec(0x4e22d420); // fadd v0.4s, v1.4s, v2.4s
    CHECK(lane_s(v(0), 0) == kThree);
    CHECK(lane_s(v(0), 1) == 0x7fc00001);
    CHECK(lane_s(v(0), 2) == 0xffc00003);
    CHECK(lane_s(v(0), 3) == kOne);
    CHECK(fpsr() == (kDZC | kIOC | kIXC));

    // FPCR.DN: every NaN result becomes the default NaN.
    cpu->s.fpcr = 1u << 25;
    exec(0x4e22d420);
    CHECK(lane_s(v(0), 1) == 0x7fc00000);
    CHECK(lane_s(v(0), 2) == 0x7fc00000);
}

TEST_CASE_FIXTURE(SimdFixture, "FADD 2S clears bits 127:64; 1D arrangements are UNDEFINED") {
    set_v(0, 0, 0xdeadbeefdeadbeefull);
    set_v(1, pack2(kOne, kTwo), 0x1234);
    set_v(2, pack2(kTwo, kTwo), 0x5678);
    exec(0x0e22d420); // fadd v0.2s, v1.2s, v2.2s
    CHECK(v(0).lo == pack2(kThree, kFour));
    CHECK(v(0).hi == 0);
    CHECK(undefined(0x0e62d420)); // fadd v0.1d (sz = 1, Q = 0)
    CHECK(undefined(0x0e401400)); // fadd v0.4h: FP16 not advertised
    CHECK(undefined(0x4ee1c820)); // urecpe with 64-bit lanes
    CHECK(undefined(0x4fe21820)); // fmla v0.2d by element with L = 1
    CHECK(undefined(0x6e70c820)); // fmaxnmv with sz = 1
    CHECK(undefined(0x0e30c820)); // fmaxnmv h0, v1.4h (FP16)
    CHECK(undefined(0x4f18fc20)); // fcvtzs with half lanes (immh = 001x)
}

TEST_CASE_FIXTURE(SimdFixture, "FMLA 2D is fused; inf*0 plus quiet NaN is the default NaN") {
    // (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 exactly; rounding the product
    // first would give 0.
    set_v(1, 0x3ff0000000000001ull, 0x7ff0000000000000ull);
    set_v(2, 0x3feffffffffffffeull, 0);
    set_v(0, 0xbff0000000000000ull, 0x7ff8000000000001ull);
    exec(0x4e62cc20); // fmla v0.2d, v1.2d, v2.2d
    CHECK(v(0).lo == 0xb970000000000000ull);
    CHECK(v(0).hi == 0x7ff8000000000000ull);
    CHECK(fpsr() == kIOC);
}

TEST_CASE_FIXTURE(SimdFixture, "FMLS negates the Vn element before the fused multiply-add") {
    // d + (-n) * m: 10 - 2*3 = 4 in every lane.
    const uint32_t ten = 0x41200000;
    set_v(0, pack2(ten, ten), pack2(ten, ten));
    set_v(1, pack2(kTwo, kTwo), pack2(kTwo, kTwo));
    set_v(2, pack2(kThree, kThree), pack2(kThree, kThree));
    exec(0x4ea2cc20); // fmls v0.4s, v1.4s, v2.4s
    CHECK(v(0).lo == pack2(kFour, kFour));
    CHECK(v(0).hi == pack2(kFour, kFour));
}

TEST_CASE_FIXTURE(SimdFixture, "FADDP 4S pairs Vn's lanes first, then Vm's") {
    set_v(1, pack2(kOne, kTwo), pack2(kThree, kFour));
    set_v(2, pack2(0x41200000, 0x41a00000), pack2(0x7fc00005, 0x40a00000)); // 10, 20, qNaN, 5
    exec(0x6e22d420); // faddp v0.4s, v1.4s, v2.4s
    CHECK(lane_s(v(0), 0) == kThree);
    CHECK(lane_s(v(0), 1) == 0x40e00000); // 7
    CHECK(lane_s(v(0), 2) == 0x41f00000); // 30
    CHECK(lane_s(v(0), 3) == 0x7fc00005);
    CHECK(fpsr() == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "FMAXV reduces as a tree, which decides the propagated NaN") {
    // max(max(1, qA), max(sB, 3)) = max(qA, quiet(sB)) = qA. A left-to-right
    // reduction would meet sB against qA and return quiet(sB).
    set_v(1, pack2(kOne, 0x7fc00011), pack2(0x7f800022, kThree));
    exec(0x6e30f820); // fmaxv s0, v1.4s
    CHECK(v(0).lo == 0x7fc00011);
    CHECK(v(0).hi == 0);
    CHECK(fpsr() == kIOC);

    // FMAXNMV: quiet NaNs lose against numbers.
    fpsr() = 0;
    set_v(1, pack2(0x7fc00000, kOne), pack2(kTwo, 0x7fc00000));
    exec(0x6e30c820); // fmaxnmv s0, v1.4s
    CHECK(v(0).lo == kTwo);
    CHECK(fpsr() == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "scalar pairwise FMINP and FADDP") {
    set_v(1, pack2(kThree, 0x80000000), 0xffffffffffffffffull); // 3, -0
    exec(0x7eb0f820);                                           // fminp s0, v1.2s
    CHECK(v(0).lo == 0x80000000);
    set_v(1, 0x3ff0000000000000ull, 0x4000000000000000ull); // 1.0, 2.0
    exec(0x7e70d820);                                       // faddp d0, v1.2d
    CHECK(v(0).lo == 0x4008000000000000ull);
    CHECK(v(0).hi == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "FCVTXN rounds to odd; FCVTN rounds with FPCR") {
    // 1 + 2^-30 is between two singles: truncated to 1.0, inexact, so the
    // lowest fraction bit is forced to 1. 1.5 is exact.
    set_v(1, 0x3ff0000000400000ull, 0x3ff8000000000000ull);
    exec(0x2e616820); // fcvtxn v0.2s, v1.2d
    CHECK(v(0).lo == pack2(0x3f800001, 0x3fc00000));
    CHECK(v(0).hi == 0);
    CHECK(fpsr() == kIXC);
    exec(0x0e616820); // fcvtn v0.2s, v1.2d (to nearest)
    CHECK(v(0).lo == pack2(kOne, 0x3fc00000));

    // FCVTXN2 fills the upper half and keeps the lower one; overflow under
    // round-to-odd gives the largest normal, not infinity.
    fpsr() = 0;
    set_v(0, 0x1111111122222222ull, 0x3333333344444444ull);
    set_v(1, 0x7e37e43c8800759cull, 0xfff0000000000000ull); // 1e300, -inf
    exec(0x6e616820);                                       // fcvtxn2 v0.4s, v1.2d
    CHECK(v(0).lo == 0x1111111122222222ull);
    CHECK(v(0).hi == pack2(0x7f7fffff, 0xff800000));
    CHECK(fpsr() == (kOFC | kIXC));

    // Scalar form: one lane, rest of the register cleared.
    set_v(1, 0xbff0000000400000ull, 0);
    exec(0x7e616820); // fcvtxn s0, d1
    CHECK(v(0).lo == 0xbf800001);
    CHECK(v(0).hi == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "FCVTL widens the low or high half") {
    set_v(1, 0x3c00bc00ull | (0x7c00ull << 32), 0); // half 1.0 (lane 1), -1.0, +inf
    exec(0x0e217820);                               // fcvtl v0.4s, v1.4h
    CHECK(lane_s(v(0), 0) == 0xbf800000);
    CHECK(lane_s(v(0), 1) == kOne);
    CHECK(lane_s(v(0), 2) == 0x7f800000);
    CHECK(lane_s(v(0), 3) == 0);
    set_v(1, 0, pack2(kTwo, 0x7f800001)); // 2.0, signalling NaN
    exec(0x4e617820);                     // fcvtl2 v0.2d, v1.4s
    CHECK(v(0).lo == 0x4000000000000000ull);
    CHECK(v(0).hi == 0x7ff8000020000000ull); // quieted, payload kept on top
    CHECK(fpsr() == kIOC);
}

TEST_CASE_FIXTURE(SimdFixture, "FCVTZS/FCVTZU fixed-point saturate and raise Invalid") {
    // fbits = 8: 1.5 -> 384; 2^30 -> 2^38 saturates; NaN -> 0; -(1 + 2^-8)
    // -> -257 exactly.
    set_v(1, pack2(0x3fc00000, 0x4e800000), pack2(0x7fc00000, 0xbf808000));
    exec(0x4f38fc20); // fcvtzs v0.4s, v1.4s, #8
    CHECK(lane_s(v(0), 0) == 0x180);
    CHECK(lane_s(v(0), 1) == 0x7fffffff);
    CHECK(lane_s(v(0), 2) == 0);
    CHECK(lane_s(v(0), 3) == 0xfffffeff);
    CHECK(fpsr() == kIOC);

    // fbits = 1, unsigned: -0.25 -> -0.5 truncates to 0 (inexact, not
    // saturated); 2^64 saturates to all ones.
    fpsr() = 0;
    set_v(1, 0xbfd0000000000000ull, 0x43f0000000000000ull);
    exec(0x6f7ffc20); // fcvtzu v0.2d, v1.2d, #1
    CHECK(v(0).lo == 0);
    CHECK(v(0).hi == ~0ull);
    CHECK(fpsr() == (kIOC | kIXC));
}

TEST_CASE_FIXTURE(SimdFixture, "SCVTF fixed-point and integer conversions") {
    set_v(1, pack2(0x00010000, 0xffff8000), 0x99); // 1.0 and -0.5 in 16.16
    exec(0x0f30e420);                              // scvtf v0.2s, v1.2s, #16
    CHECK(v(0).lo == pack2(kOne, 0xbf000000));
    CHECK(v(0).hi == 0);
    set_v(1, 0xffffffff, 0);
    exec(0x7e21d820); // ucvtf s0, s1: 2^32 - 1 rounds to 2^32
    CHECK(v(0).lo == 0x4f800000);
    CHECK(fpsr() == kIXC);
    set_v(1, 0xc3e0000000000001ull, 0); // just below -2^63
    exec(0x5ee1b820);                   // fcvtzs d0, d1
    CHECK(v(0).lo == 0x8000000000000000ull);
    CHECK((fpsr() & kIOC) != 0);
}

TEST_CASE_FIXTURE(SimdFixture, "URECPE and URSQRTE use the top nine bits") {
    // URECPE: 0x80000000 is 0.5 -> estimate index 256 -> 511, i.e. 1.996;
    // values below 0.5 saturate to all ones.
    set_v(1, pack2(0x80000000, 0x7fffffff), pack2(0xffffffff, 0));
    exec(0x4ea1c820); // urecpe v0.4s, v1.4s
    CHECK(lane_s(v(0), 0) == 0xff800000);
    CHECK(lane_s(v(0), 1) == 0xffffffff);
    CHECK(lane_s(v(0), 2) == 0x80000000); // index 511 -> 256
    CHECK(lane_s(v(0), 3) == 0xffffffff);
    // URSQRTE: 0x40000000 is 0.25 -> index 128 -> 511; below 0.25 -> ones.
    set_v(1, pack2(0x40000000, 0x3fffffff), 0);
    exec(0x6ea1c820); // ursqrte v0.4s, v1.4s
    CHECK(lane_s(v(0), 0) == 0xff800000);
    CHECK(lane_s(v(0), 1) == 0xffffffff);
    CHECK(fpsr() == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "compares with zero: -0 equals 0, NaNs compare false") {
    set_v(1, pack2(0x80000000, 0x7fc00000), pack2(kOne, 0x7f800001));
    exec(0x4ea0d820); // fcmeq v0.4s, v1.4s, #0.0
    CHECK(v(0).lo == pack2(0xffffffff, 0));
    CHECK(v(0).hi == 0);
    CHECK(fpsr() == kIOC); // only the signalling NaN signals for EQ
    fpsr() = 0;
    set_v(1, pack2(0xbf800000, 0x80000000), pack2(0x7fc00000, kOne));
    exec(0x4ea0e820); // fcmlt v0.4s, v1.4s, #0.0
    CHECK(v(0).lo == pack2(0xffffffff, 0));
    CHECK(v(0).hi == 0);
    CHECK(fpsr() == kIOC); // ordered compares signal on quiet NaNs too
}

TEST_CASE_FIXTURE(SimdFixture, "FABD and FACGT") {
    set_v(1, 0x7fc00000u | 0x80000000u, 0); // -qNaN
    set_v(2, kOne, 0);
    exec(0x7ea2d420); // fabd s0, s1, s2: |NaN| clears the sign
    CHECK(v(0).lo == 0x7fc00000);
    set_v(1, 0xc000000000000000ull, 0x3ff0000000000000ull); // -2, 1
    set_v(2, 0x3ff0000000000000ull, 0xbff0000000000000ull); // 1, -1
    exec(0x6ee2ec20);                                       // facgt v0.2d, v1.2d, v2.2d
    CHECK(v(0).lo == ~0ull);
    CHECK(v(0).hi == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "by element: FMUL, FMLA (double, index 1), scalar FMULX") {
    set_v(1, pack2(kOne, kTwo), pack2(kThree, kFour));
    set_v(2, 0, pack2(0, kTwo)); // lane 3 = 2.0
    exec(0x4fa29820);            // fmul v0.4s, v1.4s, v2.s[3]
    CHECK(v(0).lo == pack2(kTwo, kFour));
    CHECK(v(0).hi == pack2(0x40c00000, 0x41000000)); // 6, 8
    set_v(0, 0x3ff0000000000000ull, 0x3ff0000000000000ull);
    set_v(1, 0x4000000000000000ull, 0x4008000000000000ull); // 2, 3
    set_v(2, 0, 0x4010000000000000ull);                     // d[1] = 4
    exec(0x4fc21820);                                       // fmla v0.2d, v1.2d, v2.d[1]
    CHECK(v(0).lo == 0x4022000000000000ull);                // 1 + 8 = 9
    CHECK(v(0).hi == 0x402a000000000000ull);                // 1 + 12 = 13
    set_v(1, 0xff800000, 0);                                // -inf
    set_v(2, pack2(kOne, 0), 0);
    exec(0x7fa29020); // fmulx s0, s1, v2.s[1]: -inf * 0 = -2
    CHECK(v(0).lo == 0xc0000000);
    CHECK(v(0).hi == 0);
    CHECK(fpsr() == 0);
}

TEST_CASE_FIXTURE(SimdFixture, "FRINTA ties away, FRINTN ties to even, FRINTX raises Inexact") {
    set_v(1, 0x4004000000000000ull, 0xc004000000000000ull); // 2.5, -2.5
    exec(0x6e618820);                                       // frinta v0.2d, v1.2d
    CHECK(v(0).lo == 0x4008000000000000ull);
    CHECK(v(0).hi == 0xc008000000000000ull);
    exec(0x4e618820); // frintn v0.2d, v1.2d
    CHECK(v(0).lo == 0x4000000000000000ull);
    CHECK(v(0).hi == 0xc000000000000000ull);
    CHECK(fpsr() == 0);
    set_v(1, pack2(0x3fc00000, kOne), pack2(kTwo, kThree)); // 1.5 is inexact
    exec(0x6e219820);                                       // frintx v0.4s, v1.4s
    CHECK(lane_s(v(0), 0) == kTwo);
    CHECK(fpsr() == kIXC);
}

TEST_CASE_FIXTURE(SimdFixture, "SIMD FP instructions trap while CPACR_EL1.FPEN disables them") {
    cpu->sys.cpacr_el1 = 0;
    cpu->s.el = 1;
    set_v(0, 0x55, 0x66);
    try {
        exec(0x4e22d420); // fadd v0.4s, v1.4s, v2.4s
        FAIL("no trap");
    } catch (const GuestException& e) {
        CHECK(e.ec == ExcClass::FPAccess);
        CHECK(e.iss == 0x1e00000u); // CV = 1, COND = 0b1110
    }
    CHECK(v(0).lo == 0x55); // nothing written
    CHECK(v(0).hi == 0x66);
    // UNDEFINED wins over the trap: decoding comes first.
    CHECK(undefined(0x0e62d420));
}

TEST_CASE_FIXTURE(SimdFixture, "FPCR keeps AHP, DN, FZ and RMode; trap enables are RAZ/WI") {
    x(0) = ~0ull;
    exec(0xd51b4400); // msr fpcr, x0
    exec(0xd53b4401); // mrs x1, fpcr
    CHECK(x(1) == 0x07c00000u);
    cpu->sys.cpacr_el1 = 0;
    cpu->s.el = 0;
    try {
        exec(0xd53b4401);
        FAIL("no trap");
    } catch (const GuestException& e) {
        CHECK(e.ec == ExcClass::FPAccess);
    }
}

TEST_CASE("every model advertises AdvSIMD without FP16, and the crypto fields with it") {
    for (const char* name : {"cortex-a57", "cortex-a72", "max"}) {
        INFO(name);
        auto m = *find_cpu_model(name);
        CHECK(((m.id_aa64pfr0 >> 16) & 0xf) == 0); // FP, no FP16
        CHECK(((m.id_aa64pfr0 >> 20) & 0xf) == 0); // AdvSIMD, no FP16
        CHECK(m.has(Feature::AdvSIMD));
        CHECK_FALSE(m.has(Feature::FP16));
        CHECK(((m.id_aa64isar0 >> 4) & 0xf) == 2);  // AES + PMULL
        CHECK(((m.id_aa64isar0 >> 8) & 0xf) == 1);  // SHA1
        CHECK(((m.id_aa64isar0 >> 12) & 0xf) == 1); // SHA256
        for (Feature f : {Feature::AES, Feature::PMULL, Feature::SHA1, Feature::SHA256})
            CHECK(m.has(f));
    }
}
