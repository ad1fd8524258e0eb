// GIC register model: reset values, access widths, read-only and
// write-ignored bits, ID registers per version, and reset == fresh.
#include "intc/gicv3/gic_reset.hpp"
#include "tests/unit/gic_test_rig.hpp"

using namespace kestrel;
using namespace kestrel::test;
namespace g = kestrel::gic;

namespace {
uint64_t field(uint64_t v, unsigned lsb, unsigned width) {
    return (v >> lsb) & ((1ull << width) - 1);
}
} // namespace

TEST_CASE("GICD ID registers and reset values, GICv3") {
    GicRig t(GicVersion::V3, 2);
    CHECK(t.d(g::d::CTLR) == 0x50); // ARE (bit 4) and DS (bit 6) RAO
    const uint64_t typer = t.d(g::d::TYPER);
    CHECK(field(typer, 0, 5) == 7);   // ITLinesNumber: 256 INTIDs
    CHECK(field(typer, 5, 3) == 1);   // CPUNumber: 2 cores
    CHECK(field(typer, 10, 1) == 0);  // SecurityExtn: single Security state
    CHECK(field(typer, 16, 1) == 1);  // MBIS
    CHECK(field(typer, 17, 1) == 1);  // LPIS
    CHECK(field(typer, 19, 5) == 15); // IDbits: 16 bits
    CHECK(field(typer, 25, 1) == 0);  // No1N = 0: 1-of-N supported
    CHECK(t.d(g::d::TYPER2) == 0);
    CHECK(field(t.d(g::d::PIDR2), 4, 4) == 3);
    CHECK(t.d(0xfff0) == 0x0d);
    CHECK(t.d(0xfffc) == 0xb1);
    CHECK(t.d(g::d::STATUSR) == 0);
    CHECK(t.d(g::d::IGROUPR + 4) == 0);
    CHECK(t.d(g::d::ISENABLER + 4) == 0);
    CHECK(t.gic->guest_errors() == 0); // TYPER2 on GICv3 is not a guest error
}

TEST_CASE("GICD ID registers, GICv4.1") {
    GicRig t(GicVersion::V4_1, 1);
    const uint64_t t2 = t.d(g::d::TYPER2);
    CHECK(field(t2, 8, 1) == 1);  // nASSGIcap
    CHECK(field(t2, 7, 1) == 1);  // VIL
    CHECK(field(t2, 0, 5) == 15); // VID: 16-bit vPEIDs
    CHECK(field(t2, 9, 23) == 0);
    CHECK(field(t.d(g::d::PIDR2), 4, 4) == 4);
    t.dw(g::d::TYPER2, 0); // read-only
    CHECK(t.d(g::d::TYPER2) == t2);
}

TEST_CASE("ITLinesNumber follows the configured number of INTIDs") {
    GicRig t(GicVersion::V3, 1, 96);
    CHECK(field(t.d(g::d::TYPER), 0, 5) == 2);
    // INTIDs beyond the implemented range are RAZ/WI, not errors.
    t.dw(g::d::ISENABLER + 4 * 3, 0xffffffff);
    CHECK(t.d(g::d::ISENABLER + 4 * 3) == 0);
    CHECK(t.gic->guest_errors() == 0);
}

TEST_CASE("bad configurations are rejected") {
    GicConfig c;
    c.num_irqs = 100;
    CHECK_THROWS_AS(GicV3{c}, GicConfigError);
    c.num_irqs = 2048;
    CHECK_THROWS_AS(GicV3{c}, GicConfigError);
    c.num_irqs = 256;
    c.cpu_mpidr = {0x80000000, 0x80000000};
    CHECK_THROWS_AS(GicV3{c}, GicConfigError);
}

