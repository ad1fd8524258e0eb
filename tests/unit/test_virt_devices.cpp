// The virt board's device wiring: GIC frames and version, timer PPIs, the
// UART's SPI, the GIC's part in board reset and CPU_ON.
#include "guest_code.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "machine/virt/memory_map.hpp"
#include "machine/virt/virt_machine.hpp"
#include "temp_files.hpp"

#include <ctime>
#include <doctest/doctest.h>
#include <libfdt.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {

VirtConfig board(unsigned smp = 1, const std::string& gic = "3") {
    VirtConfig c;
    c.serial = "null";
    c.smp = smp;
    c.gic_version = gic;
    return c;
}

uint64_t rd32(VirtMachine& m, uint64_t pa) {
    uint64_t v = 0;
    REQUIRE(m.bus().read(pa, 4, v) == MemResult::Ok);
    return v;
}

void wr32(VirtMachine& m, uint64_t pa, uint64_t v) {
    REQUIRE(m.bus().write(pa, 4, v) == MemResult::Ok);
}

std::string error_of(const VirtConfig& c) {
    try {
        VirtMachine m(c);
    } catch (const MachineError& e) {
        return e.what();
    }
    return "";
}

constexpr uint64_t kGicdPidr2 = virt::kGicDistBase + 0xffe8;
constexpr uint64_t kGicdTyper2 = virt::kGicDistBase + 0xc;

} // namespace

TEST_CASE("virt devices: GICv3 frames, one 128 KiB redistributor per core") {
    VirtMachine m(board(3));
    const BusRegion* d = m.bus().find(virt::kGicDistBase);
    REQUIRE(d);
    CHECK(d->device == &m.gic().dist_device());
    const BusRegion* r = m.bus().find(virt::kGicRedistBase);
    REQUIRE(r);
    CHECK(r->device == &m.gic().redist_device());
    CHECK(r->size == 3 * 0x20000);
    CHECK(m.bus().find(virt::kGicRedistBase + 3 * 0x20000) == nullptr);
    const BusRegion* its = m.bus().find(virt::kGicItsBase);
    REQUIRE(its);
    CHECK(its->device == &m.gic().its_device());
    CHECK(((rd32(m, kGicdPidr2) >> 4) & 0xf) == 3);
    CHECK(rd32(m, kGicdTyper2) == 0);
    for (auto& c : m.cpus()) {
        CHECK(c->gic == &m.gic());
        CHECK(((c->model.id_aa64pfr0 >> 24) & 0xf) == 1); // ICC_* interface present
    }
    // GICR_TYPER of the last core has Last set, with its processor number.
    uint64_t typer = 0;
    REQUIRE(m.bus().read(virt::kGicRedistBase + 2 * 0x20000 + 8, 8, typer) == MemResult::Ok);
    CHECK((typer >> 4 & 1) == 1);
    CHECK((typer >> 8 & 0xffff) == 2);
}

TEST_CASE("virt devices: gic-version=4.1 has 256 KiB redistributors and TYPER2") {
    VirtMachine m(board(2, "4.1"));
    CHECK(m.bus().find(virt::kGicRedistBase)->size == 2 * 0x40000);
    CHECK(((rd32(m, kGicdPidr2) >> 4) & 0xf) == 4);
    CHECK(rd32(m, kGicdTyper2) != 0);
    CHECK(m.gic().config().v4());
}

TEST_CASE("virt devices: bad GIC versions and too many cores are clear errors") {
    CHECK(error_of(board(1, "2")).find("GIC version '2'") != std::string::npos);
    CHECK(error_of(board(1, "4.0")).find("gic-version=3, 4.1 or max") != std::string::npos);
    // 0xF60000 bytes of redistributors: 123 cores on GICv3, 61 on GICv4.1.
    CHECK(error_of(board(123, "3")).empty());
    CHECK(error_of(board(124, "3")).find("1 to 123") != std::string::npos);
    CHECK(error_of(board(61, "4.1")).empty());
    CHECK(error_of(board(62, "4.1")).find("1 to 61") != std::string::npos);
}

