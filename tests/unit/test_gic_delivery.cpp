// Interrupt delivery: SGI/PPI/SPI pending logic, groups, priority mask,
// preemption with binary point, EOImode, 1-of-N routing, and the lines to
// the cores.
#include "tests/unit/gic_test_rig.hpp"

using namespace kestrel;
using namespace kestrel::test;
namespace g = kestrel::gic;

TEST_CASE("level-sensitive SPI: IAR, EOI, re-pend while the line is high") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    CHECK_FALSE(t.irq(0));
    t.gic->set_spi(40, true);
    CHECK(t.irq(0));
    CHECK_FALSE(t.fiq(0));
    CHECK(t.icc(0, "ICC_HPPIR1_EL1") == 40);
    CHECK(t.icc(0, "ICC_HPPIR0_EL1") == 1023);
    CHECK(t.icc(0, "ICC_IAR0_EL1") == 1023); // Group 1 interrupt
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 40);
    CHECK_FALSE(t.irq(0)); // active now
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x80);
    CHECK(t.d(g::d::ISACTIVER + 4) == (1u << 8));
    CHECK(t.d(g::d::ISPENDR + 4) == (1u << 8)); // still pending: line high
    t.iccw(0, "ICC_EOIR1_EL1", 40);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
    CHECK(t.d(g::d::ISACTIVER + 4) == 0);
    CHECK(t.irq(0)); // line still high
    t.gic->set_spi(40, false);
    CHECK_FALSE(t.irq(0));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 1023);
}

TEST_CASE("edge-triggered SPI latches a rising edge") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(45, 0x40, 0);
    t.dw(g::d::ICFGR + 4 * (45 / 16), 2u << (2 * (45 % 16)));
    t.gic->set_spi(45, true);
    t.gic->set_spi(45, false);
    CHECK(t.irq(0));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 45);
    t.iccw(0, "ICC_EOIR1_EL1", 45);
    CHECK_FALSE(t.irq(0));
    // Holding the line high is one edge, not a stream of them.
    t.gic->set_spi(45, true);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 45);
    t.iccw(0, "ICC_EOIR1_EL1", 45);
    t.gic->set_spi(45, true);
    CHECK_FALSE(t.irq(0));
}

TEST_CASE("Group 0 is signalled as FIQ, Group 1 as IRQ") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(50, 0x80, 0, /*group1=*/false);
    t.dw(g::d::ISPENDR + 4, 1u << 18);
    CHECK(t.fiq(0));
    CHECK_FALSE(t.irq(0));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 1023);
    CHECK(t.icc(0, "ICC_HPPIR0_EL1") == 50);
    CHECK(t.icc(0, "ICC_IAR0_EL1") == 50);
    CHECK_FALSE(t.fiq(0));
    // EOI through the wrong group's register does not drop the priority.
    const uint64_t e0 = t.gic->guest_errors();
    t.iccw(0, "ICC_EOIR1_EL1", 50);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x80);
    CHECK(t.gic->guest_errors() == e0 + 1);
    t.iccw(0, "ICC_EOIR0_EL1", 50);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
    CHECK(t.d(g::d::ISACTIVER + 4) == 0);
}

TEST_CASE("group enables gate delivery") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    t.gic->set_spi(40, true);
    CHECK(t.irq(0));
    t.iccw(0, "ICC_IGRPEN1_EL1", 0);
    CHECK_FALSE(t.irq(0));
    CHECK(t.icc(0, "ICC_HPPIR1_EL1") == 1023);
    t.iccw(0, "ICC_IGRPEN1_EL1", 1);
    CHECK(t.irq(0));
    t.dw(g::d::CTLR, g::kCtlrEnableGrp0);
    CHECK_FALSE(t.irq(0));
    t.dw(g::d::CTLR, g::kCtlrEnableGrp1);
    CHECK(t.irq(0));
    // A sleeping redistributor forwards nothing.
    t.rw(0, g::r::WAKER, g::kWakerProcessorSleep);
    CHECK_FALSE(t.irq(0));
    t.rw(0, g::r::WAKER, 0);
    CHECK(t.irq(0));
    // Disabled interrupt.
    t.dw(g::d::ICENABLER + 4, 1u << 8);
    CHECK_FALSE(t.irq(0));
}