TEST_CASE("GICD_CTLR writable bits and nASSGIreq rules") {
    SUBCASE("GICv3: nASSGIreq is RAZ/WI") {
        GicRig t(GicVersion::V3);
        t.dw(g::d::CTLR, 0xffffffff);
        // EnableGrp0/1 set; ARE, DS stay 1; E1NWF RAZ; RWP reads 0.
        CHECK(t.d(g::d::CTLR) == 0x53);
        t.dw(g::d::CTLR, 0);
        t.dw(g::d::CTLR, g::kCtlrNassgiReq);
        CHECK(t.d(g::d::CTLR) == 0x50);
    }
    SUBCASE("GICv4.1: nASSGIreq writable only while both groups are disabled") {
        GicRig t(GicVersion::V4_1);
        t.dw(g::d::CTLR, g::kCtlrNassgiReq);
        CHECK(t.d(g::d::CTLR) == (0x50 | g::kCtlrNassgiReq));
        t.dw(g::d::CTLR, g::kCtlrEnableGrp1 | g::kCtlrNassgiReq);
        CHECK(t.d(g::d::CTLR) == (0x52 | g::kCtlrNassgiReq));
        t.dw(g::d::CTLR, g::kCtlrEnableGrp1); // group 1 enabled: bit keeps its value
        CHECK(t.d(g::d::CTLR) == (0x52 | g::kCtlrNassgiReq));
        t.dw(g::d::CTLR, g::kCtlrEnableGrp0); // group 0 enabled instead: still locked
        CHECK(t.d(g::d::CTLR) == (0x51 | g::kCtlrNassgiReq));
        t.dw(g::d::CTLR, 0); // disables the groups; the bit is still locked by this write
        CHECK(t.d(g::d::CTLR) == (0x50 | g::kCtlrNassgiReq));
        t.dw(g::d::CTLR, 0);
        CHECK(t.d(g::d::CTLR) == 0x50);
    }
}

TEST_CASE("GICD access widths and reserved offsets") {
    GicRig t;
    const uint64_t e0 = t.gic->guest_errors();
    CHECK(t.d(0x0020) == 0); // reserved
    CHECK(t.gic->guest_errors() == e0 + 1);
    CHECK(t.d(g::d::CTLR, 8) == 0); // 64-bit access to a 32-bit register
    CHECK(t.d(g::d::CTLR, 2) == 0);
    CHECK(t.gic->guest_errors() == e0 + 3);
    // IPRIORITYR: byte and word access, 5 implemented bits.
    t.dw(g::d::IPRIORITYR + 41, 0xff, 1);
    CHECK(t.d(g::d::IPRIORITYR + 40) == 0x0000f800);
    t.dw(g::d::IPRIORITYR + 44, 0x01234567);
    CHECK(t.d(g::d::IPRIORITYR + 44) == 0x00204060);
    CHECK(t.d(g::d::IPRIORITYR + 46, 1) == 0x20);
    // INTIDs 0..31 belong to the redistributor: RAZ/WI here.
    t.dw(g::d::IPRIORITYR + 4, 0xffffffff);
    CHECK(t.d(g::d::IPRIORITYR + 4) == 0);
    t.dw(g::d::ISENABLER, 0xffffffff);
    CHECK(t.d(g::d::ISENABLER) == 0);
    // ICFGR: bit 2n RES0, INTIDs 0..31 RAZ/WI.
    t.dw(g::d::ICFGR + 8, 0xffffffff);
    CHECK(t.d(g::d::ICFGR + 8) == 0xaaaaaaaa);
    t.dw(g::d::ICFGR + 4, 0xffffffff);
    CHECK(t.d(g::d::ICFGR + 4) == 0);
    // DS = 1: IGRPMODR and NSACR are RAZ/WI; ARE = 1: ITARGETSR too.
    t.dw(g::d::IGRPMODR + 4, 0xffffffff);
    CHECK(t.d(g::d::IGRPMODR + 4) == 0);
    t.dw(g::d::NSACR + 8, 0xffffffff);
    CHECK(t.d(g::d::NSACR + 8) == 0);
    t.dw(g::d::ITARGETSR + 40, 0xffffffff);
    CHECK(t.d(g::d::ITARGETSR + 40) == 0);
    // Read-only registers ignore writes.
    const uint64_t typer = t.d(g::d::TYPER);
    t.dw(g::d::TYPER, 0);
    CHECK(t.d(g::d::TYPER) == typer);
}

