// PSCI calls and semihosting operations on cores driven directly (register
// values in, results out), plus the terminal's Ctrl-A escapes.
#include "machine/stdin_console.hpp"
#include "machine/virt/psci.hpp"
#include "machine/virt/semihosting.hpp"
#include "temp_files.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <memory>

using namespace kestrel;

namespace {

constexpr uint64_t kRam = 0x40000000;

struct TwoCores {
    Bus bus;
    uint8_t* ram;
    std::unique_ptr<Cpu> c0, c1;
    Psci psci{{}};
    TwoCores() : ram(bus.add_ram(kRam, 1 << 20, "ram")) {
        auto model = find_cpu_model("cortex-a57");
        c0 = std::make_unique<Cpu>(0, *model, bus);
        c1 = std::make_unique<Cpu>(1, *model, bus);
        c1->run_state = CpuRunState::Off;
        psci = Psci({c0.get(), c1.get()});
    }
    int64_t call(uint64_t fn, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
        c0->s.x[0] = fn;
        c0->s.x[1] = a1;
        c0->s.x[2] = a2;
        c0->s.x[3] = a3;
        CHECK(psci.call(*c0));
        return static_cast<int64_t>(c0->s.x[0]);
    }
};

} // namespace

TEST_CASE("psci: version, features, migrate info") {
    TwoCores t;
    CHECK(t.call(0x84000000) == 0x10001);
    CHECK(t.call(0x8400000a, 0xc4000003) == 0);  // CPU_ON (64-bit) supported
    CHECK(t.call(0x8400000a, 0x84000008) == 0);  // SYSTEM_OFF
    CHECK(t.call(0x8400000a, 0x84000012) == -1); // SYSTEM_RESET2: not offered
    CHECK(t.call(0x84000006) == 2);              // migration not required
    CHECK(t.call(0x84000007) == -1);
    CHECK(t.call(0xc2000001) == -1); // some other SMCCC service
}

TEST_CASE("psci: PSCI_FEATURES answers SUCCESS for every implemented function") {
    TwoCores t;
    for (uint32_t fn :
         {0x84000000u, 0x84000001u, 0xc4000001u, 0x84000002u, 0x84000003u, 0xc4000003u, 0x84000004u,
          0xc4000004u, 0x84000006u, 0x84000008u, 0x84000009u, 0x8400000au}) {
        INFO(fn);
        CHECK(t.call(0x8400000a, fn) == 0);
    }
    // MIGRATE and MIGRATE_INFO_UP_CPU are optional with no Trusted OS.
    for (uint32_t fn : {0x84000005u, 0xc4000005u, 0x84000007u, 0xc4000007u})
        CHECK(t.call(0x8400000a, fn) == -1);
}

TEST_CASE("psci: CPU_SUSPEND waits for an interrupt like WFI, then returns SUCCESS") {
    TwoCores t;
    CHECK(t.call(0xc4000001, 0, 0, 0) == 0); // standby, StateID 0
    CHECK(t.c0->run_state == CpuRunState::WaitForInterrupt);
    t.c0->run_state = CpuRunState::Running;
    CHECK(t.call(0xc4000001, 1u << 16, 0x40080000, 0) == 0); // powerdown acts the same
    CHECK(t.c0->run_state == CpuRunState::WaitForInterrupt);
    t.c0->run_state = CpuRunState::Running;
    // A pending interrupt (masked or not) completes the call at once.
    t.c0->irq_line = true;
    CHECK(t.call(0x84000001, 0, 0, 0) == 0);
    CHECK(t.c0->run_state == CpuRunState::Running);
    t.c0->irq_line = false;
    CHECK(t.call(0xc4000001, 1u << 20, 0, 0) == -2); // reserved bit
    CHECK(t.c0->run_state == CpuRunState::Running);
}