TEST_CASE("virt devices: timers drive their core's PPIs 30 and 27") {
    VirtMachine m(board(2));
    Cpu& c1 = *m.cpus()[1];
    // Condition met (CVAL 0 <= count), enabled, not masked: the line rises.
    c1.timer.write_cval(GenericTimer::kPhys, 0);
    c1.timer.write_ctl(GenericTimer::kPhys, 1);
    c1.timer.update();
    CHECK(m.gic().state().cpu[1].level == (1u << 30));
    CHECK(m.gic().state().cpu[0].level == 0);
    c1.timer.write_cval(GenericTimer::kVirt, 0);
    c1.timer.write_ctl(GenericTimer::kVirt, 1);
    c1.timer.update();
    CHECK(m.gic().state().cpu[1].level == ((1u << 30) | (1u << 27)));
    c1.timer.write_ctl(GenericTimer::kPhys, 3); // IMASK drops the line
    c1.timer.update();
    CHECK(m.gic().state().cpu[1].level == (1u << 27));
    // With the PPI enabled in the GIC the core's IRQ line follows.
    wr32(m, virt::kGicDistBase, 0x13); // ARE | EnableGrp1 | EnableGrp0
    const uint64_t sgi1 = virt::kGicRedistBase + 0x20000 + 0x10000;
    wr32(m, virt::kGicRedistBase + 0x20000 + 0x14, 0); // wake redistributor 1
    wr32(m, sgi1 + 0x80, 0xffffffff);                  // all Group 1
    wr32(m, sgi1 + 0x100, 1u << 27);                   // enable PPI 27
    m.gic().icc_write(1, IccReg::PMR, 0xff);
    m.gic().icc_write(1, IccReg::IGRPEN1, 1);
    CHECK(c1.irq_line.load());
    CHECK_FALSE(m.cpus()[0]->irq_line.load());
    CHECK(m.gic().icc_read(1, IccReg::HPPIR1) == 27);
}

TEST_CASE("virt devices: the UART interrupt is SPI 1 (INTID 33), level") {
    VirtMachine m(board());
    const uint32_t bit33 = 1u << (33 % 32);
    CHECK((m.gic().state().level[1] & bit33) == 0);
    wr32(m, virt::kUartBase + 0x38, 1u << 4); // UARTIMSC.RXIM
    m.uart().receive('x');
    CHECK((m.gic().state().level[1] & bit33) != 0);
    uint64_t dr = 0;
    REQUIRE(m.bus().read(virt::kUartBase, 4, dr) == MemResult::Ok);
    CHECK((dr & 0xff) == 'x');
    CHECK((m.gic().state().level[1] & bit33) == 0);
}

TEST_CASE("virt devices: SYSTEM_RESET returns the GIC to a fresh GIC's state") {
    TempDir dir;
    std::vector<uint32_t> code;
    load_imm64(code, 0, 0x84000009); // SYSTEM_RESET
    code.push_back(kHvc0);
    VirtConfig cfg = board(2, "4.1");
    cfg.kernel = dir.file("reset.bin", to_bytes(code));
    VirtMachine m(cfg);
    const GicV3State fresh = m.gic().state();
    // Program some state before the guest resets the board.
    wr32(m, virt::kGicDistBase, 0x13);
    wr32(m, virt::kGicDistBase + 0x100 + 4, 0xff); // enable SPIs 32..39
    wr32(m, virt::kGicDistBase + 0x200 + 4, 0x0f); // pend SPIs 32..35
    wr32(m, virt::kGicRedistBase + 0x14, 0);
    m.gic().icc_write(0, IccReg::PMR, 0x80);
    m.gic().icc_write(1, IccReg::BPR1, 5);
    REQUIRE_FALSE(m.gic().state() == fresh);
    bool checked = false, same = false;
    m.cpus()[0]->hooks.hvc = [&](Cpu& cpu, uint16_t imm) {
        if (m.resets() >= 2) {
            same = m.gic().state() == fresh;
            checked = true;
            m.request_quit(0);
            cpu.halt(0);
            return true;
        }
        return imm == 0 && m.psci().call(cpu);
    };
    CHECK(m.run() == 0);
    CHECK(checked);
    CHECK(same);
}