TEST_CASE("GICD set/clear register pairs") {
    GicRig t;
    t.dw(g::d::ISENABLER + 4, 0x0000ff00);
    t.dw(g::d::ISENABLER + 4, 0x00000003);
    CHECK(t.d(g::d::ISENABLER + 4) == 0xff03);
    CHECK(t.d(g::d::ICENABLER + 4) == 0xff03);
    t.dw(g::d::ICENABLER + 4, 0x00000f01);
    CHECK(t.d(g::d::ISENABLER + 4) == 0xf002);
    t.dw(g::d::ISACTIVER + 4, 0x10);
    CHECK(t.d(g::d::ICACTIVER + 4) == 0x10);
    t.dw(g::d::ICACTIVER + 4, 0x10);
    CHECK(t.d(g::d::ISACTIVER + 4) == 0);
    t.dw(g::d::ISPENDR + 4, 0x20);
    CHECK(t.d(g::d::ICPENDR + 4) == 0x20);
    t.dw(g::d::ICPENDR + 4, 0x20);
    CHECK(t.d(g::d::ISPENDR + 4) == 0);
    t.dw(g::d::IGROUPR + 4, 0xa5a5a5a5);
    CHECK(t.d(g::d::IGROUPR + 4) == 0xa5a5a5a5);
}

TEST_CASE("GICD_IROUTER: 64-bit and 32-bit accesses, RES0 bits") {
    GicRig t;
    t.dw(g::d::IROUTER + 8 * 40, ~0ull, 8);
    CHECK(t.d(g::d::IROUTER + 8 * 40, 8) == 0x000000ff80ffffffull);
    t.dw(g::d::IROUTER + 8 * 40, 0, 4);
    CHECK(t.d(g::d::IROUTER + 8 * 40, 8) == 0x000000ff00000000ull);
    CHECK(t.d(g::d::IROUTER + 8 * 40 + 4, 4) == 0xff);
    const uint64_t e0 = t.gic->guest_errors();
    CHECK(t.d(g::d::IROUTER + 8 * 5, 8) == 0); // INTID < 32: reserved
    CHECK(t.gic->guest_errors() == e0 + 1);
}

TEST_CASE("SETSPI_NSR / CLRSPI_NSR") {
    GicRig t;
    // Level-sensitive (reset configuration): asserted until CLRSPI.
    t.dw(g::d::SETSPI_NSR, 40);
    CHECK(t.d(g::d::ISPENDR + 4) == (1u << 8));
    t.dw(g::d::CLRSPI_NSR, 40);
    CHECK(t.d(g::d::ISPENDR + 4) == 0);
    // Edge-triggered: SETSPI latches, CLRSPI has no effect.
    t.dw(g::d::ICFGR + 4 * (41 / 16), 2u << (2 * (41 % 16)));
    t.dw(g::d::SETSPI_NSR, 41);
    t.dw(g::d::CLRSPI_NSR, 41);
    CHECK(t.d(g::d::ISPENDR + 4) == (1u << 9));
}

TEST_CASE("GICR RD_base registers, GICv3") {
    GicRig t(GicVersion::V3, 2);
    const uint64_t t0 = t.r(0, g::r::TYPER, 8), t1 = t.r(1, g::r::TYPER, 8);
    CHECK(field(t0, 0, 1) == 1); // PLPIS
    CHECK(field(t0, 1, 1) == 0); // VLPIS
    CHECK(field(t0, 3, 1) == 0); // DirectLPI
    CHECK(field(t0, 4, 1) == 0); // Last
    CHECK(field(t1, 4, 1) == 1);
    CHECK(field(t0, 8, 16) == 0); // Processor_Number
    CHECK(field(t1, 8, 16) == 1);
    CHECK(field(t1, 32, 32) == 1); // Affinity: Aff0 = 1
    CHECK(field(t0, 7, 1) == 0);   // RVPEID
    CHECK(field(t0, 26, 1) == 0);  // VSGI
    CHECK(t.r(1, g::r::TYPER, 4) == (t1 & 0xffffffff));
    CHECK(t.r(1, g::r::TYPER + 4, 4) == (t1 >> 32));
    CHECK(t.r(0, g::r::CTLR) == g::kRCtlrCes);
    CHECK(t.r(0, g::r::WAKER) == 6); // ProcessorSleep, ChildrenAsleep
    CHECK(field(t.r(0, 0xffe8), 4, 4) == 3);
    // GICv3 without DirectLPI: SETLPIR, INVLPIR, SYNCR are reserved.
    const uint64_t e0 = t.gic->guest_errors();
    t.rw(0, g::r::SETLPIR, 8192, 8);
    CHECK(t.r(0, g::r::SYNCR) == 0);
    CHECK(t.gic->guest_errors() == e0 + 2);
    // v3 has two frames per redistributor: the third 64 KiB of the region
    // is the next core's RD_base.
    CHECK(t.rd(kRedist + 0x20000 + g::r::TYPER, 8) == t1);
}

