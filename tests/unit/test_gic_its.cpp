// LPIs and the ITS: tables in a test RAM, command queue processing, MSIs
// through GITS_TRANSLATER and send_msi, DirectLPI on GICv4.1, and the
// device-tree node.
#include "intc/gicv3/gic_fdt.hpp"
#include "tests/unit/gic_test_rig.hpp"

#include <cstring>
#include <libfdt.h>

using namespace kestrel;
using namespace kestrel::test;
namespace g = kestrel::gic;

namespace {

constexpr uint64_t kProp = kRam + 0x100000;    // LPI property table
constexpr uint64_t kPend0 = kRam + 0x200000;   // pending table, core 0 (64 KiB aligned)
constexpr uint64_t kPend1 = kRam + 0x210000;   // pending table, core 1
constexpr uint64_t kDevTab = kRam + 0x300000;  // 64 KiB: 8192 devices
constexpr uint64_t kCollTab = kRam + 0x310000; // 64 KiB
constexpr uint64_t kCmdq = kRam + 0x320000;    // 4 KiB: 128 commands
constexpr uint64_t kItt = kRam + 0x330000;

// A GIC with LPIs enabled on every core and an enabled ITS, as Linux sets
// it up.
struct ItsRig : GicRig {
    uint64_t cwriter = 0;

    explicit ItsRig(GicVersion v = GicVersion::V3, unsigned ncpus = 1) : GicRig(v, ncpus) {
        bring_up_all();
        for (unsigned c = 0; c < ncpus; c++) {
            rw(c, g::r::PROPBASER, kProp | (1u << 10) | 15, 8); // 16 ID bits
            rw(c, g::r::PENDBASER, (c ? kPend1 : kPend0) | (1u << 10), 8);
            rw(c, g::r::CTLR, g::kRCtlrEnableLpis);
        }
        const uint64_t page64k = 2ull << 8;
        itsw(g::its::BASER, its(g::its::BASER) | g::kBaserValid | page64k | kDevTab);
        itsw(g::its::BASER + 8, its(g::its::BASER + 8) | g::kBaserValid | page64k | kCollTab);
        itsw(g::its::CBASER, g::kBaserValid | kCmdq);
        itsw(g::its::CWRITER, 0);
        itsw(g::its::CTLR, g::kItsCtlrEnabled, 4);
    }
    void lpi_config(uint32_t intid, uint8_t prio, bool enable) {
        uint8_t b = static_cast<uint8_t>(prio | 2 | (enable ? 1 : 0));
        REQUIRE(bus.write_block(kProp + intid - 8192, &b, 1));
    }
    bool pending_bit(unsigned cpu, uint32_t intid) {
        uint8_t b = 0;
        REQUIRE(bus.read_block((cpu ? kPend1 : kPend0) + intid / 8, &b, 1));
        return b & (1u << (intid % 8));
    }
    void queue(uint64_t d0, uint64_t d1 = 0, uint64_t d2 = 0, uint64_t d3 = 0) {
        const uint64_t cmd[4] = {d0, d1, d2, d3};
        REQUIRE(bus.write_block(kCmdq + cwriter, cmd, sizeof cmd));
        cwriter = (cwriter + 32) % 0x1000;
    }
    void kick() {
        itsw(g::its::CWRITER, cwriter);
        CHECK(its(g::its::CREADR) == cwriter);
    }
    void mapd(uint32_t dev, uint64_t itt, unsigned event_bits) {
        queue(g::cmd::MAPD | (uint64_t{dev} << 32), event_bits - 1, (1ull << 63) | itt);
    }
    void mapc(uint32_t icid, unsigned cpu) {
        queue(g::cmd::MAPC, 0, (1ull << 63) | (uint64_t{cpu} << 16) | icid);
    }
    void mapti(uint32_t dev, uint32_t event, uint32_t intid, uint32_t icid) {
        queue(g::cmd::MAPTI | (uint64_t{dev} << 32), event | (uint64_t{intid} << 32), icid);
    }
    void dev_event(uint8_t num, uint32_t dev, uint32_t event) {
        queue(num | (uint64_t{dev} << 32), event);
    }
    void sync(unsigned cpu) { queue(g::cmd::SYNC, 0, uint64_t{cpu} << 16); }
};

} // namespace

