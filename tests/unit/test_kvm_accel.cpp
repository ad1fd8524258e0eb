// The KVM accelerator above the kernel interface, against FakeKvm: vCPU
// register sync, VM and vCPU set-up, the run loop's exit handling, the
// board, and the choice of accelerator on the command line.
#include "accel/kvm/kvm_vcpu_regs.hpp"
#include "accel/kvm/kvm_vm.hpp"
#include "machine/accel_select.hpp"
#include "machine/cli.hpp"
#include "machine/virt/kvm_virt_machine.hpp"
#include "machine/virt/memory_map.hpp"
#include "tests/unit/fake_kvm.hpp"
#include "tests/unit/temp_files.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

using namespace kestrel;
using namespace kestrel::test;
using namespace kestrel::kvm;

namespace {

// The registers a kernel lists for a vCPU without a vPMU or the physical
// timer (an older kernel): the EL1 set, the debug registers and the
// virtual timer.
std::vector<uint64_t> kernel_reg_list(bool pmu, bool ptimer) {
    std::vector<uint64_t> ids;
    for (const KvmSysRegMap& m : kvm_sysreg_map()) {
        const std::string n = m.name;
        if (!pmu && n.rfind("PM", 0) == 0) continue;
        if (!ptimer && n.rfind("CNTP", 0) == 0) continue;
        ids.push_back(m.id);
    }
    ids.push_back(KVM_REG_ARM_TIMER_CNT);
    return ids;
}

template <typename T> T reg(FakeKvm& k, int fd, uint64_t id) {
    T v{};
    REQUIRE(k.get_one_reg(fd, id, &v) == 0);
    return v;
}

} // namespace

TEST_CASE("ONE_REG ids follow the arm64 KVM ABI") {
    // Values from the kernel's uapi header (struct kvm_regs offsets / 4).
    CHECK(core_x(0) == 0x6030000000100000ull);
    CHECK(core_x(30) == 0x603000000010003cull);
    CHECK(kRegSpEl0 == 0x603000000010003eull);
    CHECK(kRegPc == 0x6030000000100040ull);
    CHECK(kRegPstate == 0x6030000000100042ull);
    CHECK(kRegSpEl1 == 0x6030000000100044ull);
    CHECK(kRegElrEl1 == 0x6030000000100046ull);
    CHECK(kRegSpsrEl1 == 0x6030000000100048ull);
    CHECK(core_v(0) == 0x6040000000100054ull);
    CHECK(core_v(31) == 0x60400000001000d0ull);
    CHECK(kRegFpsr == 0x60200000001000d4ull);
    CHECK(kRegFpcr == 0x60200000001000d5ull);
    CHECK(sys_reg(3, 0, 1, 0, 0) == 0x603000000013c080ull); // SCTLR_EL1
    CHECK(KVM_REG_ARM_TIMER_CNT == 0x603000000013df1aull);
    CHECK(KVM_REG_ARM_TIMER_CVAL == 0x603000000013df02ull);
    CHECK(KVM_GET_ONE_REG == 0x4010aeabul);
    CHECK(KVM_ARM_VCPU_INIT == 0x4020aeaeul);
    CHECK(KVM_SET_DEVICE_ATTR == 0x4018aee1ul);
    CHECK(vgic_mpidr_field(0x80000000ull | (1 << 8) | 3) == 0x0000010300000000ull);
    CHECK(irq_line_spi(33) == 0x01000021u);
}