TEST_CASE("virt devices: CPU_ON resets the core's CPU interface and clears a stale timer PPI") {
    TempDir dir;
    const uint64_t base = virt::kRamBase + 0x80000;
    std::vector<uint32_t> code;
    load_imm64(code, 0, 0xc4000003); // CPU_ON(1, base + 0x100, 0)
    load_imm64(code, 1, 1);
    load_imm64(code, 2, base + 0x100);
    load_imm64(code, 3, 0);
    code.push_back(kHvc0);
    code.push_back(kBranchSelf);
    code.resize(0x100 / 4, kBrk0);
    code.push_back(kHvc0); // the secondary reports in
    code.push_back(kBranchSelf);
    VirtConfig cfg = board(2);
    cfg.kernel = dir.file("on.bin", to_bytes(code));
    VirtMachine m(cfg);
    Cpu& c1 = *m.cpus()[1];
    // The secondary's timer fired before it was (re)started.
    c1.timer.write_cval(GenericTimer::kPhys, 0);
    c1.timer.write_ctl(GenericTimer::kPhys, 1);
    c1.timer.update();
    REQUIRE(m.gic().state().cpu[1].level == (1u << 30));
    // The core's CPU interface was left programmed before it went off.
    m.gic().icc_write(1, IccReg::PMR, 0xf0);
    m.gic().icc_write(1, IccReg::IGRPEN1, 1);
    m.gic().icc_write(1, IccReg::BPR1, 6);
    const uint64_t bpr1_reset = m.gic().icc_read(0, IccReg::BPR1);
    uint32_t level_at_start = ~0u;
    uint64_t pmr = 1, igrpen1 = 1, bpr1 = 0;
    c1.hooks.hvc = [&](Cpu& cpu, uint16_t) {
        level_at_start = m.gic().state().cpu[1].level;
        pmr = m.gic().icc_read(1, IccReg::PMR);
        igrpen1 = m.gic().icc_read(1, IccReg::IGRPEN1);
        bpr1 = m.gic().icc_read(1, IccReg::BPR1);
        m.request_quit(0);
        cpu.halt(0);
        return true;
    };
    CHECK(m.run() == 0);
    CHECK(level_at_start == 0);
    CHECK(pmr == 0);
    CHECK(igrpen1 == 0);
    CHECK(bpr1 == bpr1_reset);
}

namespace {

int fdt_node(const std::vector<uint8_t>& fdt, const char* path) {
    return fdt_path_offset(fdt.data(), path);
}

std::vector<uint32_t> fdt_cells(const std::vector<uint8_t>& fdt, int off, const char* prop) {
    int len = 0;
    auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt.data(), off, prop, &len));
    std::vector<uint32_t> out;
    for (int i = 0; p && i < len / 4; i++)
        out.push_back(fdt32_to_cpu(p[i]));
    return out;
}

std::string fdt_str(const std::vector<uint8_t>& fdt, int off, const char* prop) {
    int len = 0;
    auto* p = static_cast<const char*>(fdt_getprop(fdt.data(), off, prop, &len));
    return p ? std::string(p, static_cast<size_t>(len)) : "<missing>";
}

VirtioDeviceConfig blk(const std::string& file, bool ro = false) {
    VirtioDeviceConfig v;
    v.file = file;
    v.read_only = ro;
    return v;
}

VirtioDeviceConfig rng() {
    VirtioDeviceConfig v;
    v.kind = VirtioDeviceConfig::Kind::Rng;
    return v;
}

} // namespace

TEST_CASE("virt devices: virtio-mmio transports take slots in order, with DT nodes") {
    TempDir dir;
    VirtConfig cfg = board();
    cfg.kernel = dir.file("k.bin", to_bytes({kHvc0}));
    std::string disk = dir.file("disk.img", std::vector<uint8_t>(64 * 512, 0x5a));
    cfg.virtio = {blk(disk), rng(), blk(disk, true)};
    VirtMachine m(cfg);
    REQUIRE(m.virtio().size() == 3);
    const uint32_t ids[3] = {2, 4, 2}; // block, entropy, block
    for (unsigned n = 0; n < 3; n++) {
        const uint64_t base = virt::kVirtioBase + n * 0x200;
        const BusRegion* r = m.bus().find(base);
        REQUIRE(r);
        CHECK(r->device == m.virtio()[n].get());
        CHECK(rd32(m, base) == 0x74726976); // "virt"
        CHECK(rd32(m, base + 4) == 2);      // modern transport
        CHECK(rd32(m, base + 8) == ids[n]);
    }
    CHECK(m.bus().find(virt::kVirtioBase + 3 * 0x200) == nullptr);

    const std::vector<uint8_t>& dtb = m.boot_info().dtb;
    int prev = -1;
    for (unsigned n = 0; n < 3; n++) {
        std::string path = "/virtio_mmio@a000" + std::to_string(n * 2) + "00";
        int node = fdt_node(dtb, path.c_str());
        INFO(path);
        REQUIRE(node >= 0);
        CHECK(node > prev); // listed in slot order: Linux probes vda first
        prev = node;
        CHECK(fdt_str(dtb, node, "compatible") == std::string("virtio,mmio\0", 12));
        CHECK(fdt_cells(dtb, node, "reg") ==
              std::vector<uint32_t>{0, static_cast<uint32_t>(0x0a000000 + n * 0x200), 0, 0x200});
        CHECK(fdt_cells(dtb, node, "interrupts") == std::vector<uint32_t>{0, 16 + n, 1});
        CHECK(fdt_getprop(dtb.data(), node, "dma-coherent", nullptr) != nullptr);
    }
    CHECK(fdt_node(dtb, "/virtio_mmio@a000600") < 0);
}