TEST_CASE("priority mask: signalled only when priority < PMR") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    t.iccw(0, "ICC_PMR_EL1", 0x80);
    t.gic->set_spi(40, true);
    CHECK_FALSE(t.irq(0));
    CHECK(t.icc(0, "ICC_HPPIR1_EL1") == 40); // HPPIR ignores the mask
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 1023);
    t.iccw(0, "ICC_PMR_EL1", 0x88);
    CHECK(t.irq(0));
}

TEST_CASE("highest priority wins; ties go to the lowest INTID") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(60, 0x40, 0);
    t.setup_spi(61, 0x20, 0);
    t.setup_spi(62, 0x20, 0);
    t.dw(g::d::ISPENDR + 4, 7u << 28);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 61);
    t.iccw(0, "ICC_EOIR1_EL1", 61);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 62);
    t.iccw(0, "ICC_EOIR1_EL1", 62);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 60);
    t.iccw(0, "ICC_EOIR1_EL1", 60);
}

TEST_CASE("preemption depends on the binary point") {
    // A (0x48) is active; B (0x40) becomes pending. With BPR1 = 3 the group
    // priority is bits [7:3]: 0x40 < 0x48 preempts. With BPR1 = 4 it is
    // bits [7:4]: A runs at 0x40 and B (0x40) does not preempt.
    for (unsigned bpr : {3u, 4u}) {
        INFO("BPR1 = " << bpr);
        GicRig t;
        t.bring_up(0);
        t.iccw(0, "ICC_BPR1_EL1", bpr);
        t.setup_spi(40, 0x48, 0);
        t.setup_spi(41, 0x40, 0);
        t.dw(g::d::ISPENDR + 4, 1u << 8);
        CHECK(t.icc(0, "ICC_IAR1_EL1") == 40);
        CHECK(t.icc(0, "ICC_RPR_EL1") == (bpr == 3 ? 0x48u : 0x40u));
        t.dw(g::d::ISPENDR + 4, 1u << 9);
        CHECK(t.irq(0) == (bpr == 3));
        CHECK(t.icc(0, "ICC_IAR1_EL1") == (bpr == 3 ? 41u : 1023u));
        if (bpr == 3) {
            CHECK(t.icc(0, "ICC_AP1R0_EL1") == ((1u << 9) | (1u << 8)));
            t.iccw(0, "ICC_EOIR1_EL1", 41);
            CHECK(t.icc(0, "ICC_RPR_EL1") == 0x48);
        }
        t.iccw(0, "ICC_EOIR1_EL1", 40);
        CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
        CHECK(t.icc(0, "ICC_AP1R0_EL1") == 0);
    }
}

TEST_CASE("CBPR makes Group 1 use BPR0") {
    GicRig t;
    t.bring_up(0);
    t.iccw(0, "ICC_BPR0_EL1", 3); // group priority bits [7:4]
    t.iccw(0, "ICC_CTLR_EL1", 1);
    t.setup_spi(40, 0x48, 0);
    t.setup_spi(41, 0x40, 0);
    t.dw(g::d::ISPENDR + 4, 1u << 8);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 40);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x40);
    t.dw(g::d::ISPENDR + 4, 1u << 9);
    CHECK_FALSE(t.irq(0));
}

TEST_CASE("Group 0 preempts Group 1 by priority") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    t.setup_spi(41, 0x20, 0, /*group1=*/false);
    t.dw(g::d::ISPENDR + 4, 1u << 8);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 40);
    t.dw(g::d::ISPENDR + 4, 1u << 9);
    CHECK(t.fiq(0));
    CHECK(t.icc(0, "ICC_IAR0_EL1") == 41);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x20);
    // EOIR1 now would not match the highest active priority (Group 0).
    t.iccw(0, "ICC_EOIR1_EL1", 40);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x20);
    t.iccw(0, "ICC_EOIR0_EL1", 41);
    t.iccw(0, "ICC_EOIR1_EL1", 40);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
}