TEST_CASE("psci: CPU_ON starts a powered-off core at entry with x0 = context") {
    TwoCores t;
    CHECK(t.call(0x84000004, 1, 0) == 1); // AFFINITY_INFO: OFF
    CHECK(t.call(0xc4000003, 1, 0x40001000, 0x1234) == 0);
    CHECK(t.c1->run_state == CpuRunState::Running);
    CHECK(t.c1->s.pc == 0x40001000);
    CHECK(t.c1->s.x[0] == 0x1234);
    CHECK(t.c1->s.el == 1);
    CHECK((t.c1->sys.sctlr_el1 & 1) == 0); // MMU off
    CHECK(t.c1->s.daif == 0x3c0);
    CHECK(t.call(0x84000004, 1, 0) == 0);              // ON
    CHECK(t.call(0xc4000004, 1, 1) == -2);             // only level 0 is supported
    CHECK(t.call(0xc4000003, 1, 0x40002000, 0) == -4); // ALREADY_ON
    CHECK(t.call(0xc4000003, 0, 0x40002000, 0) == -4); // the caller itself
    CHECK(t.call(0xc4000003, 7, 0x40002000, 0) == -2); // no such core
    CHECK(t.call(0x84000004, 0x100, 0) == -2);
}

TEST_CASE("psci: 32-bit calls use W registers") {
    TwoCores t;
    CHECK(t.call(0x84000003, 0xffffffff00000001ull, 0xabcd000040003000ull, 0xffff000000000077ull) ==
          0);
    CHECK(t.c1->s.pc == 0x40003000);
    CHECK(t.c1->s.x[0] == 0x77);
}

TEST_CASE("psci: misaligned entry is an invalid address") {
    TwoCores t;
    CHECK(t.call(0xc4000003, 1, 0x40001002, 0) == -9);
    CHECK(t.c1->run_state == CpuRunState::Off);
}

TEST_CASE("psci: CPU_OFF, SYSTEM_OFF and SYSTEM_RESET stop the caller") {
    TwoCores t;
    int offs = 0, resets = 0;
    t.psci.on_system_off = [&](Cpu&) { offs++; };
    t.psci.on_system_reset = [&](Cpu&) { resets++; };
    t.c0->s.x[0] = 0x84000008;
    CHECK_THROWS_AS(t.psci.call(*t.c0), CpuExit);
    CHECK(offs == 1);
    t.c0->s.x[0] = 0x84000009;
    CHECK_THROWS_AS(t.psci.call(*t.c0), CpuExit);
    CHECK(resets == 1);
    t.c0->s.x[0] = 0x84000002;
    CHECK_THROWS_AS(t.psci.call(*t.c0), CpuExit);
    CHECK(t.c0->run_state == CpuRunState::Off);
}

namespace {

struct SemihostingRig {
    Bus bus;
    uint8_t* ram;
    std::unique_ptr<Cpu> cpu;
    std::FILE* console = std::tmpfile();
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    Semihosting sh{console, out, err};
    int exit_status = -1;
    SemihostingRig() : ram(bus.add_ram(kRam, 1 << 20, "ram")) {
        cpu = std::make_unique<Cpu>(0, *find_cpu_model("cortex-a57"), bus);
        sh.on_exit = [this](Cpu&, int s) { exit_status = s; };
    }
    ~SemihostingRig() {
        std::fclose(console);
        std::fclose(out);
        std::fclose(err);
    }
    void put(uint64_t addr, const void* p, size_t n) { std::memcpy(ram + (addr - kRam), p, n); }
    void put64s(uint64_t addr, std::vector<uint64_t> v) { put(addr, v.data(), v.size() * 8); }
    int64_t call(uint64_t op, uint64_t arg) {
        cpu->s.x[0] = op;
        cpu->s.x[1] = arg;
        CHECK(sh.call(*cpu));
        return static_cast<int64_t>(cpu->s.x[0]);
    }
};

} // namespace