TEST_CASE("vCPU register sync: every Kestrel field goes to its kernel register and back") {
    FakeKvm k;
    k.listed_regs = kernel_reg_list(true, true);
    int vm = k.create_vm(0);
    int fd = k.create_vcpu(vm, 0);
    KvmRegSet present(k.listed_regs.begin(), k.listed_regs.end());

    CpuState s;
    SysRegState sys;
    for (unsigned n = 0; n < 31; n++)
        s.x[n] = 0x1000 + n;
    s.sp_el[0] = 0xaaa0;
    s.sp_el[1] = 0xbbb0;
    s.pc = 0x4008'0000;
    s.nzcv = kFlagN | kFlagC;
    s.daif = 0x3c0;
    s.el = 1;
    s.spsel = 1;
    s.pan = 1;
    for (unsigned n = 0; n < 32; n++)
        s.v[n] = {0x1111'0000'0000'0000ull + n, 0x2222'0000'0000'0000ull + n};
    s.fpcr = 0x0300'0000;
    s.fpsr = 0x9;
    sys.sctlr_el1 = 0x30d0'1805;
    sys.ttbr1_el1 = 0x4123'4000;
    sys.vbar_el1 = 0xffff'8000'1000'0000ull;
    sys.elr_el1 = 0x1234;
    sys.spsr_el1 = 0x3c5;
    sys.tpidr_el0 = 0x77;
    sys.dbgbvr[3] = 0x4000;
    sys.dbgwcr[15] = 0x1e5;
    sys.cntv_ctl_el0 = 1;
    sys.cntv_cval_el0 = 0x5000;
    sys.cntp_cval_el0 = 0x6000;
    sys.pmcr_el0 = 0x41;
    sys.cntvoff_el2 = 100;

    REQUIRE_FALSE(kvm_set_vcpu_regs(k, fd, present, 1000, s, sys));
    // In the kernel's registers, under the kernel's ids.
    CHECK(reg<uint64_t>(k, fd, core_x(7)) == 0x1007);
    CHECK(reg<uint64_t>(k, fd, kRegPc) == 0x4008'0000);
    CHECK(reg<uint64_t>(k, fd, kRegPstate) == (kFlagN | kFlagC | 0x3c0 | (1u << 22) | 0x5));
    CHECK(reg<uint64_t>(k, fd, kRegSpEl1) == 0xbbb0);
    CHECK(reg<uint64_t>(k, fd, kRegSpsrEl1) == 0x3c5);
    CHECK(reg<VReg>(k, fd, core_v(31)).hi == 0x2222'0000'0000'001full);
    CHECK(reg<uint32_t>(k, fd, kRegFpcr) == 0x0300'0000);
    CHECK(reg<uint64_t>(k, fd, sys_reg(3, 0, 1, 0, 0)) == 0x30d0'1805);
    CHECK(reg<uint64_t>(k, fd, sys_reg(2, 0, 0, 3, 4)) == 0x4000); // DBGBVR3_EL1
    CHECK(reg<uint64_t>(k, fd, sys_reg(2, 0, 0, 15, 7)) == 0x1e5); // DBGWCR15_EL1
    // The swapped timer names: CVAL goes to KVM_REG_ARM_TIMER_CVAL.
    CHECK(reg<uint64_t>(k, fd, KVM_REG_ARM_TIMER_CVAL) == 0x5000);
    CHECK(reg<uint64_t>(k, fd, KVM_REG_ARM_PTIMER_CVAL) == 0x6000);
    // The virtual count at counter 1000 with CNTVOFF 100.
    CHECK(reg<uint64_t>(k, fd, KVM_REG_ARM_TIMER_CNT) == 900);

    // Back: 50 ticks later the offset is unchanged.
    CpuState s2;
    SysRegState sys2;
    REQUIRE(k.set_one_reg(fd, KVM_REG_ARM_TIMER_CNT, &s.x[0]) == 0); // count = 0x1000
    REQUIRE_FALSE(kvm_get_vcpu_regs(k, fd, present, 0x1000 + 100, s2, sys2));
    sys.cntvoff_el2 = 100;
    CHECK(std::memcmp(s2.x, s.x, sizeof s.x) == 0);
    CHECK(s2.pc == s.pc);
    CHECK(s2.nzcv == s.nzcv);
    CHECK(s2.daif == s.daif);
    CHECK(s2.el == 1);
    CHECK(s2.spsel == 1);
    CHECK(s2.pan == 1);
    CHECK(s2.v[5].lo == s.v[5].lo);
    CHECK(s2.fpsr == s.fpsr);
    CHECK(std::memcmp(&sys2, &sys, sizeof sys) == 0);
}

TEST_CASE("vCPU register sync skips registers the kernel does not list") {
    FakeKvm k;
    k.listed_regs = kernel_reg_list(false, false);
    int fd = k.create_vcpu(k.create_vm(0), 0);
    KvmRegSet present(k.listed_regs.begin(), k.listed_regs.end());
    CpuState s;
    SysRegState sys;
    sys.pmcr_el0 = 0x41;
    sys.cntp_ctl_el0 = 1;
    REQUIRE_FALSE(kvm_set_vcpu_regs(k, fd, present, 0, s, sys));
    uint64_t v = 0;
    CHECK(k.get_one_reg(fd, sys_reg(3, 3, 9, 12, 0), &v) == -ENOENT);
    CHECK(k.get_one_reg(fd, KVM_REG_ARM_PTIMER_CTL, &v) == -ENOENT);
}

TEST_CASE("vCPU register sync reports a failing ONE_REG with the register's name") {
    FakeKvm k;
    k.listed_regs = kernel_reg_list(true, true);
    int fd = k.create_vcpu(k.create_vm(0), 0);
    KvmRegSet present(k.listed_regs.begin(), k.listed_regs.end());
    CpuState s;
    SysRegState sys;
    k.fail_reg = {{sys_reg(3, 0, 2, 0, 2), EINVAL}};
    auto err = kvm_set_vcpu_regs(k, fd, present, 0, s, sys);
    REQUIRE(err);
    CHECK(err->find("TCR_EL1") != std::string::npos);
    CHECK(err->find("-EINVAL") != std::string::npos);
    k.fail_reg = {{kRegPc, EFAULT}};
    err = kvm_get_vcpu_regs(k, fd, present, 0, s, sys);
    REQUIRE(err);
    CHECK(err->find("PC") != std::string::npos);
}

TEST_CASE("KVM VM: IPA size, memory slots, vCPU init with PSCI 0.2 and secondaries off") {
    FakeKvm k;
    KvmVm vm(k);
    vm.create(0x4000'0000ull + (1ull << 30) - 1);
    REQUIRE(k.vm_types.size() == 1);
    CHECK(k.vm_types[0] == vm_type_ipa_size(32)); // 2 GiB of address space: 32 bits
    std::vector<uint8_t> mem(1 << 16);
    vm.add_memory(0x4000'0000, mem.size(), mem.data());
    vm.add_memory(0x5000'0000, mem.size(), mem.data());
    REQUIRE(k.slots.size() == 2);
    CHECK(k.slots[1].slot == 1);
    CHECK(k.slots[1].guest_phys_addr == 0x5000'0000);
    CHECK(k.slots[0].userspace_addr == reinterpret_cast<uint64_t>(mem.data()));
    vm.create_vcpus(3);
    vm.init_vcpus();
    for (unsigned i = 0; i < 3; i++) {
        const auto& init = k.vcpus[i].init;
        REQUIRE(init);
        CHECK(init->target == 5);
        CHECK((init->features[0] & (1u << KVM_ARM_VCPU_PSCI_0_2)) != 0);
        CHECK(((init->features[0] & (1u << KVM_ARM_VCPU_POWER_OFF)) != 0) == (i != 0));
    }
    // A guest beyond the host's IPA range is refused with the numbers.
    FakeKvm small;
    small.caps[KVM_CAP_ARM_VM_IPA_SIZE] = 40;
    KvmVm big(small);
    CHECK_THROWS_WITH_AS(big.create(1ull << 44), doctest::Contains("45-bit"), KvmError);
}

namespace {

struct LoopDevice : Device {
    std::vector<std::pair<uint64_t, uint64_t>> writes;
    const char* name() const override { return "loop"; }
    MemResult read(uint64_t off, unsigned, uint64_t& v) override {
        v = 0x1122334455667788ull + off;
        return MemResult::Ok;
    }
    MemResult write(uint64_t off, unsigned, uint64_t v) override {
        writes.emplace_back(off, v);
        return MemResult::Ok;
    }
};

void mmio_exit(Run& r, uint64_t pa, unsigned len, bool write, uint64_t v = 0) {
    r.exit_reason = KVM_EXIT_MMIO;
    r.mmio.phys_addr = pa;
    r.mmio.len = len;
    r.mmio.is_write = write;
    std::memcpy(r.mmio.data, &v, 8);
}

} // namespace

TEST_CASE("KVM run loop: MMIO exits reach the device models, SYSTEM_EVENT stops the VM") {
    FakeKvm k;
    KvmVm vm(k);
    vm.create(0x5000'0000);
    vm.create_vcpus(2);
    vm.init_vcpus();
    Bus bus;
    LoopDevice dev;
    bus.add_device(0x0900'0000, 0x1000, &dev);
    KvmExitHandlers h;
    h.mmio_read = [&](uint64_t pa, unsigned n, uint64_t& v) { return bus.read(pa, n, v); };
    h.mmio_write = [&](uint64_t pa, unsigned n, uint64_t v) { return bus.write(pa, n, v); };

    uint64_t read_back = 0;
    auto& script = k.vcpus[0].script;
    script.push_back([](Run& r) { mmio_exit(r, 0x0900'0010, 4, true, 0xabcd); });
    script.push_back([](Run& r) { mmio_exit(r, 0x0900'0008, 8, false); });
    script.push_back([&](Run& r) {
        std::memcpy(&read_back, r.mmio.data, 8); // what the guest's load receives
        mmio_exit(r, 0x0a00'0000, 4, true, 1);   // nothing there
    });
    script.push_back([](Run& r) {
        r.exit_reason = KVM_EXIT_SYSTEM_EVENT;
        r.system_event.type = KVM_SYSTEM_EVENT_RESET;
    });
    // vCPU 1 is powered off: it waits in KVM_RUN until it is kicked, in
    // each of the three runs below.
    for (int n = 0; n < 3; n++)
        k.vcpus[1].script.push_back([&](Run& r) {
            while (!__atomic_load_n(&r.immediate_exit, __ATOMIC_ACQUIRE))
                std::this_thread::yield();
            r.exit_reason = KVM_EXIT_INTR;
        });
    CHECK(vm.run(h) == KvmStop::Reset);
    REQUIRE(dev.writes.size() == 1);
    CHECK(dev.writes[0] == std::pair<uint64_t, uint64_t>{0x10, 0xabcd});
    CHECK(read_back == 0x1122334455667790ull);
    CHECK(vm.unhandled_mmio() == 1);

    // Power-off, and a failure with the kernel's reason.
    script.push_back([](Run& r) {
        r.exit_reason = KVM_EXIT_SYSTEM_EVENT;
        r.system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
    });
    CHECK(vm.run(h) == KvmStop::PowerOff);
    script.push_back([](Run& r) {
        r.exit_reason = KVM_EXIT_ARM_NISV;
        r.arm_nisv.fault_ipa = 0x0900'0000;
    });
    CHECK(vm.run(h) == KvmStop::Error);
    CHECK(vm.error().find("0x9000000") != std::string::npos);
}

TEST_CASE("KVM board: RAM slot, vGIC, guest loaded, vCPU 0 at the entry with x0 = DTB; UART "
          "output through MMIO exits") {
    TempDir dir;
    // A raw "kernel": a few words (it never runs; the fake scripts the exits).
    std::string kernel = dir.file("k.bin", std::vector<uint8_t>(64, 0));
    VirtConfig cfg;
    cfg.kernel = kernel;
    cfg.smp = 2;
    cfg.serial = "file:" + dir.path("serial.txt");
    FakeKvm k;
    {
        KvmVirtMachine m(cfg, k);
        REQUIRE(k.slots.size() == 1);
        CHECK(k.slots[0].guest_phys_addr == virt::kRamBase);
        CHECK(k.slots[0].memory_size == cfg.ram_size);
        CHECK(k.vgic.initialized());
        CHECK(m.bus().find(virt::kRtcBase) != nullptr); // the TCG board's devices
        CHECK(m.start_pc() == virt::kRamBase + kRawLoadOffset);
        CHECK(reg<uint64_t>(k, FakeKvm::kFirstVcpuFd, kRegPc) == m.start_pc());
        CHECK(reg<uint64_t>(k, FakeKvm::kFirstVcpuFd, core_x(0)) == m.dtb_addr());
        // The DTB is in guest RAM.
        uint32_t magic = 0;
        REQUIRE(m.bus().read_block(m.dtb_addr(), &magic, 4));
        CHECK(magic == 0xedfe0dd0u);
        for (char c : std::string("hi\n"))
            k.vcpus[0].script.push_back(
                [c](Run& r) { mmio_exit(r, virt::kUartBase, 4, true, static_cast<uint8_t>(c)); });
        // UART interrupt: enable TX interrupt (IMSC bit 5) -> the line rises.
        k.vcpus[0].script.push_back(
            [](Run& r) { mmio_exit(r, virt::kUartBase + 0x38, 4, true, 1u << 5); });
        CHECK(m.run() == 0); // the script ends with SYSTEM_OFF
        CHECK(k.vgic.spi_line(32 + virt::kUartSpi));
    }
    std::ifstream f(dir.path("serial.txt"));
    std::stringstream ss;
    ss << f.rdbuf();
    CHECK(ss.str() == "hi\n");
}

TEST_CASE("KVM board snapshot self-test: state saved at SNAPSHOT-POINT, restored once at "
          "RESTORE-POINT") {
    TempDir dir;
    VirtConfig cfg;
    cfg.kernel = dir.file("k.bin", std::vector<uint8_t>(64, 0));
    cfg.serial = "null";
    FakeKvm k;
    k.listed_regs = kernel_reg_list(true, true);
    KvmVirtMachine m(cfg, k);
    m.enable_snapshot_selftest();
    auto& script = k.vcpus[0].script;
    auto say = [&](const std::string& line) {
        for (char c : line + "\n")
            script.push_back(
                [c](Run& r) { mmio_exit(r, virt::kUartBase, 4, true, static_cast<uint8_t>(c)); });
    };
    const uint64_t ram_probe = virt::kRamBase + 0x10'0000;
    uint64_t pc_at_snapshot = 0x4008'1234;
    script.push_back([&](Run& r) {
        uint64_t pc = pc_at_snapshot;
        REQUIRE(k.set_one_reg(FakeKvm::kFirstVcpuFd, kRegPc, &pc) == 0);
        uint8_t one = 1;
        REQUIRE(m.bus().write_block(ram_probe, &one, 1));
        r.exit_reason = KVM_EXIT_INTR;
    });
    say("SNAPSHOT-POINT");
    // After the snapshot the guest moves on: other PC, RAM, GIC state.
    script.push_back([&](Run& r) {
        uint64_t pc = 0x4009'0000;
        REQUIRE(k.set_one_reg(FakeKvm::kFirstVcpuFd, kRegPc, &pc) == 0);
        uint8_t two = 2;
        REQUIRE(m.bus().write_block(ram_probe, &two, 1));
        m.gic().set_spi(40, true);
        r.exit_reason = KVM_EXIT_INTR;
    });
    say("RESTORE-POINT");
    uint64_t pc_after = 0;
    uint8_t ram_after = 0;
    script.push_back([&](Run& r) {
        REQUIRE(k.get_one_reg(FakeKvm::kFirstVcpuFd, kRegPc, &pc_after) == 0);
        REQUIRE(m.bus().read_block(ram_probe, &ram_after, 1));
        r.exit_reason = KVM_EXIT_INTR;
    });
    say("RESTORE-POINT"); // a second time: no second restore
    CHECK(m.run() == 0);
    CHECK(pc_after == pc_at_snapshot);
    CHECK(ram_after == 1);
    CHECK_FALSE(k.vgic.spi_line(40)); // the line level of the snapshot
}

TEST_CASE("KVM board refuses what the kernel cannot do, with a message") {
    TempDir dir;
    const std::string kernel = dir.file("k.bin", std::vector<uint8_t>(64, 0));
    FakeKvm k;
    VirtConfig v41;
    v41.kernel = kernel;
    v41.gic_version = "4.1";
    CHECK_THROWS_WITH_AS(KvmVirtMachine(v41, k), doctest::Contains("GICv3"), MachineError);
    VirtConfig many;
    many.kernel = kernel;
    many.smp = 124;
    CHECK_THROWS_WITH_AS(KvmVirtMachine(many, k), doctest::Contains("1 to 123"), MachineError);
}

TEST_CASE("-accel and -cpu host on the command line") {
    auto parse = [](std::vector<std::string> a) { return parse_command_line(a); };
    CHECK(parse({}).accel == std::vector<std::string>{"tcg"});
    CHECK(parse({"-accel", "kvm"}).accel == std::vector<std::string>{"kvm"});
    CHECK(parse({"-accel", "kvm:tcg"}).accel == std::vector<std::string>{"kvm", "tcg"});
    CHECK(parse({"-M", "virt,accel=kvm"}).accel == std::vector<std::string>{"kvm"});
    CHECK(parse({"-enable-kvm"}).accel == std::vector<std::string>{"kvm"});
    CHECK(parse({"-cpu", "host"}).cpu_host);
    CHECK_THROWS_WITH_AS(parse({"-accel", "kvm:kvm"}), doctest::Contains("twice"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-accel", "hvf"}), doctest::Contains("hvf"), CliError);
}

TEST_CASE("Choosing the accelerator: KVM, a fallback with a notice, or a clear error") {
    KvmAvailability ok;
    KvmAvailability x86 = kvm_availability_from(false, 0, "x86_64");
    KvmAvailability nodev = kvm_availability_from(true, ENOENT, "aarch64");
    KvmAvailability noperm = kvm_availability_from(true, EACCES, "aarch64");
    CHECK(x86.status == KvmAvailability::NotArm64);
    CHECK(x86.message.find("x86_64, not arm64") != std::string::npos);
    CHECK(nodev.status == KvmAvailability::NoDevice);
    CHECK(nodev.message.find("/dev/kvm does not exist") != std::string::npos);
    CHECK(noperm.status == KvmAvailability::NoPermission);
    CHECK(noperm.message.find("no permission") != std::string::npos);

    AccelDecision d = choose_accelerator({"kvm"}, false, ok);
    CHECK(d.kvm);
    CHECK(d.error.empty());
    for (const KvmAvailability& bad : {x86, nodev, noperm}) {
        d = choose_accelerator({"kvm"}, false, bad);
        CHECK_FALSE(d.kvm);
        CHECK(d.error == "-accel kvm: " + bad.message);
        d = choose_accelerator({"kvm", "tcg"}, false, bad);
        CHECK_FALSE(d.kvm);
        CHECK(d.error.empty());
        CHECK(d.notice.find("falling back to tcg") != std::string::npos);
        d = choose_accelerator({"kvm", "tcg"}, true, bad); // -cpu host cannot fall back
        CHECK(d.error.find("-cpu host") != std::string::npos);
    }
    d = choose_accelerator({"tcg"}, true, ok);
    CHECK(d.error.find("-cpu host is only available with -accel kvm") != std::string::npos);
    d = choose_accelerator({"kvm"}, true, ok);
    CHECK(d.kvm);
    CHECK(d.error.empty());
}