TEST_CASE("EOImode = 1: EOIR drops priority, DIR deactivates") {
    GicRig t;
    t.bring_up(0);
    t.iccw(0, "ICC_CTLR_EL1", 2);
    t.setup_spi(40, 0x80, 0);
    t.dw(g::d::ICFGR + 8, 2u << 16); // INTID 40 edge-triggered
    t.dw(g::d::ISPENDR + 4, 1u << 8);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 40);
    t.iccw(0, "ICC_EOIR1_EL1", 40);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
    CHECK(t.d(g::d::ISACTIVER + 4) == (1u << 8)); // still active
    t.dw(g::d::ISPENDR + 4, 1u << 8);
    CHECK_FALSE(t.irq(0)); // active and pending: not signalled
    t.iccw(0, "ICC_DIR_EL1", 40);
    CHECK(t.d(g::d::ISACTIVER + 4) == 0);
    CHECK(t.irq(0));
}

TEST_CASE("EOImode = 0: EOIR deactivates, DIR is ignored") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    t.dw(g::d::ISACTIVER + 4, 1u << 8);
    t.iccw(0, "ICC_DIR_EL1", 40);
    CHECK(t.d(g::d::ISACTIVER + 4) == (1u << 8));
    t.iccw(0, "ICC_EOIR1_EL1", 1023); // special INTID: ignored
    CHECK(t.d(g::d::ISACTIVER + 4) == (1u << 8));
}

TEST_CASE("PPIs from devices (timer PPI 30)") {
    GicRig t;
    t.bring_up(0);
    t.sgiw(0, g::d::IGROUPR, 1u << 30);
    t.sgiw(0, g::d::IPRIORITYR + 30, 0xa0, 1);
    t.gic->set_ppi(0, 30, true);
    CHECK_FALSE(t.irq(0)); // not enabled yet
    CHECK(t.sgi(0, g::d::ISPENDR) == (1u << 30));
    t.sgiw(0, g::d::ISENABLER, 1u << 30);
    CHECK(t.irq(0));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 30);
    CHECK(t.sgi(0, g::d::ISACTIVER) == (1u << 30));
    t.gic->set_ppi(0, 30, false); // the timer handler masks the timer
    t.iccw(0, "ICC_EOIR1_EL1", 30);
    CHECK_FALSE(t.irq(0));
    CHECK(t.sgi(0, g::d::ISACTIVER) == 0);
}