TEST_CASE("virt devices: no virtio nodes without devices; PL031 node") {
    TempDir dir;
    VirtConfig cfg = board();
    cfg.kernel = dir.file("k.bin", to_bytes({kHvc0}));
    VirtMachine m(cfg);
    const std::vector<uint8_t>& dtb = m.boot_info().dtb;
    CHECK(fdt_node(dtb, "/virtio_mmio@a000000") < 0);
    int rtc = fdt_node(dtb, "/pl031@9010000");
    REQUIRE(rtc >= 0);
    CHECK(fdt_str(dtb, rtc, "compatible") == std::string("arm,pl031\0arm,primecell\0", 24));
    CHECK(fdt_cells(dtb, rtc, "reg") == std::vector<uint32_t>{0, 0x09010000, 0, 0x1000});
    CHECK(fdt_cells(dtb, rtc, "interrupts") == std::vector<uint32_t>{0, 2, 4});
    CHECK(fdt_str(dtb, rtc, "clock-names") == std::string("apb_pclk\0", 9));
    int clk = fdt_node_offset_by_phandle(dtb.data(), fdt_cells(dtb, rtc, "clocks").at(0));
    CHECK(clk == fdt_node(dtb, "/apb-pclk"));
}

TEST_CASE("virt devices: a missing disk image is a MachineError naming it") {
    TempDir dir;
    VirtConfig cfg = board();
    cfg.virtio = {blk(dir.path("missing.img"))};
    CHECK(error_of(cfg).find(dir.path("missing.img")) != std::string::npos);
    cfg.virtio = {blk(dir.path(""))}; // a directory
    CHECK(error_of(cfg).find("disk image") != std::string::npos);
}

TEST_CASE("virt devices: PL031 at 0x09010000 counts host seconds; match raises SPI 2") {
    VirtMachine m(board());
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    const uint64_t dr = rd32(m, virt::kRtcBase);
    CHECK(dr + 2 >= now);
    CHECK(dr <= now + 2);
    const uint32_t bit34 = 1u << (34 % 32);
    bool raised = false;
    for (int attempt = 0; attempt < 3 && !raised; attempt++) {
        wr32(m, virt::kRtcBase + 0x10, 1);                      // IMSC
        wr32(m, virt::kRtcBase + 0x4, rd32(m, virt::kRtcBase)); // MR = now
        raised = (m.gic().state().level[1] & bit34) != 0;
    }
    CHECK(raised);
    wr32(m, virt::kRtcBase + 0x1c, 1); // ICR
    CHECK((m.gic().state().level[1] & bit34) == 0);
}

TEST_CASE("virt devices: a virtio-rng request raises the transport's SPI 16 + n") {
    VirtConfig cfg = board();
    cfg.virtio = {rng(), rng()};
    VirtMachine m(cfg);
    const uint64_t t = virt::kVirtioBase + 0x200; // slot 1: INTID 49
    const uint64_t desc = virt::kRamBase + 0x100000, avail = desc + 0x1000, used = desc + 0x2000,
                   buf = desc + 0x3000;
    auto w = [&](uint64_t off, uint64_t v) { wr32(m, t + off, v); };
    w(0x70, 0);
    w(0x70, 3);
    w(0x24, 1);
    w(0x20, 1); // VIRTIO_F_VERSION_1
    w(0x70, 11);
    w(0x30, 0);
    w(0x38, 4);
    w(0x80, desc);
    w(0x90, avail);
    w(0xa0, used);
    w(0x44, 1);
    w(0x70, 15);
    // One 16-byte device-writable buffer.
    REQUIRE(m.bus().write(desc, 8, buf) == MemResult::Ok);
    REQUIRE(m.bus().write(desc + 8, 4, 16) == MemResult::Ok);
    REQUIRE(m.bus().write(desc + 12, 2, 2) == MemResult::Ok); // VIRTQ_DESC_F_WRITE
    REQUIRE(m.bus().write(avail + 4, 2, 0) == MemResult::Ok);
    REQUIRE(m.bus().write(avail + 2, 2, 1) == MemResult::Ok);
    const uint32_t bit49 = 1u << (49 % 32), bit48 = 1u << (48 % 32);
    CHECK((m.gic().state().level[1] & bit49) == 0);
    w(0x50, 0); // notify
    CHECK((m.gic().state().level[1] & bit49) != 0);
    CHECK((m.gic().state().level[1] & bit48) == 0);
    uint64_t used_idx = 0;
    REQUIRE(m.bus().read(used + 2, 2, used_idx) == MemResult::Ok);
    CHECK(used_idx == 1);
    w(0x64, rd32(m, t + 0x60)); // InterruptACK
    CHECK((m.gic().state().level[1] & bit49) == 0);
}
