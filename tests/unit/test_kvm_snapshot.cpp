// The KVM board's snapshots (KvmVirtSnapshot) against the fake kernel and
// the vGIC model: the same stream as the TCG board's in both directions,
// vCPU power states, ioctl errors on save and load, and GICD_TYPER2
// mismatches at start-up and at run time on every kernel behaviour.
#include "accel/kvm/kvm_vcpu_regs.hpp"
#include "cpu/guest_counter.hpp"
#include "cpu/sysreg.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_state_diff.hpp"
#include "machine/virt/kvm_control.hpp"
#include "machine/virt/kvm_virt_machine.hpp"
#include "machine/virt/kvm_virt_snapshot.hpp"
#include "machine/virt/memory_map.hpp"
#include "machine/virt/virt_machine.hpp"
#include "machine/virt/virt_snapshot.hpp"
#include "tests/common/gic_guest_state.hpp"
#include "tests/unit/fake_kvm.hpp"
#include "tests/unit/temp_files.hpp"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <mutex>
#include <thread>

using namespace kestrel;
using namespace kestrel::test;
using namespace kestrel::kvm;
namespace g = kestrel::gic;

namespace {

constexpr uint32_t kCap = g::kTyper2NassgiCap;
const KernelBehaviour kAllKernels[] = {KernelBehaviour::PreGicV41, KernelBehaviour::V57to616,
                                       KernelBehaviour::V617};
const uint64_t kProbe = virt::kRamBase + 0x20'0000;

// Every register the kernel lists (vPMU and physical timer included).
std::vector<uint64_t> all_kernel_regs() {
    std::vector<uint64_t> ids;
    for (const KvmSysRegMap& m : kvm_sysreg_map())
        ids.push_back(m.id);
    ids.push_back(KVM_REG_ARM_TIMER_CNT);
    return ids;
}

struct Board {
    TempDir dir;
    VirtConfig cfg;
    explicit Board(unsigned smp) {
        cfg.kernel = dir.file("k.bin", std::vector<uint8_t>(64, 0));
        cfg.serial = "null";
        cfg.smp = smp;
    }
};

struct KvmBoard {
    FakeKvm k;
    std::unique_ptr<KvmVirtMachine> m;
    std::vector<std::string> warnings;
    KvmBoard(const VirtConfig& cfg, KernelBehaviour b = KernelBehaviour::V617,
             HostGic host = HostGic::V3, bool restore_at_start = false)
        : k(b, VgicHost{host}) {
        k.listed_regs = all_kernel_regs();
        m = std::make_unique<KvmVirtMachine>(cfg, k, restore_at_start);
        m->gic().warn = [this](const std::string& w) { warnings.push_back(w); };
    }
    int fd(unsigned i) const { return FakeKvm::kFirstVcpuFd + static_cast<int>(i); }
    uint64_t reg(unsigned i, uint64_t id) {
        uint8_t b[16] = {};
        REQUIRE(k.get_one_reg(fd(i), id, b) == 0);
        uint64_t v;
        std::memcpy(&v, b, 8);
        return v;
    }
    void set(unsigned i, uint64_t id, uint64_t v) {
        uint8_t b[16] = {};
        std::memcpy(b, &v, 8);
        REQUIRE(k.set_one_reg(fd(i), id, b) == 0);
    }
    GicV3State pull() {
        GicV3State s;
        auto e = m->gic().pull_from_kernel(s);
        REQUIRE_MESSAGE(!e, *e);
        return s;
    }
    std::vector<uint8_t> save() { return KvmVirtSnapshot(*m).save(); }
    void load(const std::vector<uint8_t>& stream) {
        KvmVirtSnapshot s(*m);
        s.warn = [this](const std::string& w) { warnings.push_back(w); };
        s.load(stream);
    }
    uint8_t probe() {
        uint8_t v = 0;
        REQUIRE(m->bus().read_block(kProbe, &v, 1));
        return v;
    }
    void set_probe(uint8_t v) { REQUIRE(m->bus().write_block(kProbe, &v, 1)); }
};

// A GIC state as a running Linux guest leaves it, with the virtual timer
// PPI enabled and Linux's LPI tables.
GicV3State guest_like(GicV3State s) {
    s = test::guest_like_gic_state(s);
    test::set_linux_lpi_tables(s);
    for (GicV3CpuState& c : s.cpu)
        c.enabled |= 0x08000000;
    return s;
}

// A distinct value for register number n of vCPU i.
uint64_t val(unsigned i, unsigned n) {
    return 0x1000'0000'0000ull * (i + 1) + 0x10'0000ull * (n + 1) + 0x5a;
}

// Guest-like register values for vCPU/core i: the general, FP/SIMD and
// every system register KVM syncs. PSTATE: EL1h, interrupts masked, NZCV.
struct CpuValues {
    CpuState s;
    SysRegState sys;
};
CpuValues cpu_values(unsigned i) {
    CpuValues v;
    for (unsigned n = 0; n < 31; n++)
        v.s.x[n] = val(i, n);
    v.s.sp_el[0] = val(i, 40);
    v.s.sp_el[1] = val(i, 41);
    v.s.pc = virt::kRamBase + 0x8'0000 + 0x100 * i;
    v.s.el = 1;
    v.s.spsel = 1;
    v.s.daif = 0x3c0;
    v.s.nzcv = 0x60000000;
    for (unsigned n = 0; n < 32; n++)
        v.s.v[n] = VReg{val(i, 50 + n), ~val(i, 50 + n)};
    v.s.fpsr = 0x8000010;
    v.s.fpcr = 0x3000000;
    unsigned n = 100;
    for (const KvmSysRegMap& m : kvm_sysreg_map()) {
        if (m.field) v.sys.*(m.field) = val(i, n++);
    }
    for (unsigned d = 0; d < 16; d++) {
        v.sys.dbgbvr[d] = val(i, 200 + d);
        v.sys.dbgbcr[d] = d;
        v.sys.dbgwvr[d] = val(i, 220 + d);
        v.sys.dbgwcr[d] = d + 1;
    }
    v.sys.elr_el1 = val(i, 300);
    v.sys.spsr_el1 = 0x3c5;
    return v;
}

void check_cpu(const CpuState& s, const SysRegState& sys, const CpuValues& want) {
    CHECK(std::equal(std::begin(s.x), std::end(s.x), std::begin(want.s.x)));
    CHECK(s.sp_el[0] == want.s.sp_el[0]);
    CHECK(s.sp_el[1] == want.s.sp_el[1]);
    CHECK(s.pc == want.s.pc);
    CHECK(s.el == want.s.el);
    CHECK(s.spsel == want.s.spsel);
    CHECK(s.daif == want.s.daif);
    CHECK(s.nzcv == want.s.nzcv);
    CHECK(std::memcmp(s.v, want.s.v, sizeof s.v) == 0);
    CHECK(s.fpsr == want.s.fpsr);
    CHECK(s.fpcr == want.s.fpcr);
    for (const KvmSysRegMap& m : kvm_sysreg_map())
        if (m.field) {
            CAPTURE(m.name);
            CHECK(sys.*(m.field) == want.sys.*(m.field));
        }
    for (unsigned d = 0; d < 16; d++) {
        CHECK(sys.dbgbvr[d] == want.sys.dbgbvr[d]);
        CHECK(sys.dbgwcr[d] == want.sys.dbgwcr[d]);
    }
    CHECK(sys.elr_el1 == want.sys.elr_el1);
    CHECK(sys.spsr_el1 == want.sys.spsr_el1);
}

// Puts the values into a (fake) vCPU through the kernel interface itself,
// as a running guest would have left them.
void put_into_vcpu(KvmBoard& b, unsigned i, const CpuValues& v) {
    for (unsigned n = 0; n < 31; n++)
        b.set(i, core_x(n), v.s.x[n]);
    b.set(i, kRegSpEl0, v.s.sp_el[0]);
    b.set(i, kRegSpEl1, v.s.sp_el[1]);
    b.set(i, kRegPc, v.s.pc);
    b.set(i, kRegPstate, 0x600003c5); // NZCV=0110, DAIF masked, EL1h
    for (unsigned n = 0; n < 32; n++) {
        uint8_t q[16];
        std::memcpy(q, &v.s.v[n].lo, 8);
        std::memcpy(q + 8, &v.s.v[n].hi, 8);
        REQUIRE(b.k.set_one_reg(b.fd(i), core_v(n), q) == 0);
    }
    b.set(i, kRegFpsr, v.s.fpsr);
    b.set(i, kRegFpcr, v.s.fpcr);
    b.set(i, kRegElrEl1, v.sys.elr_el1);
    b.set(i, kRegSpsrEl1, v.sys.spsr_el1);
    for (const KvmSysRegMap& m : kvm_sysreg_map()) {
        if (m.field) {
            b.set(i, m.id, v.sys.*(m.field));
            continue;
        }
        const unsigned crm = (m.id >> 3) & 0xf, op2 = m.id & 7;
        const uint64_t* arr = op2 == 4   ? v.sys.dbgbvr
                              : op2 == 5 ? v.sys.dbgbcr
                              : op2 == 6 ? v.sys.dbgwvr
                                         : v.sys.dbgwcr;
        b.set(i, m.id, arr[crm]);
    }
}

void check_vcpu(KvmBoard& b, unsigned i, const CpuValues& want) {
    for (unsigned n = 0; n < 31; n++)
        CHECK(b.reg(i, core_x(n)) == want.s.x[n]);
    CHECK(b.reg(i, kRegSpEl0) == want.s.sp_el[0]);
    CHECK(b.reg(i, kRegSpEl1) == want.s.sp_el[1]);
    CHECK(b.reg(i, kRegPc) == want.s.pc);
    CHECK(b.reg(i, kRegPstate) == 0x600003c5);
    for (unsigned n = 0; n < 32; n++) {
        uint8_t q[16];
        REQUIRE(b.k.get_one_reg(b.fd(i), core_v(n), q) == 0);
        CHECK(std::memcmp(q, &want.s.v[n].lo, 8) == 0);
        CHECK(std::memcmp(q + 8, &want.s.v[n].hi, 8) == 0);
    }
    CHECK(b.reg(i, kRegFpsr) == want.s.fpsr);
    CHECK(b.reg(i, kRegFpcr) == want.s.fpcr);
    CHECK(b.reg(i, kRegElrEl1) == want.sys.elr_el1);
    for (const KvmSysRegMap& m : kvm_sysreg_map())
        if (m.field) {
            CAPTURE(m.name);
            CHECK(b.reg(i, m.id) == want.sys.*(m.field));
        }
    CHECK(b.reg(i, sys_reg(2, 0, 0, 3, 4)) == want.sys.dbgbvr[3]);
}

uint32_t mp_state(KvmBoard& b, unsigned i) {
    uint32_t s = 99;
    REQUIRE(b.k.get_mp_state(b.fd(i), s) == 0);
    return s;
}

bool has(const std::vector<std::string>& v, const std::string& needle) {
    for (const auto& s : v)
        if (s.find(needle) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("KVM board snapshot: the same sections and descriptions as the TCG board's") {
    Board b(2);
    b.cfg.virtio.push_back({VirtioDeviceConfig::Kind::Rng, "", false});
    KvmBoard kb(b.cfg);
    VirtMachine tm(b.cfg);
    KvmVirtSnapshot ks(*kb.m);
    VirtSnapshot ts(tm);
    CHECK(ks.describe_format() == ts.describe_format());
    CHECK(ks.config() == ts.config());
    std::vector<std::string> names;
    for (auto* o : ks.objects())
        names.push_back(std::string(o->name()) + "/" + std::to_string(o->instance()));
    CHECK(names == std::vector<std::string>{"virt-board/0", "cpu/0", "cpu/1", "gicv3/0", "pl011/0",
                                            "pl031/0", "virtio-mmio/0"});
}

TEST_CASE("Interchange: a KVM board's snapshot loads into the TCG board with the same CPU and "
          "GIC registers") {
    Board b(2);
    KvmBoard kb(b.cfg);
    const CpuValues v0 = cpu_values(0), v1 = cpu_values(1);
    put_into_vcpu(kb, 0, v0);
    put_into_vcpu(kb, 1, v1); // vCPU 1 stays powered off (never CPU_ON)
    const uint64_t vcnt = 0x1234'5678;
    kb.set(0, KVM_REG_ARM_TIMER_CNT, vcnt);
    const GicV3State pushed = guest_like(kb.m->gic().reset_state());
    REQUIRE_FALSE(kb.m->gic().push_to_kernel(pushed));
    kb.set_probe(0xa5);
    const auto stream = kb.save();
    CHECK(savevm::config_value(savevm::read_snapshot_config(stream), "info.accel") == "kvm");

    VirtMachine tm(b.cfg);
    VirtSnapshot(tm).load(stream);
    check_cpu(tm.cpus()[0]->s, tm.cpus()[0]->sys, v0);
    check_cpu(tm.cpus()[1]->s, tm.cpus()[1]->sys, v1);
    CHECK(tm.cpus()[0]->run_state == CpuRunState::Running);
    CHECK(tm.cpus()[1]->run_state == CpuRunState::Off);
    // The guest's virtual count goes on from where the kernel had it.
    const uint64_t virt_now = guest_counter_ticks() - tm.cpus()[0]->sys.cntvoff_el2;
    CHECK(virt_now >= vcnt);
    CHECK(virt_now - vcnt < kCounterFrequencyHz); // less than a second later
    // What KVM has no register for keeps the TCG core's reset value.
    VirtMachine fresh(b.cfg);
    CHECK(tm.cpus()[1]->sys.oslsr_el1 == fresh.cpus()[1]->sys.oslsr_el1);
    CHECK(tm.cpus()[1]->sys.cntfrq_el0 == fresh.cpus()[1]->sys.cntfrq_el0);
    // The GIC: every register the guest programmed, and the ID registers
    // of this board's GICv3.
    auto d = gic_state_diff(tm.gic().state(), pushed, {.its = false});
    CHECK_MESSAGE(d.empty(), d.front());
    // No ITS under KVM: the TCG board's ITS comes back at its reset state.
    CHECK(tm.gic().state().its == fresh.gic().state().its);
    CHECK(tm.gic().state().gicd_typer == fresh.gic().state().gicd_typer);
    CHECK(tm.gic().state().cpu[1].gicr_typer == fresh.gic().state().cpu[1].gicr_typer);
    CHECK(tm.gic().state().gicd_typer2 == 0);
    uint8_t probe = 0;
    REQUIRE(tm.bus().read_block(kProbe, &probe, 1));
    CHECK(probe == 0xa5);
}

TEST_CASE("Interchange: a TCG board's snapshot loads into the KVM board with the same CPU and "
          "GIC registers, at start-up and at run time") {
    for (bool start_up : {true, false}) {
        CAPTURE(start_up);
        Board b(3);
        VirtMachine tm(b.cfg);
        const CpuValues v[3] = {cpu_values(0), cpu_values(1), cpu_values(2)};
        for (unsigned i = 0; i < 3; i++) {
            tm.cpus()[i]->s = v[i].s;
            tm.cpus()[i]->sys = v[i].sys;
        }
        tm.cpus()[1]->run_state = CpuRunState::WaitForInterrupt;
        tm.cpus()[2]->run_state = CpuRunState::Off;
        const GicV3State soft = guest_like(tm.gic().state());
        tm.gic().load_state(soft);
        uint8_t probe = 0x3c;
        REQUIRE(tm.bus().write_block(kProbe, &probe, 1));
        const auto stream = VirtSnapshot(tm).save();

        KvmBoard kb(b.cfg, KernelBehaviour::V617, HostGic::V3, start_up);
        CHECK(kb.k.vgic.initialized() == !start_up);
        kb.load(stream);
        CHECK(kb.k.vgic.initialized());
        CHECK(kb.warnings.empty());
        for (unsigned i = 0; i < 3; i++) {
            CAPTURE(i);
            check_vcpu(kb, i, v[i]);
        }
        CHECK(mp_state(kb, 0) == KVM_MP_STATE_RUNNABLE);
        CHECK(mp_state(kb, 1) == KVM_MP_STATE_RUNNABLE); // WFI: runs on (and waits again)
        CHECK(mp_state(kb, 2) == KVM_MP_STATE_STOPPED);
        auto d = gic_state_diff(kb.pull(), soft, {.its = false});
        CHECK_MESSAGE(d.empty(), d.front());
        CHECK(kb.probe() == 0x3c);
        // ...and back into the TCG board: the same state again, including
        // what KVM holds no register for.
        VirtMachine back(b.cfg);
        VirtSnapshot(back).load(kb.save());
        for (unsigned i = 0; i < 3; i++)
            check_cpu(back.cpus()[i]->s, back.cpus()[i]->sys, v[i]);
        CHECK(back.cpus()[2]->run_state == CpuRunState::Off);
        CHECK(back.cpus()[0]->sys.cntfrq_el0 == v[0].sys.cntfrq_el0);
        auto d2 = gic_state_diff(back.gic().state(), soft, {.its = false});
        CHECK_MESSAGE(d2.empty(), d2.front());
    }
}

TEST_CASE("KVM board snapshot: SMP power states round trip (running and powered-off secondaries)") {
    Board b(3);
    KvmBoard src(b.cfg);
    // The guest turned vCPU 1 on (PSCI CPU_ON); vCPU 2 is still off.
    REQUIRE(src.k.set_mp_state(src.fd(1), KVM_MP_STATE_RUNNABLE) == 0);
    const auto stream = src.save();
    KvmBoard dst(b.cfg);
    // The destination had its vCPUs the other way round.
    REQUIRE(dst.k.set_mp_state(dst.fd(2), KVM_MP_STATE_RUNNABLE) == 0);
    dst.load(stream);
    CHECK(mp_state(dst, 0) == KVM_MP_STATE_RUNNABLE);
    CHECK(mp_state(dst, 1) == KVM_MP_STATE_RUNNABLE);
    CHECK(mp_state(dst, 2) == KVM_MP_STATE_STOPPED);
    // A TCG core halted by a semihosting exit cannot become a vCPU.
    VirtMachine tm(b.cfg);
    tm.cpus()[1]->run_state = CpuRunState::Halted;
    const uint64_t pc_before = dst.reg(0, kRegPc);
    CHECK_THROWS_WITH_AS(dst.load(VirtSnapshot(tm).save()), doctest::Contains("halted"),
                         savevm::LoadError);
    CHECK(dst.reg(0, kRegPc) == pc_before);
}

TEST_CASE("KVM board snapshot: an ioctl error while saving fails the save with the kernel's "
          "answer") {
    Board b(2);
    KvmBoard kb(b.cfg);
    SUBCASE("SAVE_PENDING_TABLES") {
        kb.k.fail_attr = FakeKvm::AttrFailure{KVM_DEV_ARM_VGIC_GRP_CTRL,
                                              KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, EFAULT};
        CHECK_THROWS_WITH_AS(kb.save(), doctest::Contains("SAVE_PENDING_TABLES failed: -EFAULT"),
                             SnapshotSaveError);
    }
    SUBCASE("a vGIC register") {
        kb.k.fail_attr = FakeKvm::AttrFailure{KVM_DEV_ARM_VGIC_GRP_DIST_REGS, g::d::CTLR, EFAULT};
        CHECK_THROWS_WITH_AS(kb.save(), doctest::Contains("-EFAULT"), SnapshotSaveError);
    }
    SUBCASE("a vCPU register") {
        kb.k.fail_reg = {{kRegPc, EFAULT}};
        CHECK_THROWS_WITH_AS(kb.save(), doctest::Contains("KVM_GET_ONE_REG PC: -EFAULT"),
                             SnapshotSaveError);
    }
    SUBCASE("the power state") {
        kb.k.fail_get_mp = EINVAL;
        CHECK_THROWS_WITH_AS(kb.save(), doctest::Contains("KVM_GET_MP_STATE of vCPU 0: -EINVAL"),
                             SnapshotSaveError);
    }
}

TEST_CASE("KVM board snapshot: an ioctl error while installing fails the load as partial") {
    Board b(2);
    KvmBoard src(b.cfg);
    const auto stream = src.save();
    KvmBoard dst(b.cfg);
    std::string want;
    SUBCASE("a vCPU register") {
        dst.k.fail_reg = {{kRegPc, EFAULT}};
        want = "KVM_SET_ONE_REG PC: -EFAULT";
    }
    SUBCASE("the power state") {
        dst.k.fail_set_mp = EINVAL;
        want = "KVM_SET_MP_STATE";
    }
    SUBCASE("a vGIC register") {
        dst.k.fail_attr = FakeKvm::AttrFailure{KVM_DEV_ARM_VGIC_GRP_DIST_REGS, g::d::CTLR, EFAULT};
        want = "writing 0x50 to GICD+0x0: -EFAULT";
    }
    try {
        dst.load(stream);
        FAIL("the load succeeded");
    } catch (const savevm::PartialLoadError& e) {
        const std::string m = e.what();
        CAPTURE(m);
        CHECK(m.find(want) != std::string::npos);
        CHECK(m.find("may be partial") != std::string::npos);
    }
}

TEST_CASE("KVM board snapshot: a GICv4.1 TCG snapshot is refused with what TYPER2 says") {
    Board b(1);
    b.cfg.gic_version = "4.1";
    VirtMachine tm(b.cfg);
    const auto stream = VirtSnapshot(tm).save();
    Board kcfg(1);
    KvmBoard kb(kcfg.cfg, KernelBehaviour::V617, HostGic::V41Vsgi);
    kb.set_probe(7);
    CHECK_THROWS_WITH_AS(kb.load(stream), doctest::Contains("gic-version=4.1"), savevm::LoadError);
    CHECK_THROWS_WITH_AS(kb.load(stream), doctest::Contains("TYPER2"), savevm::LoadError);
    CHECK(kb.probe() == 7);
}

TEST_CASE("KVM board snapshot: GICD_TYPER2 mismatch at start-up and at run time, every kernel") {
    for (KernelBehaviour k : kAllKernels) {
        for (auto [src_host, dst_host] :
             {std::pair{HostGic::V3, HostGic::V41Vsgi}, std::pair{HostGic::V41Vsgi, HostGic::V3}}) {
            for (bool start_up : {true, false}) {
                const bool to_v41 = dst_host == HostGic::V41Vsgi;
                const std::string kernel_name = behaviour_name(k);
                CAPTURE(kernel_name);
                CAPTURE(to_v41 ? "v3 -> v4.1 host" : "v4.1 -> v3 host");
                CAPTURE(start_up ? "start-up (-loadvm/-incoming)" : "running VM (loadvm)");
                Board b(2);
                // A GICv4.1 snapshot needs a kernel that shows nASSGIcap.
                const KernelBehaviour src_kernel =
                    (!to_v41 && k == KernelBehaviour::PreGicV41) ? KernelBehaviour::V617 : k;
                KvmBoard src(b.cfg, src_kernel, src_host);
                src.set_probe(1);
                src.set(0, kRegPc, 0x4008'0000);
                const auto stream = src.save();
                const uint32_t src_t2 = src.pull().gicd_typer2;
                REQUIRE(src_t2 == (to_v41 ? 0u : kCap));

                KvmBoard dst(b.cfg, k, dst_host, start_up);
                dst.set_probe(2);
                dst.set(0, kRegPc, 0x4009'0000);
                const uint32_t dst_t2 = dst.k.vgic.typer2();
                enum { Ok, OkIgnored, Refused } want;
                std::string want_errno;
                if (src_t2 == dst_t2) {
                    want = Ok;
                } else if (k == KernelBehaviour::PreGicV41) {
                    want = OkIgnored;
                } else if (k == KernelBehaviour::V57to616) {
                    want = Refused;
                    want_errno = "-EINVAL";
                } else if (!start_up) {
                    want = Refused;
                    want_errno = "-EBUSY";
                } else if (to_v41) {
                    want = Ok; // 6.17 start-up: nASSGIcap turned off before CTRL_INIT
                } else {
                    want = Refused; // nASSGIcap=1 on a host without vSGIs
                    want_errno = "-EINVAL";
                }
                if (want == Refused) {
                    try {
                        dst.load(stream);
                        FAIL("the load succeeded");
                    } catch (const savevm::PartialLoadError& e) {
                        FAIL((std::string("a refusal must come before anything changes: ") +
                              e.what()));
                    } catch (const savevm::LoadError& e) {
                        const std::string m = e.what();
                        CAPTURE(m);
                        CHECK(m.find("source GICD_TYPER2 " +
                                     std::string(src_t2 ? "0x100" : "0x0")) != std::string::npos);
                        CHECK(m.find("destination (this kernel's vGIC) GICD_TYPER2 " +
                                     std::string(dst_t2 ? "0x100" : "0x0")) != std::string::npos);
                        CHECK(m.find(want_errno) != std::string::npos);
                    }
                    // Nothing of the destination changed.
                    CHECK(dst.probe() == 2);
                    CHECK(dst.reg(0, kRegPc) == 0x4009'0000);
                    CHECK(dst.k.vgic.typer2() == dst_t2);
                } else {
                    REQUIRE_NOTHROW(dst.load(stream));
                    CHECK(dst.probe() == 1);
                    CHECK(dst.reg(0, kRegPc) == 0x4008'0000);
                    CHECK(has(dst.warnings, "ignored") == (want == OkIgnored));
                    CHECK(dst.k.vgic.typer2() == (want == OkIgnored ? dst_t2 : src_t2));
                }
            }
        }
    }
}

TEST_CASE("KVM monitor: stop/cont pause the vCPUs, savevm/loadvm/info on a running VM, errors "
          "reach the result") {
    Board b(2);
    KvmBoard kb(b.cfg);
    KvmControl ctl(*kb.m, b.dir.path("snaps"));
    std::vector<std::string> events;
    std::mutex ev_mu;
    ctl.on_event = [&](const std::string& name, const nlohmann::json&) {
        std::lock_guard lk(ev_mu);
        events.push_back(name);
    };
    // vCPU 0 runs guest code until kicked (a pause) or until finish.
    std::atomic<bool> finish{false};
    auto step = [&finish](Run& r) {
        while (!finish && !__atomic_load_n(&r.immediate_exit, __ATOMIC_ACQUIRE))
            std::this_thread::yield();
        r.exit_reason = KVM_EXIT_INTR;
    };
    for (int n = 0; n < 200; n++)
        kb.k.vcpus[0].script.push_back(step);
    kb.set(0, KVM_REG_ARM_TIMER_CNT, 5000);
    ctl.machine_started();
    int status = -1;
    std::thread runner([&] { status = kb.m->run(); });

    // A savevm while the vCPUs run: they are stopped for it and go on.
    auto r = ctl.savevm("running");
    REQUIRE_MESSAGE(r.ok, r.message);
    CHECK(ctl.running());

    ctl.stop();
    CHECK_FALSE(ctl.running());
    CHECK(kb.m->paused());
    const unsigned runs_at_stop = kb.k.vcpus[0].runs;
    // The host's counter moves on while the VM is stopped...
    kb.set(0, KVM_REG_ARM_TIMER_CNT, 99'000);
    kb.set(0, kRegPc, 0x4008'0000);
    kb.set_probe(1);
    r = ctl.savevm("t1");
    REQUIRE_MESSAGE(r.ok, r.message);
    CHECK(r.message.find("snapshot 't1'") != std::string::npos);
    kb.set(0, kRegPc, 0x4009'0000);
    kb.set_probe(2);
    r = ctl.loadvm("t1");
    REQUIRE_MESSAGE(r.ok, r.message);
    CHECK(kb.reg(0, kRegPc) == 0x4008'0000);
    CHECK(kb.probe() == 1);
    CHECK(ctl.info_cpus().find("CPU #0: pc=0x0000000040080000") != std::string::npos);
    CHECK(ctl.info_cpus().find("CPU #1") != std::string::npos);
    CHECK(ctl.info_registers(5).find("no CPU 5") != std::string::npos);
    CHECK_FALSE(ctl.info_gic().empty());
    CHECK(kb.k.vcpus[0].runs == runs_at_stop); // nothing ran while stopped

    // Errors: a failing ioctl on save leaves no snapshot; on load the
    // result says the state may be partial.
    kb.k.fail_attr = FakeKvm::AttrFailure{KVM_DEV_ARM_VGIC_GRP_CTRL,
                                          KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, EFAULT};
    r = ctl.savevm("broken");
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("SAVE_PENDING_TABLES") != std::string::npos);
    CHECK(ctl.snapshots().size() == 2);
    kb.k.fail_reg = {{kRegPc, EFAULT}};
    r = ctl.loadvm("t1");
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("may be partial") != std::string::npos);
    CHECK(r.message.find("KVM_SET_ONE_REG PC: -EFAULT") != std::string::npos);

    // ...and cont gives the guest the count it had at the stop: "t1" was
    // saved with it (not with what the host's counter moved on to), and the
    // loadvm of t1 restored it.
    kb.set(0, KVM_REG_ARM_TIMER_CNT, 123'456);
    ctl.cont();
    CHECK(ctl.running());
    CHECK_FALSE(kb.m->paused());
    const uint64_t vcnt = kb.reg(0, KVM_REG_ARM_TIMER_CNT);
    CHECK(vcnt >= 5000);
    CHECK(vcnt < 5000 + kCounterFrequencyHz / 10);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (kb.k.vcpus[0].runs == runs_at_stop && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    CHECK(kb.k.vcpus[0].runs > runs_at_stop); // running again

    finish = true;
    ctl.quit();
    runner.join();
    ctl.machine_finished();
    CHECK(status == 0);
    CHECK(ctl.shutdown_reason() == "host-qmp-quit");
    std::lock_guard lk(ev_mu);
    CHECK(events == std::vector<std::string>{"STOP", "RESUME"});
}

TEST_CASE("KVM monitor: -loadvm at start-up initialises the vGIC through the load") {
    Board b(1);
    std::string snaps = b.dir.path("snaps");
    {
        KvmBoard src(b.cfg);
        src.set(0, kRegPc, 0x4008'1000);
        KvmControl ctl(*src.m, snaps);
        REQUIRE(ctl.savevm("boot").ok);
    }
    KvmBoard dst(b.cfg, KernelBehaviour::V617, HostGic::V3, true);
    KvmControl ctl(*dst.m, snaps);
    CHECK_FALSE(dst.k.vgic.initialized());
    auto r = ctl.loadvm("boot");
    REQUIRE_MESSAGE(r.ok, r.message);
    CHECK(dst.k.vgic.initialized());
    CHECK(dst.reg(0, kRegPc) == 0x4008'1000);
    CHECK_FALSE(ctl.loadvm("missing").ok);
}