TEST_CASE("GICR RD_base registers, GICv4.1") {
    GicRig t(GicVersion::V4_1, 2);
    const uint64_t t0 = t.r(0, g::r::TYPER, 8);
    CHECK(field(t0, 1, 1) == 1);  // VLPIS: four frames per redistributor
    CHECK(field(t0, 3, 1) == 1);  // DirectLPI
    CHECK(field(t0, 7, 1) == 0);  // RVPEID
    CHECK(field(t0, 26, 1) == 0); // VSGI
    CHECK(t.r(0, g::r::CTLR) == (g::kRCtlrCes | g::kRCtlrIr));
    CHECK(t.r(0, g::r::SYNCR) == 0);
    CHECK(field(t.r(0, 0xffe8), 4, 4) == 4);
    // Four frames per redistributor.
    CHECK(field(t.rd(kRedist + 0x40000 + g::r::TYPER, 8), 8, 16) == 1);
    CHECK(t.gic->guest_errors() == 0);
}

TEST_CASE("GICR_WAKER handshake") {
    GicRig t;
    t.rw(0, g::r::WAKER, 0);
    CHECK(t.r(0, g::r::WAKER) == 0);                   // ChildrenAsleep follows at once
    t.rw(0, g::r::WAKER, g::kWakerChildrenAsleep | 1); // RO / RAZ-WI bits
    CHECK(t.r(0, g::r::WAKER) == 0);
    t.rw(0, g::r::WAKER, g::kWakerProcessorSleep);
    CHECK(t.r(0, g::r::WAKER) == 6);
}

TEST_CASE("GICR_PROPBASER/PENDBASER lock while LPIs are enabled") {
    GicRig t;
    t.rw(0, g::r::PROPBASER, ~0ull, 8);
    CHECK(t.r(0, g::r::PROPBASER, 8) == g::kPropbaserMask);
    t.rw(0, g::r::PENDBASER, ~0ull, 8);
    CHECK(t.r(0, g::r::PENDBASER, 8) == g::kPendbaserMask); // PTZ reads 0
    t.rw(0, g::r::PROPBASER, kRam | 15, 8);
    t.rw(0, g::r::PENDBASER, kRam + 0x10000, 8);
    t.rw(0, g::r::CTLR, g::kRCtlrEnableLpis);
    CHECK(t.r(0, g::r::CTLR) == (g::kRCtlrCes | g::kRCtlrEnableLpis));
    t.rw(0, g::r::PROPBASER, 0, 8);
    t.rw(0, g::r::PENDBASER + 4, 0, 4);
    CHECK(t.r(0, g::r::PROPBASER, 8) == (kRam | 15));
    CHECK(t.r(0, g::r::PENDBASER, 8) == kRam + 0x10000);
    t.rw(0, g::r::CTLR, 0); // CES = 1: LPIs can be disabled again
    t.rw(0, g::r::PROPBASER, 0, 8);
    CHECK(t.r(0, g::r::PROPBASER, 8) == 0);
}