TEST_CASE("SGIs: target list, broadcast, groups") {
    GicRig t(GicVersion::V3, 3);
    t.bring_up_all();
    for (unsigned c = 0; c < 3; c++) {
        t.sgiw(c, g::d::IGROUPR, 0x0000fffe); // SGI 0: Group 0, others Group 1
        t.sgiw(c, g::d::ISENABLER, 0xffff);
    }
    // SGI 3 to core 1 (Aff0 = 1).
    t.iccw(0, "ICC_SGI1R_EL1", (3ull << 24) | 0b010);
    CHECK_FALSE(t.irq(0));
    CHECK(t.irq(1));
    CHECK_FALSE(t.irq(2));
    CHECK(t.icc(1, "ICC_IAR1_EL1") == 3);
    t.iccw(1, "ICC_EOIR1_EL1", 3);
    // Broadcast (IRM) from core 0: cores 1 and 2.
    t.iccw(0, "ICC_SGI1R_EL1", (5ull << 24) | (1ull << 40));
    CHECK_FALSE(t.irq(0));
    CHECK(t.irq(1));
    CHECK(t.irq(2));
    CHECK(t.icc(2, "ICC_IAR1_EL1") == 5);
    t.iccw(2, "ICC_EOIR1_EL1", 5);
    CHECK(t.icc(1, "ICC_IAR1_EL1") == 5);
    t.iccw(1, "ICC_EOIR1_EL1", 5);
    // SGI0R only raises Group 0 SGIs: SGI 4 (Group 1) is not forwarded.
    t.iccw(0, "ICC_SGI0R_EL1", (4ull << 24) | 0b100);
    CHECK_FALSE(t.irq(2));
    t.iccw(0, "ICC_SGI0R_EL1", (0ull << 24) | 0b100);
    CHECK(t.fiq(2));
    CHECK(t.icc(2, "ICC_IAR0_EL1") == 0);
    t.iccw(2, "ICC_EOIR0_EL1", 0);
    // ASGI1R behaves as SGI0R with one Security state.
    t.iccw(0, "ICC_ASGI1R_EL1", (4ull << 24) | 0b100);
    CHECK_FALSE(t.irq(2));
    // SGI1R raises an SGI of either group (DS = 1).
    t.iccw(0, "ICC_SGI1R_EL1", (0ull << 24) | 0b001);
    CHECK(t.fiq(0));
    // A target list naming another cluster (Aff1 = 1) hits nobody here.
    t.iccw(0, "ICC_SGI1R_EL1", (6ull << 24) | (1ull << 16) | 0b010);
    CHECK_FALSE(t.irq(1));
}

TEST_CASE("SGI range selector and higher affinity levels") {
    // Core 1 has Aff0 = 17 (RS = 1, bit 1); core 2 is Aff2 = 3, Aff0 = 2.
    GicRig t(GicVersion::V3, 3, 256, {0x80000000, 0x80000011, 0x80030002});
    t.bring_up_all();
    for (unsigned c = 0; c < 3; c++) {
        t.sgiw(c, g::d::IGROUPR, 0xffff);
        t.sgiw(c, g::d::ISENABLER, 0xffff);
    }
    t.iccw(0, "ICC_SGI1R_EL1", (1ull << 44) | (7ull << 24) | 0b10);
    CHECK(t.irq(1));
    CHECK_FALSE(t.irq(2));
    t.iccw(0, "ICC_SGI1R_EL1", (3ull << 32) | (7ull << 24) | 0b100);
    CHECK(t.irq(2));
    CHECK(t.icc(2, "ICC_IAR1_EL1") == 7);
}

TEST_CASE("nASSGIreq: SGIs without an active state (GICv4.1)") {
    for (bool nassgi : {false, true}) {
        INFO("nASSGIreq = " << nassgi);
        GicRig t(GicVersion::V4_1);
        t.bring_up(0);
        if (nassgi) {
            t.dw(g::d::CTLR, 0); // nASSGIreq is writable only with both groups off
            t.dw(g::d::CTLR, g::kCtlrNassgiReq | g::kCtlrEnableGrp0 | g::kCtlrEnableGrp1);
            REQUIRE((t.d(g::d::CTLR) & g::kCtlrNassgiReq) != 0);
        }
        t.sgiw(0, g::d::IGROUPR, 0xffff);
        t.sgiw(0, g::d::ISENABLER, 0xffff);
        t.iccw(0, "ICC_SGI1R_EL1", (2ull << 24) | 1);
        CHECK(t.icc(0, "ICC_IAR1_EL1") == 2);
        CHECK(t.sgi(0, g::d::ISACTIVER) == (nassgi ? 0u : 4u));
        // A second SGI 2 can be taken at once only without active state
        // (same priority cannot preempt, so drop the priority first).
        t.iccw(0, "ICC_CTLR_EL1", 2); // EOImode 1: EOIR only drops priority
        t.iccw(0, "ICC_EOIR1_EL1", 2);
        t.iccw(0, "ICC_SGI1R_EL1", (2ull << 24) | 1);
        CHECK(t.irq(0) == nassgi);
    }
}

