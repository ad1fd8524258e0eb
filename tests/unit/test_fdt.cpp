// The generated device tree, parsed back with libfdt. Expected shapes come
// from the common virt board's tree (docs: Linux DT bindings for
// arm,pl011, arm,gic-v3, arm,psci, arm,armv8-timer).
#include "machine/virt/fdt_builder.hpp"

#include <doctest/doctest.h>
#include <libfdt.h>
#include <string>
#include <vector>

using namespace kestrel;

namespace {

FdtParams board(unsigned cpus) {
    FdtParams p;
    p.ram_base = 0x40000000;
    p.ram_size = 256ull << 20;
    for (unsigned i = 0; i < cpus; i++)
        p.cpu_mpidrs.push_back((1ull << 31) | i);
    p.uart_base = 0x09000000;
    p.uart_size = 0x1000;
    p.uart_spi = 1;
    p.gic.dist_base = 0x08000000;
    p.gic.dist_size = 0x10000;
    p.gic.redist_base = 0x080a0000;
    p.gic.redist_size = 0xf60000;
    p.gic.its_base = 0x08080000;
    p.gic.its_size = 0x20000;
    p.bootargs = "console=ttyAMA0 panic=-1";
    return p;
}

int node(const std::vector<uint8_t>& fdt, const char* path) {
    int off = fdt_path_offset(fdt.data(), path);
    INFO(path);
    REQUIRE(off >= 0);
    return off;
}

std::string str(const std::vector<uint8_t>& fdt, int off, const char* prop) {
    int len = 0;
    auto* p = static_cast<const char*>(fdt_getprop(fdt.data(), off, prop, &len));
    if (!p) return "<missing>";
    return std::string(p, static_cast<size_t>(len));
}

std::vector<uint32_t> cells(const std::vector<uint8_t>& fdt, int off, const char* prop) {
    int len = 0;
    auto* p = static_cast<const uint8_t*>(fdt_getprop(fdt.data(), off, prop, &len));
    std::vector<uint32_t> out;
    if (!p) return out;
    for (int i = 0; i + 4 <= len; i += 4)
        out.push_back(static_cast<uint32_t>(p[i]) << 24 | static_cast<uint32_t>(p[i + 1]) << 16 |
                      static_cast<uint32_t>(p[i + 2]) << 8 | p[i + 3]);
    return out;
}

bool has(const std::vector<uint8_t>& fdt, int off, const char* prop) {
    return fdt_getprop(fdt.data(), off, prop, nullptr) != nullptr;
}

using Cells = std::vector<uint32_t>;

} // namespace

TEST_CASE("fdt: root, memory, psci, chosen") {
    auto p = board(1);
    p.initrd = {{0x48000000, 0x480f189f}};
    auto fdt = build_virt_fdt(p);
    REQUIRE(fdt_check_header(fdt.data()) == 0);
    CHECK(fdt_totalsize(fdt.data()) == fdt.size());
    int root = node(fdt, "/");
    CHECK(str(fdt, root, "compatible") == std::string("linux,dummy-virt\0", 17));
    CHECK(cells(fdt, root, "#address-cells") == Cells{2});
    CHECK(cells(fdt, root, "#size-cells") == Cells{2});

    int mem = node(fdt, "/memory@40000000");
    CHECK(str(fdt, mem, "device_type") == std::string("memory\0", 7));
    CHECK(cells(fdt, mem, "reg") == Cells{0, 0x40000000, 0, 0x10000000});

    int psci = node(fdt, "/psci");
    CHECK(str(fdt, psci, "compatible") ==
          std::string("arm,psci-1.0\0arm,psci-0.2\0arm,psci\0", 35));
    CHECK(str(fdt, psci, "method") == std::string("hvc\0", 4));
    CHECK(cells(fdt, psci, "cpu_on") == Cells{0xc4000003});

    int chosen = node(fdt, "/chosen");
    CHECK(str(fdt, chosen, "bootargs") == std::string("console=ttyAMA0 panic=-1\0", 25));
    std::string stdout_path = str(fdt, chosen, "stdout-path");
    CHECK(fdt_path_offset(fdt.data(), stdout_path.c_str()) == node(fdt, "/pl011@9000000"));
    CHECK(cells(fdt, chosen, "linux,initrd-start") == Cells{0, 0x48000000});
    CHECK(cells(fdt, chosen, "linux,initrd-end") == Cells{0, 0x480f189f});

    auto no_initrd = build_virt_fdt(board(1));
    CHECK_FALSE(has(no_initrd, node(no_initrd, "/chosen"), "linux,initrd-start"));
}

TEST_CASE("fdt: cpus and timer") {
    auto fdt = build_virt_fdt(board(3));
    int cpus = node(fdt, "/cpus");
    CHECK(cells(fdt, cpus, "#address-cells") == Cells{1});
    CHECK(cells(fdt, cpus, "#size-cells") == Cells{0});
    for (unsigned i = 0; i < 3; i++) {
        std::string path = "/cpus/cpu@" + std::to_string(i);
        int c = node(fdt, path.c_str());
        CHECK(cells(fdt, c, "reg") == Cells{i});
        CHECK(str(fdt, c, "device_type") == std::string("cpu\0", 4));
        CHECK(str(fdt, c, "compatible") == std::string("arm,cortex-a57\0", 15));
        CHECK(str(fdt, c, "enable-method") == std::string("psci\0", 5));
    }
    CHECK(fdt_path_offset(fdt.data(), "/cpus/cpu@3") < 0);
    int timer = node(fdt, "/timer");
    CHECK(str(fdt, timer, "compatible").rfind(std::string("arm,armv8-timer\0", 16), 0) == 0);
    CHECK(cells(fdt, timer, "interrupts") == Cells{1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4});
    CHECK(has(fdt, timer, "always-on"));
}