TEST_CASE("GICR SGI_base registers") {
    GicRig t;
    CHECK(t.sgi(0, g::d::ICFGR) == 0xaaaaaaaa);
    t.sgiw(0, g::d::ICFGR, 0);
    CHECK(t.sgi(0, g::d::ICFGR) == 0xaaaaaaaa); // SGIs: always edge
    CHECK(t.sgi(0, g::d::ICFGR + 4) == 0);      // PPIs reset level-sensitive
    t.sgiw(0, g::d::ICFGR + 4, 0xffffffff);
    CHECK(t.sgi(0, g::d::ICFGR + 4) == 0xaaaaaaaa);
    t.sgiw(0, g::d::IPRIORITYR + 29, 0x9f, 1);
    CHECK(t.sgi(0, g::d::IPRIORITYR + 28) == 0x9800);
    t.sgiw(0, g::d::IGROUPR, 0xffffffff);
    CHECK(t.sgi(0, g::d::IGROUPR) == 0xffffffff);
    t.sgiw(0, g::d::ISENABLER, 0x40000001);
    t.sgiw(0, g::d::ICENABLER, 1);
    CHECK(t.sgi(0, g::d::ISENABLER) == 0x40000000);
    t.sgiw(0, g::d::IGRPMODR, 0xffffffff);
    CHECK(t.sgi(0, g::d::IGRPMODR) == 0);
    t.sgiw(0, g::d::NSACR, 0xffffffff);
    CHECK(t.sgi(0, g::d::NSACR) == 0);
    CHECK(t.gic->guest_errors() == 0);
}

TEST_CASE("GICR VLPI_base frame, GICv4.1 (registers hold values; delivery inert)") {
    GicRig t(GicVersion::V4_1);
    const uint64_t vlpi = 0x20000;
    CHECK(t.r(0, vlpi + g::r::VPROPBASER, 8) == 0);
    t.rw(0, vlpi + g::r::VPROPBASER, ~0ull, 8);
    const uint64_t vp = t.r(0, vlpi + g::r::VPROPBASER, 8);
    CHECK(field(vp, 63, 1) == 1); // Valid
    CHECK(field(vp, 59, 3) == 0); // Entry_Size: read-only
    CHECK(field(vp, 52, 1) == 0); // Z: write-only
    CHECK(field(vp, 53, 2) == 3); // Page_Size
    CHECK(field(vp, 0, 7) == 0x7f);
    t.rw(0, vlpi + g::r::VPENDBASER, ~0ull, 8);
    const uint64_t vpend = t.r(0, vlpi + g::r::VPENDBASER, 8);
    CHECK(field(vpend, 60, 2) == 0); // Dirty, PendingLast: never set
    CHECK(field(vpend, 63, 1) == 1);
    CHECK(field(vpend, 0, 16) == 0xffff);
    t.rw(0, vlpi + g::r::VSGIR, 0x12345);
    CHECK(t.r(0, vlpi + g::r::VSGIR) == 0x2345);
    CHECK(t.r(0, vlpi + g::r::VSGIPENDR) == 0); // Busy = 0, nothing pending
    CHECK(t.gic->guest_errors() == 0);
    CHECK(t.r(0, 0x30000) == 0); // the reserved fourth frame
    CHECK(t.gic->guest_errors() == 1);
}

TEST_CASE("ICC reset values and access rules") {
    GicRig t;
    CHECK(t.icc(0, "ICC_CTLR_EL1") == 0x48400); // PRIbits 4, A3V, RSS
    CHECK(t.icc(0, "ICC_BPR0_EL1") == 2);
    CHECK(t.icc(0, "ICC_BPR1_EL1") == 3);
    CHECK(t.icc(0, "ICC_PMR_EL1") == 0);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
    CHECK(t.icc(0, "ICC_SRE_EL1") == 7);
    CHECK(t.icc(0, "ICC_IGRPEN0_EL1") == 0);
    CHECK(t.icc(0, "ICC_IGRPEN1_EL1") == 0);
    t.iccw(0, "ICC_SRE_EL1", 0);
    CHECK(t.icc(0, "ICC_SRE_EL1") == 7);
    t.iccw(0, "ICC_CTLR_EL1", ~0ull);
    CHECK(t.icc(0, "ICC_CTLR_EL1") == (0x48400 | 0x43)); // CBPR, EOImode, PMHE
    t.iccw(0, "ICC_CTLR_EL1", 0);
    t.iccw(0, "ICC_PMR_EL1", 0xff);
    CHECK(t.icc(0, "ICC_PMR_EL1") == 0xf8);
    t.iccw(0, "ICC_BPR0_EL1", 0);
    CHECK(t.icc(0, "ICC_BPR0_EL1") == 2); // below the minimum: minimum
    t.iccw(0, "ICC_BPR1_EL1", 1);
    CHECK(t.icc(0, "ICC_BPR1_EL1") == 3);
    t.iccw(0, "ICC_BPR1_EL1", 6);
    CHECK(t.icc(0, "ICC_BPR1_EL1") == 6);
    // CBPR: BPR1 reads BPR0 + 1 and ignores writes.
    t.iccw(0, "ICC_BPR0_EL1", 4);
    t.iccw(0, "ICC_CTLR_EL1", 1);
    CHECK(t.icc(0, "ICC_BPR1_EL1") == 5);
    t.iccw(0, "ICC_BPR1_EL1", 7);
    t.iccw(0, "ICC_CTLR_EL1", 0);
    CHECK(t.icc(0, "ICC_BPR1_EL1") == 6);
    t.iccw(0, "ICC_IGRPEN1_EL1", 0xff);
    CHECK(t.icc(0, "ICC_IGRPEN1_EL1") == 1);
    // Five priority bits: no AP<n>R1..3.
    CHECK(find_sysreg("ICC_AP1R1_EL1") == nullptr);
    CHECK(find_sysreg("ICC_AP0R3_EL1") == nullptr);
    CHECK_FALSE(static_cast<bool>(find_sysreg("ICC_EOIR1_EL1")->read));
    CHECK_FALSE(static_cast<bool>(find_sysreg("ICC_IAR1_EL1")->write));
}