TEST_CASE("1-of-N SPI routing") {
    GicRig t(GicVersion::V3, 2);
    t.bring_up_all();
    t.setup_spi(70, 0x80, 0);
    t.dw(g::d::IROUTER + 8 * 70, g::kIrouterIrm, 8);
    t.dw(g::d::ISPENDR + 8, 1u << 6);
    // Exactly one core sees it.
    CHECK(t.irq(0));
    CHECK_FALSE(t.irq(1));
    // Core 0 stops participating in Group 1: core 1 gets it.
    t.iccw(0, "ICC_IGRPEN1_EL1", 0);
    CHECK_FALSE(t.irq(0));
    CHECK(t.irq(1));
    t.iccw(0, "ICC_IGRPEN1_EL1", 1);
    // Core 0 is busy at a higher priority: core 1 gets it.
    t.setup_spi(71, 0x10, 0);
    t.dw(g::d::ISPENDR + 8, 1u << 7);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 71);
    CHECK(t.irq(1));
    CHECK(t.icc(1, "ICC_IAR1_EL1") == 70);
    CHECK_FALSE(t.irq(0));
    t.iccw(0, "ICC_EOIR1_EL1", 71);
    CHECK_FALSE(t.irq(0)); // 70 is active on core 1
}

TEST_CASE("SPI routed to an absent affinity is not delivered") {
    GicRig t(GicVersion::V3, 2);
    t.bring_up_all();
    t.setup_spi(40, 0x80, 1);
    t.dw(g::d::ISPENDR + 4, 1u << 8);
    CHECK_FALSE(t.irq(0));
    CHECK(t.irq(1));
    t.dw(g::d::IROUTER + 8 * 40, 0x0500, 8); // Aff1 = 5: no such core
    CHECK_FALSE(t.irq(1));
}

TEST_CASE("line changes reach the core and the callback") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    t.line_changes.clear();
    t.gic->set_spi(40, true);
    CHECK(t.cpus[0]->irq_line.load());
    CHECK(t.gic->irq_out(0));
    REQUIRE(t.line_changes.size() == 1);
    CHECK(t.line_changes[0] == 0);
    t.gic->set_spi(40, true); // no change, no callback
    CHECK(t.line_changes.size() == 1);
    t.gic->set_spi(40, false);
    CHECK_FALSE(t.cpus[0]->irq_line.load());
    CHECK(t.line_changes.size() == 2);
}

TEST_CASE("active-priority registers are saved and restored by software") {
    GicRig t;
    t.bring_up(0);
    t.iccw(0, "ICC_AP1R0_EL1", 1u << 4); // priority 0x20 active
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x20);
    t.setup_spi(40, 0x20, 0);
    t.dw(g::d::ISPENDR + 4, 1u << 8);
    CHECK_FALSE(t.irq(0)); // same priority: no preemption
    t.iccw(0, "ICC_AP1R0_EL1", 0);
    CHECK(t.irq(0));
}

TEST_CASE("MRS/MSR instructions reach the CPU interface") {
    GicRig t;
    t.bring_up(0);
    t.setup_spi(40, 0x80, 0);
    t.gic->set_spi(40, true);
    Cpu& c = *t.cpus[0];
    auto run = [&](uint32_t insn) {
        const InsnDesc* d = a64_decode(insn, ~0ull);
        REQUIRE(d);
        d->fn(c, insn);
    };
    const uint32_t iar1 = sysreg_enc(3, 0, 12, 12, 0), eoir1 = sysreg_enc(3, 0, 12, 12, 1);
    run(0xd5200000u | (iar1 << 5) | 3); // MRS X3, ICC_IAR1_EL1
    CHECK(c.s.x[3] == 40);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0x80);
    c.s.x[4] = 40;
    run(0xd5000000u | (eoir1 << 5) | 4); // MSR ICC_EOIR1_EL1, X4
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
    // EL0 has no access: UNDEFINED.
    c.s.el = 0;
    CHECK_THROWS_AS(run(0xd5200000u | (iar1 << 5) | 3), GuestException);
}