TEST_CASE("fdt: pl011 and its clock") {
    auto fdt = build_virt_fdt(board(1));
    int uart = node(fdt, "/pl011@9000000");
    CHECK(str(fdt, uart, "compatible") == std::string("arm,pl011\0arm,primecell\0", 24));
    CHECK(cells(fdt, uart, "reg") == Cells{0, 0x09000000, 0, 0x1000});
    CHECK(cells(fdt, uart, "interrupts") == Cells{0, 1, 4});
    CHECK(str(fdt, uart, "clock-names") == std::string("uartclk\0apb_pclk\0", 17));
    Cells clocks = cells(fdt, uart, "clocks");
    REQUIRE(clocks.size() == 2);
    int clk = fdt_node_offset_by_phandle(fdt.data(), clocks[0]);
    REQUIRE(clk >= 0);
    CHECK(clocks[1] == clocks[0]);
    CHECK(str(fdt, clk, "compatible") == std::string("fixed-clock\0", 12));
    CHECK(cells(fdt, clk, "clock-frequency") == Cells{24000000});
    CHECK(cells(fdt, clk, "#clock-cells") == Cells{0});
}

TEST_CASE("fdt: GICv3 with ITS is the root interrupt parent") {
    auto fdt = build_virt_fdt(board(2));
    int root = node(fdt, "/");
    Cells parent = cells(fdt, root, "interrupt-parent");
    REQUIRE(parent.size() == 1);
    int gic = fdt_node_offset_by_phandle(fdt.data(), parent[0]);
    REQUIRE(gic >= 0);
    CHECK(gic == node(fdt, "/intc@8000000"));
    CHECK(str(fdt, gic, "compatible") == std::string("arm,gic-v3\0", 11));
    CHECK(has(fdt, gic, "interrupt-controller"));
    CHECK(cells(fdt, gic, "#interrupt-cells") == Cells{3});
    CHECK(cells(fdt, gic, "reg") == Cells{0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000});
    CHECK_FALSE(has(fdt, gic, "interrupts")); // no maintenance IRQ without EL2
    int its = node(fdt, "/intc@8000000/its@8080000");
    CHECK(str(fdt, its, "compatible") == std::string("arm,gic-v3-its\0", 15));
    CHECK(has(fdt, its, "msi-controller"));
    CHECK(cells(fdt, its, "reg") == Cells{0, 0x08080000, 0, 0x20000});

    auto p = board(1);
    p.gic.maintenance_irq = true;
    p.psci_method = "smc";
    auto el2 = build_virt_fdt(p);
    CHECK(cells(el2, node(el2, "/intc@8000000"), "interrupts") == Cells{1, 9, 4});
    CHECK(str(el2, node(el2, "/psci"), "method") == std::string("smc\0", 4));
}

TEST_CASE("fdt: long bootargs grow the buffer") {
    auto p = board(1);
    p.bootargs = std::string(200000, 'a');
    auto fdt = build_virt_fdt(p);
    CHECK(str(fdt, node(fdt, "/chosen"), "bootargs").size() == 200001);
}

TEST_CASE("fdt: a user DTB gets bootargs and the initrd in /chosen") {
    auto base = build_virt_fdt(board(1));
    auto patched = patch_user_dtb(base, "user.dtb", "root=/dev/vda", {{0x44000000, 0x44001000}});
    REQUIRE(fdt_check_header(patched.data()) == 0);
    int chosen = node(patched, "/chosen");
    CHECK(str(patched, chosen, "bootargs") == std::string("root=/dev/vda\0", 14));
    CHECK(cells(patched, chosen, "linux,initrd-start") == Cells{0, 0x44000000});
    // Without -append the user's bootargs stay.
    auto kept = patch_user_dtb(base, "user.dtb", "", std::nullopt);
    CHECK(str(kept, node(kept, "/chosen"), "bootargs") ==
          std::string("console=ttyAMA0 panic=-1\0", 25));

    std::vector<uint8_t> junk(100, 0x55);
    try {
        patch_user_dtb(junk, "junk.dtb", "", std::nullopt);
        FAIL("no error");
    } catch (const MachineError& e) {
        CHECK(std::string(e.what()).find("junk.dtb") != std::string::npos);
    }
}

TEST_CASE("fdt: rng-seed and kaslr-seed in /chosen only when given") {
    auto plain = build_virt_fdt(board(1));
    CHECK_FALSE(has(plain, node(plain, "/chosen"), "rng-seed"));
    CHECK_FALSE(has(plain, node(plain, "/chosen"), "kaslr-seed"));

    FdtParams p = board(1);
    p.rng_seed = {1, 2, 3, 4, 5, 6, 7, 8};
    p.kaslr_seed = 0x1122334455667788ull;
    auto fdt = build_virt_fdt(p);
    int chosen = node(fdt, "/chosen");
    CHECK(cells(fdt, chosen, "rng-seed") == std::vector<uint32_t>{0x01020304, 0x05060708});
    CHECK(cells(fdt, chosen, "kaslr-seed") == std::vector<uint32_t>{0x11223344, 0x55667788});
}