TEST_CASE("ICC registers are UNDEFINED without a GIC") {
    Bus bus;
    auto model = find_cpu_model("cortex-a57");
    Cpu c(0, *model, bus);
    const SysRegDesc* s = find_sysreg("ICC_PMR_EL1");
    REQUIRE(s);
    CHECK(s->enc == sysreg_enc(3, 0, 4, 6, 0));
    CHECK_THROWS_AS(s->read(c), GuestException);
}

namespace {

// Puts every register of the GIC away from its reset value.
void dirty(GicRig& t) {
    t.bring_up_all();
    t.dw(g::d::CTLR, 0x3);
    t.dw(g::d::STATUSR, 0);
    for (unsigned w = 1; w < 8; w++) {
        t.dw(g::d::IGROUPR + 4 * w, 0x5a5a5a5a);
        t.dw(g::d::ISENABLER + 4 * w, 0x0f0f0f0f);
        t.dw(g::d::ISPENDR + 4 * w, 0x33333333);
        t.dw(g::d::ISACTIVER + 4 * w, 0x11111111);
        t.dw(g::d::ICFGR + 8 * w, 0xaaaa0000);
    }
    for (unsigned i = 32; i < 256; i++) {
        t.dw(g::d::IPRIORITYR + i, i & 0xf8, 1);
        t.dw(g::d::IROUTER + 8 * i, (1ull << 31) | i, 8);
    }
    for (unsigned c = 0; c < t.cpus.size(); c++) {
        t.sgiw(c, g::d::IGROUPR, 0xffff00ff);
        t.sgiw(c, g::d::ISENABLER, 0xffffffff);
        t.sgiw(c, g::d::ISPENDR, 0x0000ff00);
        t.sgiw(c, g::d::ISACTIVER, 0x00ff0000);
        t.sgiw(c, g::d::ICFGR + 4, 0xaaaaaaaa);
        for (unsigned i = 0; i < 32; i++)
            t.sgiw(c, g::d::IPRIORITYR + i, 0x80, 1);
        t.rw(c, g::r::PROPBASER, kRam | 15, 8);
        t.rw(c, g::r::PENDBASER, kRam + 0x10000 * (c + 1), 8);
        t.rw(c, g::r::CTLR, g::kRCtlrEnableLpis);
        if (t.cfg.v4()) {
            t.rw(c, 0x20000 + g::r::VPROPBASER, 0x1234000, 8);
            t.rw(c, 0x20000 + g::r::VPENDBASER, 0x8000000000000001ull, 8);
            t.rw(c, 0x20000 + g::r::VSGIR, 5);
        }
        t.iccw(c, "ICC_PMR_EL1", 0x80);
        t.iccw(c, "ICC_BPR0_EL1", 5);
        t.iccw(c, "ICC_BPR1_EL1", 6);
        t.iccw(c, "ICC_CTLR_EL1", 2);
        t.iccw(c, "ICC_AP0R0_EL1", 0x100);
        t.iccw(c, "ICC_AP1R0_EL1", 0x200);
    }
    t.itsw(g::its::BASER, (kRam + 0x100000) | g::kBaserValid);
    t.itsw(g::its::BASER + 8, (kRam + 0x110000) | g::kBaserValid);
    t.itsw(g::its::CBASER, (kRam + 0x120000) | g::kBaserValid);
    t.itsw(g::its::CWRITER, 0x40);
    t.itsw(g::its::CTLR, 1, 4);
}

void check_reset_equals_fresh(GicVersion v) {
    GicRig t(v, 2);
    const GicV3State fresh = gic_initial_state(t.cfg);
    CHECK(t.gic->state() == fresh); // attaching changes nothing
    dirty(t);
    CHECK_FALSE(t.gic->state() == fresh);
    const GicV3State before = t.gic->state();
    t.gic->reset();
    const GicV3State& s = t.gic->state();
    // Field-walking comparison for readable failures, then the whole.
    CHECK(s.gicd_typer == before.gicd_typer);
    CHECK(s.gicd_typer2 == before.gicd_typer2);
    CHECK(s.gicd_iidr == before.gicd_iidr);
    CHECK(s.gicd_pidr2 == before.gicd_pidr2);
    CHECK(s.gicd_ctlr == fresh.gicd_ctlr);
    CHECK(s.group == fresh.group);
    CHECK(s.enabled == fresh.enabled);
    CHECK(s.pending == fresh.pending);
    CHECK(s.active == fresh.active);
    CHECK(s.edge_trigger == fresh.edge_trigger);
    CHECK(s.priority == fresh.priority);
    CHECK(s.irouter == fresh.irouter);
    for (unsigned c = 0; c < 2; c++) {
        INFO("cpu " << c);
        CHECK(s.cpu[c].gicr_typer == before.cpu[c].gicr_typer);
        CHECK(s.cpu[c] == fresh.cpu[c]);
    }
    CHECK(s.its == fresh.its);
    CHECK(s == fresh);
    // And the guest sees reset values again.
    CHECK(t.d(g::d::CTLR) == 0x50);
    CHECK(t.r(1, g::r::WAKER) == 6);
    CHECK(t.icc(1, "ICC_BPR1_EL1") == 3);
    CHECK(t.its(g::its::CTLR, 4) == g::kItsCtlrQuiescent);
    CHECK_FALSE(t.irq(0));
}

} // namespace

