// The assembled board: boot path (stub registers, DTB in RAM, initrd),
// PSCI and semihosting driven by tiny guests, reset, errors, debug log.
// The guests only use MOVZ/MOVK, HVC, HLT and BRK.
#include "cpu/log.hpp"
#include "guest_code.hpp"
#include "machine/virt/memory_map.hpp"
#include "machine/virt/virt_machine.hpp"
#include "temp_files.hpp"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <libfdt.h>
#include <thread>

using namespace kestrel;
using namespace kestrel::test;

namespace {

VirtConfig config_for(const std::string& kernel) {
    VirtConfig c;
    c.kernel = kernel;
    c.serial = "null";
    return c;
}

std::vector<uint32_t> psci_call(uint32_t fn, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
    std::vector<uint32_t> code;
    load_imm64(code, 0, fn);
    load_imm64(code, 1, a1);
    load_imm64(code, 2, a2);
    load_imm64(code, 3, a3);
    code.push_back(kHvc0);
    return code;
}

void append(std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
}

std::string error_of(const VirtConfig& c) {
    try {
        VirtMachine m(c);
    } catch (const MachineError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("virt: constructing the board runs nothing and writes nothing") {
    VirtConfig c;
    c.serial = "null";
    c.smp = 2;
    VirtMachine m(c);
    REQUIRE(m.cpus().size() == 2);
    CHECK(m.cpus()[0]->run_state == CpuRunState::Running);
    CHECK(m.cpus()[1]->run_state == CpuRunState::Off);
    CHECK(m.cpus()[1]->mpidr == ((1ull << 31) | 1));
    const BusRegion* uart = m.bus().find(virt::kUartBase);
    REQUIRE(uart);
    CHECK(uart->device == &m.uart());
    CHECK(m.bus().find(virt::kRamBase + c.ram_size - 1) != nullptr);
    CHECK(m.bus().find(virt::kRamBase + c.ram_size) == nullptr);
}

TEST_CASE("virt: the boot stub enters the kernel with x0 = DTB, x1..x3 = 0") {
    TempDir dir;
    std::string k = dir.file("k.bin", to_bytes({kHvc0}));
    VirtMachine m(config_for(k));
    const BootInfo& b = m.boot_info();
    CHECK(b.kernel.entry == virt::kRamBase + 0x80000);
    CHECK(b.dtb_addr % (2u << 20) == 0);
    CHECK(b.dtb_addr >= b.kernel.end);
    // The DTB in guest RAM is the one the board built.
    const uint8_t* dtb = m.bus().ram_ptr(b.dtb_addr, b.dtb.size());
    REQUIRE(dtb);
    CHECK(fdt_check_header(dtb) == 0);
    CHECK(std::equal(b.dtb.begin(), b.dtb.end(), dtb));

    uint64_t regs[4] = {}, pc = 0;
    Cpu& c0 = *m.cpus()[0];
    c0.s.x[1] = c0.s.x[2] = c0.s.x[3] = 0x5555; // the stub must clear them
    c0.hooks.hvc = [&](Cpu& c, uint16_t) -> bool {
        for (int i = 0; i < 4; i++)
            regs[i] = c.s.x[i];
        pc = c.s.pc;
        c.halt(0);
    };
    CHECK(m.run() == 0);
    CHECK(pc == b.kernel.entry);
    CHECK(regs[0] == b.dtb_addr);
    CHECK(regs[1] == 0);
    CHECK(regs[2] == 0);
    CHECK(regs[3] == 0);
}

TEST_CASE("virt: PSCI SYSTEM_OFF ends the run with status 0") {
    TempDir dir;
    auto code = psci_call(0x84000008);
    code.push_back(kBrk0); // not reached
    VirtMachine m(config_for(dir.file("off.bin", to_bytes(code))));
    CHECK(m.run() == 0);
}

TEST_CASE("virt: CPU_ON starts the secondary, which exits through semihosting") {
    TempDir dir;
    const uint64_t base = virt::kRamBase + 0x80000;
    // Word layout: [0] CPU_ON call ..., then CPU_OFF; secondary code at +0x100;
    // its exit block {ApplicationExit, 5} at +0x200.
    std::vector<uint32_t> code = psci_call(0xc4000003, 1, base + 0x100, base + 0x200);
    append(code, psci_call(0x84000002)); // CPU_OFF the boot core
    code.resize(0x100 / 4, kBrk0);
    // The secondary reports x0 (the context ID) through an HVC the test
    // intercepts, then exits with the block semihosting wants in x1.
    code.push_back(kHvc0);
    load_imm64(code, 1, base + 0x200);
    code.push_back(movz(0, 0x18)); // SYS_EXIT
    code.push_back(kHltSemihosting);
    code.resize(0x200 / 4, kBrk0);
    code.push_back(0x20026);
    code.push_back(0);
    code.push_back(5);
    code.push_back(0);
    VirtConfig c = config_for(dir.file("smp.bin", to_bytes(code)));
    c.smp = 2;
    c.semihosting = true;
    VirtMachine m(c);
    uint64_t context_seen = 0;
    m.cpus()[1]->hooks.hvc = [&](Cpu& cpu, uint16_t) {
        context_seen = cpu.s.x[0];
        return true;
    };
    CHECK(m.run() == 5);
    CHECK(context_seen == base + 0x200);
    CHECK(m.cpus()[0]->run_state == CpuRunState::Off);
}

TEST_CASE("virt: SYSTEM_RESET restarts the board; -no-reboot exits instead") {
    TempDir dir;
    std::string k = dir.file("reset.bin", to_bytes(psci_call(0x84000009)));
    VirtConfig once = config_for(k);
    once.no_reboot = true;
    VirtMachine m1(once);
    CHECK(m1.run() == 0);
    CHECK(m1.resets() == 1); // only the power-on reset

    VirtMachine m2(config_for(k));
    Cpu& c0 = *m2.cpus()[0];
    c0.hooks.hvc = [&](Cpu& cpu, uint16_t imm) {
        if (m2.resets() >= 3) {
            m2.request_quit(7);
            cpu.halt(0);
        }
        return imm == 0 && m2.psci().call(cpu);
    };
    CHECK(m2.run() == 7);
    CHECK(m2.resets() == 3);
}

TEST_CASE("virt: initrd and -append reach the DTB and RAM") {
    TempDir dir;
    std::string k = dir.file("k.bin", to_bytes({kHvc0}));
    std::vector<uint8_t> initrd(10000);
    for (size_t i = 0; i < initrd.size(); i++)
        initrd[i] = static_cast<uint8_t>(i * 13);
    VirtConfig c = config_for(k);
    c.initrd = dir.file("initrd.cpio", initrd);
    c.append = "console=ttyAMA0 root=/dev/ram";
    VirtMachine m(c);
    const BootInfo& b = m.boot_info();
    REQUIRE(b.initrd);
    uint64_t start = b.initrd->addr;
    CHECK(start % 4096 == 0);
    const uint8_t* p = m.bus().ram_ptr(start, initrd.size());
    REQUIRE(p);
    CHECK(std::equal(initrd.begin(), initrd.end(), p));
    int chosen = fdt_path_offset(b.dtb.data(), "/chosen");
    REQUIRE(chosen >= 0);
    int len = 0;
    auto* s =
        static_cast<const uint8_t*>(fdt_getprop(b.dtb.data(), chosen, "linux,initrd-start", &len));
    REQUIRE(len == 8);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | s[i];
    CHECK(v == start);
    auto* e =
        static_cast<const uint8_t*>(fdt_getprop(b.dtb.data(), chosen, "linux,initrd-end", &len));
    REQUIRE(len == 8);
    v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | e[i];
    CHECK(v == start + initrd.size());
    CHECK(std::string(static_cast<const char*>(fdt_getprop(
              b.dtb.data(), chosen, "bootargs", nullptr))) == "console=ttyAMA0 root=/dev/ram");
    CHECK(b.dtb_addr >= b.initrd->end());
}

TEST_CASE("virt: -dtb replaces the generated tree") {
    TempDir dir;
    std::string k = dir.file("k.bin", to_bytes({kHvc0}));
    VirtConfig plain = config_for(k);
    VirtMachine ref(plain);
    std::vector<uint8_t> user = ref.boot_info().dtb;
    // Mark the user tree so it can be told apart.
    std::vector<uint8_t> buf(user.size() + 256);
    REQUIRE(fdt_open_into(user.data(), buf.data(), static_cast<int>(buf.size())) == 0);
    REQUIRE(fdt_setprop_string(buf.data(), 0, "model", "user-tree") == 0);
    fdt_pack(buf.data());
    buf.resize(fdt_totalsize(buf.data()));
    VirtConfig c = config_for(k);
    c.dtb = dir.file("user.dtb", buf);
    c.append = "quiet";
    VirtMachine m(c);
    const auto& dtb = m.boot_info().dtb;
    CHECK(std::string(static_cast<const char*>(fdt_getprop(dtb.data(), 0, "model", nullptr))) ==
          "user-tree");
    int chosen = fdt_path_offset(dtb.data(), "/chosen");
    CHECK(std::string(static_cast<const char*>(
              fdt_getprop(dtb.data(), chosen, "bootargs", nullptr))) == "quiet");

    VirtConfig bad = config_for(k);
    bad.dtb = dir.file("bad.dtb", std::vector<uint8_t>(64, 0xee));
    CHECK(error_of(bad).find(bad.dtb) != std::string::npos);
}

TEST_CASE("virt: configuration and file errors are MachineErrors") {
    TempDir dir;
    std::string k = dir.file("k.bin", to_bytes({kHvc0}));
    VirtConfig c = config_for(dir.path("nope"));
    CHECK(error_of(c).find(dir.path("nope")) != std::string::npos);
    VirtConfig cpu = config_for(k);
    cpu.cpu_model = "pentium";
    CHECK(error_of(cpu).find("pentium") != std::string::npos);
    VirtConfig smp = config_for(k);
    smp.smp = 124;
    CHECK(error_of(smp).find("-smp") != std::string::npos);
    smp.gic_version = "4.1";
    smp.smp = 62;
    CHECK(error_of(smp).find("-smp") != std::string::npos);
    VirtConfig ird = config_for(k);
    ird.ram_size = 4u << 20;
    ird.initrd = dir.file("big.cpio", std::vector<uint8_t>(3u << 20, 1));
    CHECK(error_of(ird).find(ird.initrd) != std::string::npos);
    VirtConfig serial = config_for(k);
    serial.serial = "file:" + dir.path("no/such/dir/out");
    CHECK(error_of(serial).find("serial") != std::string::npos);
}

TEST_CASE("virt: -d in_asm and -d int log blocks and exceptions") {
    TempDir dir;
    std::string log_path = dir.path("log.txt");
    std::FILE* log = std::fopen(log_path.c_str(), "w");
    REQUIRE(log);
    set_log_file(log);
    set_log_mask(kLogInAsm | kLogInt);
    {
        // BRK with VBAR = 0 and nothing mapped there: the exception is
        // taken (and logged), then the core stops with status 1.
        VirtMachine m(config_for(dir.file("brk.bin", to_bytes({movz(5, 0x1234), kBrk0}))));
        CHECK(m.run() == 1);
    }
    set_log_mask(0);
    set_log_file(nullptr);
    std::fclose(log);
    std::string text = read_text(log_path);
    CHECK(text.find("IN:") != std::string::npos);
    CHECK(text.find("movz") != std::string::npos); // the stub, disassembled
    CHECK(text.find("brk") != std::string::npos);  // the kernel's block
    CHECK(text.find("0x0000000040080004") != std::string::npos);
    CHECK(text.find("BRK") != std::string::npos); // the exception
    CHECK(text.find("EC 0x3c") != std::string::npos);
    CHECK(text.find("ELR 0x40080004") != std::string::npos);
}

TEST_CASE("virt: host input reaches the guest through the UART, in order") {
    TempDir dir;
    const uint64_t base = virt::kRamBase + 0x80000;
    const uint32_t ldr_fr = 0xb9401844u;    // LDR w4, [x2, #0x18]
    const uint32_t tbnz_rxfe = 0x3727ffe4u; // TBNZ w4, #4, back to the LDR
    const uint32_t ldr_dr = 0xb9400043u;    // LDR w3, [x2]
    std::vector<uint32_t> code = {movz(2, 0x0900, 1)};
    load_imm64(code, 1, base + 0x100);
    for (int i = 0; i < 2; i++) {
        code.push_back(ldr_fr);
        code.push_back(tbnz_rxfe);
        code.push_back(ldr_dr);
    }
    code.push_back(0xf9000423u); // STR x3, [x1, #8]: the exit subcode
    code.push_back(movz(0, 0x20));
    code.push_back(kHltSemihosting);
    code.resize(0x100 / 4, kBrk0);
    code.push_back(0x20026);
    code.push_back(0);
    VirtConfig c = config_for(dir.file("echo.bin", to_bytes(code)));
    c.semihosting = true;
    VirtMachine m(c);
    // Two bytes while the FIFO is off (one entry): the second waits on the host side.
    const uint8_t input[] = {'A', 'B'};
    m.push_serial_input(input, 2);
    // A watchdog turns a guest stuck waiting for input into a failure.
    std::atomic<bool> done{false};
    std::thread watchdog([&] {
        for (int i = 0; i < 1000 && !done; i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!done) m.request_quit(99);
    });
    int status = m.run();
    done = true;
    watchdog.join();
    CHECK(status == 'B');
}

TEST_CASE("virt: serial output goes to the chosen file") {
    TempDir dir;
    VirtConfig c;
    c.serial = "file:" + dir.path("serial.txt");
    {
        VirtMachine m(c);
        uint64_t v = 0;
        m.bus().write(virt::kUartBase, 4, 'O');
        m.bus().write(virt::kUartBase, 4, 'K');
        m.bus().read(virt::kUartBase + Pl011::kFR, 4, v);
        CHECK(v == 0x90);
    }
    CHECK(read_text(dir.path("serial.txt")) == "OK");
}

TEST_CASE("virt: the generated DTB carries fresh host entropy for the guest") {
    TempDir dir;
    std::string k = dir.file("k.bin", to_bytes({kHvc0}));
    VirtMachine a(config_for(k)), b(config_for(k));
    auto seed = [](const VirtMachine& m, const char* prop) {
        const auto& dtb = m.boot_info().dtb;
        int chosen = fdt_path_offset(dtb.data(), "/chosen");
        int len = 0;
        auto* p = static_cast<const uint8_t*>(fdt_getprop(dtb.data(), chosen, prop, &len));
        return p ? std::vector<uint8_t>(p, p + len) : std::vector<uint8_t>{};
    };
    CHECK(seed(a, "rng-seed").size() == 32);
    CHECK(seed(a, "kaslr-seed").size() == 8);
    // Two boards, two seeds (equal 32-byte seeds would mean no entropy).
    CHECK(seed(a, "rng-seed") != seed(b, "rng-seed"));
}