TEST_CASE("ITS ID registers and table registers as Linux probes them") {
    GicRig t;
    const uint64_t typer = t.its(g::its::TYPER);
    CHECK((typer & 1) == 1);             // Physical
    CHECK(((typer >> 1) & 1) == 0);      // no virtual LPIs
    CHECK(((typer >> 4) & 0xf) == 7);    // ITT_entry_size: 8 bytes
    CHECK(((typer >> 8) & 0x1f) == 15);  // IDbits: 16-bit EventIDs
    CHECK(((typer >> 13) & 0x1f) == 15); // Devbits: 16-bit DeviceIDs
    CHECK(((typer >> 19) & 1) == 0);     // PTA = 0: processor numbers
    CHECK(((typer >> 24) & 0xff) == 0);  // HCC
    CHECK(((typer >> 36) & 1) == 0);     // CIL
    CHECK(t.its(g::its::CTLR, 4) == g::kItsCtlrQuiescent);
    CHECK((t.its(0xffe8, 4) >> 4) == 3);
    const uint64_t b0 = t.its(g::its::BASER), b1 = t.its(g::its::BASER + 8);
    CHECK(((b0 >> 56) & 7) == 1); // Devices
    CHECK(((b0 >> 48) & 0x1f) == 7);
    CHECK(((b1 >> 56) & 7) == 4); // Interrupt collections
    CHECK(t.its(g::its::BASER + 16) == 0);
    // Page size probe: 64 KiB sticks; Indirect is RAZ/WI; Type is read-only.
    t.itsw(g::its::BASER, (2ull << 8) | g::kBaserIndirect | (7ull << 56) | kDevTab);
    const uint64_t nb = t.its(g::its::BASER);
    CHECK(((nb >> 8) & 3) == 2);
    CHECK((nb & g::kBaserIndirect) == 0);
    CHECK(((nb >> 56) & 7) == 1);
    CHECK((nb & 0xfffffffff000ull) == kDevTab);
    t.itsw(g::its::BASER + 16, ~0ull); // unimplemented table: RAZ/WI
    CHECK(t.its(g::its::BASER + 16) == 0);
    // 32-bit halves.
    CHECK(t.its(g::its::TYPER + 4, 4) == (typer >> 32));
    // Writing CBASER resets CREADR.
    t.itsw(g::its::CBASER, g::kBaserValid | kCmdq);
    CHECK(t.its(g::its::CBASER) == (g::kBaserValid | kCmdq));
    CHECK(t.its(g::its::CREADR) == 0);
    CHECK(t.gic->guest_errors() == 0);
}

TEST_CASE("MAPD/MAPC/MAPTI + MSI: LPI pending, IAR returns the LPI") {
    ItsRig t;
    t.lpi_config(8197, 0xa0, true);
    t.mapd(7, kItt, 5);
    t.mapc(3, 0);
    t.mapti(7, 2, 8197, 3);
    t.sync(0);
    t.kick();
    CHECK_FALSE(t.irq(0));
    CHECK(t.gic->send_msi(7, 2));
    CHECK(t.pending_bit(0, 8197));
    CHECK(t.irq(0));
    CHECK(t.icc(0, "ICC_HPPIR1_EL1") == 8197);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 8197);
    CHECK_FALSE(t.pending_bit(0, 8197)); // LPIs have no active state
    CHECK_FALSE(t.irq(0));
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xa0);
    t.iccw(0, "ICC_EOIR1_EL1", 8197);
    CHECK(t.icc(0, "ICC_RPR_EL1") == 0xff);
    // Unmapped events and devices are dropped.
    CHECK_FALSE(t.gic->send_msi(7, 3));
    CHECK_FALSE(t.gic->send_msi(8, 2));
    CHECK_FALSE(t.irq(0));
}

TEST_CASE("GITS_TRANSLATER doorbell (DeviceID 0 for a core's write)") {
    ItsRig t;
    t.lpi_config(8300, 0x40, true);
    t.mapd(0, kItt, 4);
    t.mapc(0, 0);
    t.queue(g::cmd::MAPI, 9, 0); // MAPI: pINTID = EventID... not an LPI: dropped
    t.mapti(0, 9, 8300, 0);
    const uint64_t e0 = t.gic->guest_errors();
    t.kick();
    CHECK(t.gic->guest_errors() == e0 + 1); // the bad MAPI, then processing went on
    t.wr(kIts + g::its::TRANSLATER, 9, 4);
    CHECK(t.irq(0));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 8300);
    // Disabled ITS: no translation.
    t.itsw(g::its::CTLR, 0, 4);
    t.wr(kIts + g::its::TRANSLATER, 9, 4);
    CHECK_FALSE(t.pending_bit(0, 8300));
}