TEST_CASE("reset returns every register to its reset value, GICv3") {
    check_reset_equals_fresh(GicVersion::V3);
}

TEST_CASE("reset returns every register to its reset value, GICv4.1") {
    check_reset_equals_fresh(GicVersion::V4_1);
}

TEST_CASE("reset keeps the input line levels") {
    GicRig t;
    t.gic->set_spi(40, true);
    t.gic->set_ppi(0, 30, true);
    t.gic->reset();
    CHECK(t.d(g::d::ISPENDR + 4) == (1u << 8)); // still asserted (level-sensitive)
    CHECK(t.sgi(0, g::d::ISPENDR) == (1u << 30));
}

TEST_CASE("a state from another configuration is refused, not used") {
    GicRig t(GicVersion::V3, 2);
    GicConfig other = t.cfg;
    other.num_irqs = 128;
    CHECK(t.gic->state_mismatch(gic_initial_state(other)).find("INTIDs") != std::string::npos);
    other = t.cfg;
    other.cpu_mpidr.pop_back();
    CHECK(t.gic->state_mismatch(gic_initial_state(other)).find("redistributors") !=
          std::string::npos);
    CHECK(t.gic->state_mismatch(gic_initial_state(t.cfg)).empty());
    t.bring_up(0);
    const GicV3State running = t.gic->state();
    CHECK_THROWS_AS(t.gic->load_state(gic_initial_state(other)), GicConfigError);
    CHECK(t.gic->state() == running); // the running guest keeps its GIC
    t.gic->mutable_state() = gic_initial_state(other);
    CHECK_THROWS_AS(t.gic->state_loaded(), GicConfigError);
    CHECK(t.gic->state() == gic_initial_state(t.cfg)); // safe to keep running
    t.gic->load_state(running);
    CHECK(t.r(0, g::r::WAKER) == 0);
}
