// Scalar FP instruction handlers: access trapping (CPACR_EL1.FPEN), V
// register write rules, FMOV forms, FPSR accumulation and feature gating.
#include "cpu/cpu.hpp"
#include "cpu/decoder.hpp"
#include "hw/bus.hpp"

#include <doctest/doctest.h>
#include <optional>

using namespace kestrel;

namespace {

struct Core {
    Bus bus;
    Cpu cpu{0, *find_cpu_model("cortex-a57"), bus};
    Core() { cpu.sys.cpacr_el1 = 3u << 20; }

    // Executes one instruction; returns the exception class it raised, or
    // nothing when it completed.
    std::optional<ExcClass> exec(uint32_t insn) {
        const InsnDesc* d = a64_decode(insn, cpu.model.features);
        if (!d) return ExcClass::Unknown;
        try {
            d->fn(cpu, insn);
        } catch (const GuestException& e) {
            return e.ec;
        }
        return std::nullopt;
    }
};

constexpr uint32_t kFaddS0S1S2 = 0x1e222820;      // FADD S0, S1, S2
constexpr uint32_t kFaddH0H1H2 = 0x1ee22820;      // FADD H0, H1, H2 (FP16)
constexpr uint32_t kFcvtH0S1 = 0x1e23c020;        // FCVT H0, S1
constexpr uint32_t kFmovX0D1hi = 0x9eae0020;      // FMOV X0, V1.D[1]
constexpr uint32_t kFmovD0hiX1 = 0x9eaf0020;      // FMOV V0.D[1], X1
constexpr uint32_t kFmovD0X1 = 0x9e670020;        // FMOV D0, X1
constexpr uint32_t kFsqrtD0D1 = 0x1e61c020;       // FSQRT D0, D1
constexpr uint32_t kFrecpeS0S1 = 0x5ea1d820;      // FRECPE S0, S1 (AdvSIMD scalar)
constexpr uint32_t kFcmpS1S2 = 0x1e222020;        // FCMP S1, S2
constexpr uint32_t kFcvtzsW0S1_fix8 = 0x1e18e020; // FCVTZS W0, S1, #8

} // namespace

TEST_CASE("FP instructions are advertised and decode on cortex-a57") {
    Core c;
    CHECK(c.cpu.model.has(Feature::FP));
    CHECK_FALSE(c.cpu.model.has(Feature::FP16));
    CHECK(((c.cpu.model.id_aa64pfr0 >> 16) & 0xf) == 0);
    CHECK(((c.cpu.model.id_aa64pfr0 >> 20) & 0xf) == 0); // AdvSIMD, no FP16
}

TEST_CASE("CPACR_EL1.FPEN traps FP instructions with EC 0x07") {
    Core c;
    c.cpu.s.v[1].lo = 0x3f800000;
    c.cpu.s.v[2].lo = 0x40000000;
    for (unsigned fpen : {0u, 2u}) {
        c.cpu.sys.cpacr_el1 = fpen << 20;
        c.cpu.s.el = 1;
        CHECK(c.exec(kFaddS0S1S2) == ExcClass::FPAccess);
        c.cpu.s.el = 0;
        CHECK(c.exec(kFaddS0S1S2) == ExcClass::FPAccess);
    }
    c.cpu.sys.cpacr_el1 = 1u << 20; // EL0 trapped only
    c.cpu.s.el = 0;
    CHECK(c.exec(kFaddS0S1S2) == ExcClass::FPAccess);
    c.cpu.s.el = 1;
    CHECK(c.exec(kFaddS0S1S2) == std::nullopt);
    CHECK(c.cpu.s.v[0].lo == 0x40400000u);
    c.cpu.sys.cpacr_el1 = 3u << 20;
    c.cpu.s.el = 0;
    CHECK(c.exec(kFaddS0S1S2) == std::nullopt);
    // An unallocated encoding is UNDEFINED even when FP is trapped.
    c.cpu.sys.cpacr_el1 = 0;
    CHECK(c.exec(kFaddH0H1H2) == ExcClass::Unknown);
}

TEST_CASE("scalar results zero the upper bits of the V register") {
    Core c;
    c.cpu.s.v[0] = VReg{~0ull, ~0ull};
    c.cpu.s.v[1].lo = 0x3f800000;
    c.cpu.s.v[2].lo = 0x3f800000;
    REQUIRE(c.exec(kFaddS0S1S2) == std::nullopt);
    CHECK(c.cpu.s.v[0].lo == 0x40000000u);
    CHECK(c.cpu.s.v[0].hi == 0u);
    c.cpu.s.v[0] = VReg{~0ull, ~0ull};
    REQUIRE(c.exec(kFcvtH0S1) == std::nullopt); // 1.0 -> half
    CHECK(c.cpu.s.v[0].lo == 0x3c00u);
    CHECK(c.cpu.s.v[0].hi == 0u);
}

TEST_CASE("FMOV general forms, including the top half of V") {
    Core c;
    c.cpu.s.v[1] = VReg{0x1111, 0x2222};
    REQUIRE(c.exec(kFmovX0D1hi) == std::nullopt);
    CHECK(c.cpu.s.x[0] == 0x2222u);
    c.cpu.s.v[0] = VReg{0x3333, 0x4444};
    c.cpu.s.x[1] = 0x5555;
    REQUIRE(c.exec(kFmovD0hiX1) == std::nullopt);
    CHECK(c.cpu.s.v[0].lo == 0x3333u); // the low half is kept
    CHECK(c.cpu.s.v[0].hi == 0x5555u);
    REQUIRE(c.exec(kFmovD0X1) == std::nullopt);
    CHECK(c.cpu.s.v[0].lo == 0x5555u);
    CHECK(c.cpu.s.v[0].hi == 0u);
}

TEST_CASE("FPSR flags accumulate; FCMP sets NZCV") {
    Core c;
    c.cpu.s.fpsr = 1u << 7;                  // IDC already set stays set
    c.cpu.s.v[1].lo = 0x4000000000000000ull; // 2.0
    REQUIRE(c.exec(kFsqrtD0D1) == std::nullopt);
    CHECK(c.cpu.s.v[0].lo == 0x3ff6a09e667f3bcdull); // sqrt(2), correctly rounded
    CHECK(c.cpu.s.fpsr == ((1u << 7) | (1u << 4)));
    c.cpu.s.v[1].lo = 0x3f800000;
    c.cpu.s.v[2].lo = 0x40000000;
    REQUIRE(c.exec(kFcmpS1S2) == std::nullopt);
    CHECK(c.cpu.s.nzcv == kFlagN); // 1 < 2
    // FCVTZS W0, S1, #8: 1.0 * 256.
    c.cpu.s.x[0] = ~0ull;
    REQUIRE(c.exec(kFcvtzsW0S1_fix8) == std::nullopt);
    CHECK(c.cpu.s.x[0] == 256u);
}

TEST_CASE("half arithmetic needs FP16; AdvSIMD scalar forms need AdvSIMD") {
    Core c;
    CHECK(c.exec(kFaddH0H1H2) == ExcClass::Unknown);
    CHECK(c.exec(kFrecpeS0S1) == std::nullopt); // AdvSIMD is advertised
    CHECK(c.exec(kFcvtH0S1) == std::nullopt);   // conversions to half are base
    CHECK(a64_decode(kFrecpeS0S1, c.cpu.model.features & ~feature_bit(Feature::AdvSIMD)) ==
          nullptr);
}