TEST_CASE("LPI property table: enable and priority") {
    ItsRig t;
    t.mapd(1, kItt, 4);
    t.mapc(0, 0);
    t.mapti(1, 0, 8200, 0);
    t.mapti(1, 1, 8201, 0);
    t.kick();
    t.lpi_config(8200, 0x80, false);
    t.lpi_config(8201, 0x60, true);
    CHECK(t.gic->send_msi(1, 0));
    CHECK_FALSE(t.irq(0)); // disabled in the property table
    CHECK(t.pending_bit(0, 8200));
    t.lpi_config(8200, 0x40, true);
    t.dev_event(g::cmd::INV, 1, 0);
    t.kick();
    CHECK(t.irq(0));
    CHECK(t.gic->send_msi(1, 1));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 8200); // 0x40 beats 0x60
    t.iccw(0, "ICC_EOIR1_EL1", 8200);
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 8201);
    t.iccw(0, "ICC_EOIR1_EL1", 8201);
    // LPIs need GICD_CTLR.EnableGrp1.
    CHECK(t.gic->send_msi(1, 1));
    t.dw(g::d::CTLR, g::kCtlrEnableGrp0);
    CHECK_FALSE(t.irq(0));
    t.dw(g::d::CTLR, g::kCtlrEnableGrp0 | g::kCtlrEnableGrp1);
    CHECK(t.irq(0));
}

TEST_CASE("INT, CLEAR, DISCARD") {
    ItsRig t;
    t.lpi_config(9000, 0x20, true);
    t.mapd(4, kItt, 8);
    t.mapc(1, 0);
    t.mapti(4, 200, 9000, 1);
    t.dev_event(g::cmd::INT, 4, 200);
    t.kick();
    CHECK(t.pending_bit(0, 9000));
    CHECK(t.irq(0));
    t.dev_event(g::cmd::CLEAR, 4, 200);
    t.kick();
    CHECK_FALSE(t.pending_bit(0, 9000));
    CHECK_FALSE(t.irq(0));
    t.dev_event(g::cmd::INT, 4, 200);
    t.dev_event(g::cmd::DISCARD, 4, 200);
    t.kick();
    CHECK_FALSE(t.pending_bit(0, 9000));
    CHECK_FALSE(t.gic->send_msi(4, 200));
    // EventID beyond the device's 8 bits: command error, dropped.
    const uint64_t e0 = t.gic->guest_errors();
    t.mapti(4, 256, 9001, 1);
    t.kick();
    CHECK(t.gic->guest_errors() == e0 + 1);
}

TEST_CASE("MOVI and MOVALL move pending LPIs between redistributors") {
    ItsRig t(GicVersion::V3, 2);
    t.lpi_config(8500, 0x50, true);
    t.mapd(2, kItt, 4);
    t.mapc(0, 0);
    t.mapc(1, 1);
    t.mapti(2, 5, 8500, 0);
    t.dev_event(g::cmd::INT, 2, 5);
    t.kick();
    CHECK(t.irq(0));
    t.queue(g::cmd::MOVI | (2ull << 32), 5, 1); // to collection 1
    t.kick();
    CHECK_FALSE(t.irq(0));
    CHECK(t.irq(1));
    CHECK(t.pending_bit(1, 8500));
    CHECK_FALSE(t.pending_bit(0, 8500));
    t.queue(g::cmd::MOVALL, 0, 1ull << 16, 0ull << 16); // RD1 -> RD0
    t.kick();
    CHECK(t.irq(0));
    CHECK_FALSE(t.irq(1));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 8500);
    // New MSIs follow the ITE's new collection (1).
    CHECK(t.gic->send_msi(2, 5));
    CHECK(t.irq(1));
}

TEST_CASE("LPIs are dropped while EnableLPIs is 0; the pending table is read at enable") {
    ItsRig t;
    t.lpi_config(8192, 0x10, true);
    t.rw(0, g::r::CTLR, 0);
    t.mapd(0, kItt, 4);
    t.mapc(0, 0);
    t.mapti(0, 0, 8192, 0);
    t.kick();
    CHECK(t.gic->send_msi(0, 0)); // translated, but the RD drops it
    CHECK_FALSE(t.pending_bit(0, 8192));
    // Software (or a restored snapshot) leaves a pending bit in the table.
    uint8_t b = 1;
    REQUIRE(t.bus.write_block(kPend0 + 8192 / 8, &b, 1));
    t.rw(0, g::r::CTLR, g::kRCtlrEnableLpis);
    CHECK(t.irq(0));
    CHECK(t.icc(0, "ICC_IAR1_EL1") == 8192);
}