TEST_CASE("semihosting: console output") {
    SemihostingRig r;
    r.put(0x40000100, "hello\0", 6);
    r.call(0x04, 0x40000100); // SYS_WRITE0
    r.put(0x40000200, "!", 1);
    r.call(0x03, 0x40000200); // SYS_WRITEC
    CHECK(test::file_contents(r.console) == "hello!");
    // SYS_WRITE {handle, buffer, length}: returns the bytes not written.
    r.put(0x40000300, "to-out to-err", 13);
    r.put64s(0x40000400, {1, 0x40000300, 6});
    CHECK(r.call(0x05, 0x40000400) == 0);
    r.put64s(0x40000400, {2, 0x40000307, 6});
    CHECK(r.call(0x05, 0x40000400) == 0);
    CHECK(test::file_contents(r.out) == "to-out");
    CHECK(test::file_contents(r.console) == "hello!");
    CHECK(test::file_contents(r.err) == "to-err");
    r.put64s(0x40000400, {9, 0x40000300, 6});
    CHECK(r.call(0x05, 0x40000400) == 6);
    // SYS_OPEN ":tt" for writing gives the stdout handle.
    r.put(0x40000500, ":tt", 3);
    r.put64s(0x40000400, {0x40000500, 4, 3});
    CHECK(r.call(0x01, 0x40000400) == 1);
    r.put64s(0x40000400, {0x40000500, 0, 3});
    CHECK(r.call(0x01, 0x40000400) == 0);
    r.put64s(0x40000400, {1});
    CHECK(r.call(0x09, 0x40000400) == 1); // SYS_ISTTY
    CHECK(r.call(0x77, 0) == -1);         // unknown operation
}

TEST_CASE("semihosting: exit codes") {
    CHECK(Semihosting::exit_status(0x20026, 0) == 0);
    CHECK(Semihosting::exit_status(0x20026, 3) == 3);
    CHECK(Semihosting::exit_status(0x20023, 0) == 1); // run-time error
    SemihostingRig r;
    r.put64s(0x40000100, {0x20026, 0});
    r.cpu->s.x[0] = 0x18;
    r.cpu->s.x[1] = 0x40000100;
    CHECK_THROWS_AS(r.sh.call(*r.cpu), CpuExit);
    CHECK(r.exit_status == 0);
    CHECK(r.cpu->run_state == CpuRunState::Halted);
    r.put64s(0x40000100, {0x20026, 42});
    r.cpu->s.x[0] = 0x20; // SYS_EXIT_EXTENDED passes the code through
    CHECK_THROWS_AS(r.sh.call(*r.cpu), CpuExit);
    CHECK(r.exit_status == 42);
    CHECK(r.cpu->exit_code == 42);
}

TEST_CASE("semihosting: a bad guest pointer becomes a guest data abort") {
    SemihostingRig r;
    r.cpu->s.x[0] = 0x04;
    r.cpu->s.x[1] = 0x10000000; // nothing mapped there
    CHECK_THROWS_AS(r.sh.call(*r.cpu), GuestException);
    r.cpu->s.x[0] = 0x05;
    r.cpu->s.x[1] = 0x400ffff8; // block runs off the end of RAM
    CHECK_THROWS_AS(r.sh.call(*r.cpu), GuestException);
}

TEST_CASE("console: Ctrl-A escapes") {
    EscapeFilter f;
    std::string out;
    CHECK(f.feed('a', out) == EscapeFilter::Action::None);
    CHECK(f.feed(0x01, out) == EscapeFilter::Action::None);
    CHECK(out == "a");
    CHECK(f.feed(0x01, out) == EscapeFilter::Action::None); // Ctrl-A Ctrl-A sends one Ctrl-A
    CHECK(out == "a\x01");
    CHECK(f.feed(0x01, out) == EscapeFilter::Action::None);
    CHECK(f.feed('h', out) == EscapeFilter::Action::Help);
    CHECK(f.feed(0x01, out) == EscapeFilter::Action::None);
    CHECK(f.feed('z', out) == EscapeFilter::Action::None); // unknown: dropped
    CHECK(out == "a\x01");
    CHECK(f.feed('x', out) == EscapeFilter::Action::None); // plain x after a finished escape
    CHECK(out == "a\x01x");
    CHECK(f.feed(0x01, out) == EscapeFilter::Action::None);
    CHECK(f.feed('x', out) == EscapeFilter::Action::Quit);
    CHECK(std::string(EscapeFilter::help_text()).find("C-a x") != std::string::npos);
}