TEST_CASE("state_loaded rebuilds the LPI cache from the pending table") {
    ItsRig t;
    t.lpi_config(8210, 0x30, true);
    uint8_t b = 1u << (8210 % 8);
    REQUIRE(t.bus.write_block(kPend0 + 8210 / 8, &b, 1));
    CHECK_FALSE(t.irq(0)); // the GIC does not watch RAM
    t.gic->state_loaded();
    CHECK(t.irq(0));
}

TEST_CASE("command queue wraps around") {
    ItsRig t;
    t.lpi_config(8192, 0x10, true);
    t.mapd(0, kItt, 4);
    t.mapc(0, 0);
    t.mapti(0, 0, 8192, 0);
    t.kick();
    for (int i = 0; i < 130; i++)
        t.sync(0); // crosses the 4 KiB boundary
    t.dev_event(g::cmd::INT, 0, 0);
    // Process in two steps so CWRITER never laps CREADR.
    const uint64_t target = t.cwriter;
    t.itsw(g::its::CWRITER, 0xf00);
    t.itsw(g::its::CWRITER, target);
    CHECK(t.its(g::its::CREADR) == target);
    CHECK(t.irq(0));
}

TEST_CASE("DirectLPI on GICv4.1: SETLPIR, CLRLPIR, INVLPIR, SYNCR") {
    ItsRig t(GicVersion::V4_1);
    t.lpi_config(8400, 0x70, true);
    t.rw(0, g::r::SETLPIR, 8400, 8);
    CHECK(t.pending_bit(0, 8400));
    CHECK(t.irq(0));
    t.rw(0, g::r::CLRLPIR, 8400, 8);
    CHECK_FALSE(t.irq(0));
    t.lpi_config(8400, 0x70, false);
    t.rw(0, g::r::SETLPIR, 8400, 8);
    CHECK_FALSE(t.irq(0));
    t.lpi_config(8400, 0x70, true);
    t.rw(0, g::r::INVLPIR, 8400, 8);
    CHECK(t.r(0, g::r::SYNCR) == 0);
    CHECK(t.irq(0));
    CHECK(t.gic->guest_errors() == 0);
}

TEST_CASE("FDT node matches the common virt board layout") {
    std::vector<char> buf(8192);
    REQUIRE(fdt_create_empty_tree(buf.data(), static_cast<int>(buf.size())) == 0);
    GicConfig cfg;
    int node = gic_fdt_add(buf.data(), 0, cfg, GicV3Layout{});
    REQUIRE(node >= 0);
    CHECK(std::string(fdt_get_name(buf.data(), node, nullptr)) == "intc@8000000");
    int len = 0;
    auto* compat = static_cast<const char*>(fdt_getprop(buf.data(), node, "compatible", &len));
    REQUIRE(compat);
    CHECK(std::string(compat) == "arm,gic-v3");
    auto* reg = static_cast<const fdt64_t*>(fdt_getprop(buf.data(), node, "reg", &len));
    REQUIRE(len == 32);
    CHECK(fdt64_to_cpu(reg[0]) == 0x8000000);
    CHECK(fdt64_to_cpu(reg[1]) == 0x10000);
    CHECK(fdt64_to_cpu(reg[2]) == 0x80a0000);
    CHECK(fdt64_to_cpu(reg[3]) == 0xf60000);
    auto* cells =
        static_cast<const fdt32_t*>(fdt_getprop(buf.data(), node, "#interrupt-cells", &len));
    REQUIRE(cells);
    CHECK(fdt32_to_cpu(*cells) == 3);
    CHECK(fdt_getprop(buf.data(), node, "interrupt-controller", &len) != nullptr);
    CHECK(fdt_getprop(buf.data(), node, "interrupts", &len) == nullptr);
    int its = fdt_subnode_offset(buf.data(), node, "its@8080000");
    REQUIRE(its >= 0);
    compat = static_cast<const char*>(fdt_getprop(buf.data(), its, "compatible", &len));
    CHECK(std::string(compat) == "arm,gic-v3-its");
    CHECK(fdt_getprop(buf.data(), its, "msi-controller", &len) != nullptr);
    reg = static_cast<const fdt64_t*>(fdt_getprop(buf.data(), its, "reg", &len));
    REQUIRE(len == 16);
    CHECK(fdt64_to_cpu(reg[1]) == 0x20000);
    CHECK(fdt_get_phandle(buf.data(), its) == 0x8004);
}
