// kvm-gic-check: the KVM-backed GIC against the real kernel. Run on an
// arm64 host (or inside scripts/test-kvm-nested): it creates VMs with the
// in-kernel vGICv3 and checks, on this kernel and host, what the unit tests
// check against the model: creation and TYPER2 before any push, reset,
// save/restore round trip, TYPER2 migration at start-up and at run time,
// and interchange with the software GIC. Prints one line per check and
// "N passed, N failed"; exit 0 all passed, 1 a check failed, 77 no usable KVM.
#include "accel/kvm/kvm_gic.hpp"
#include "accel/kvm/kvm_vm.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gic_state_diff.hpp"
#include "intc/gicv3/gicv3.hpp"
#include "tests/common/gic_guest_state.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <sys/utsname.h>
#include <vector>

using namespace kestrel;
namespace g = kestrel::gic;

namespace {

int passed = 0, failed = 0;

void result(bool ok, const std::string& name, const std::string& detail = {}) {
    (ok ? passed : failed)++;
    std::printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name.c_str(), detail.empty() ? "" : ": ",
                detail.c_str());
    std::fflush(stdout);
}

struct Vm {
    std::unique_ptr<KvmVm> vm;
    std::unique_ptr<KvmGic> gic;
    std::vector<std::string> warnings;
};

std::unique_ptr<Vm> make_vm(LinuxKvm& kvm, unsigned ncpus, bool init) {
    auto v = std::make_unique<Vm>();
    v->vm = std::make_unique<KvmVm>(kvm);
    v->vm->create(0x4000'0000 + (64 << 20));
    v->vm->create_vcpus(ncpus);
    GicConfig c;
    c.num_irqs = 256;
    c.cpu_mpidr = GicConfig::virt_mpidrs(ncpus);
    v->gic = std::make_unique<KvmGic>(kvm, v->vm->vm_fd(), c);
    v->gic->warn = [p = v.get()](const std::string& m) { p->warnings.push_back(m); };
    v->gic->create();
    v->vm->init_vcpus(); // vCPUs initialised before CTRL_INIT, as at board creation
    if (init) v->gic->init();
    return v;
}

GicV3State guest_like(GicV3State s) {
    s = test::guest_like_gic_state(s);
    s.pending[1] |= 0x1;
    return s;
}

std::string first(const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size() && i < 4; i++)
        out += (i ? "; " : "") + v[i];
    return out + (v.size() > 4 ? "; ..." : "");
}

} // namespace

int main() {
    LinuxKvm kvm;
    if (kvm.availability().status != KvmAvailability::Ok) {
        std::printf("SKIP: %s\n", kvm.availability().message.c_str());
        return 77;
    }
    struct utsname u {};
    uname(&u);
    std::printf("kernel %s\n", u.release);
    try {
        // --- creation ---------------------------------------------------------
        auto a = make_vm(kvm, 2, false);
        const bool pre_init = a->gic->typer2_before_init();
        a->gic->init();
        const uint32_t host_t2 = a->gic->kernel_typer2();
        std::printf("GICD_TYPER2 of this host's vGIC: 0x%x; readable before CTRL_INIT: %s "
                    "(yes only on 6.17+)\n",
                    host_t2, pre_init ? "yes" : "no");
        result((host_t2 & ~g::kTyper2NassgiCap) == 0, "creation: TYPER2 has nASSGIcap at most");
        GicV3State s;
        auto err = a->gic->pull_from_kernel(s);
        result(!err && s.gicd_typer2 == host_t2, "creation: pulled TYPER2 is the kernel's",
               err.value_or(""));
        auto d0 = gic_state_diff(s, a->gic->reset_state(), {.id_registers = true});
        result(d0.empty(), "creation: the kernel holds Kestrel's reset state", first(d0));

        // --- round trip ----------------------------------------------------------
        GicV3State prog = guest_like(a->gic->reset_state());
        err = a->gic->push_to_kernel(prog);
        result(!err, "round trip: push", err.value_or(""));
        err = a->gic->save_pending_tables();
        result(!err, "round trip: SAVE_PENDING_TABLES", err.value_or(""));
        GicV3State back;
        err = a->gic->pull_from_kernel(back);
        auto d1 = err ? std::vector<std::string>{*err}
                      : gic_state_diff(back, prog, {.id_registers = true});
        result(d1.empty(), "round trip: every register back", first(d1));

        // --- reset ------------------------------------------------------------------
        err = a->gic->reset();
        GicV3State after;
        if (!err) err = a->gic->pull_from_kernel(after);
        result(!err && after.gicd_typer2 == host_t2, "reset: TYPER2 unchanged (not zeroed)",
               err.value_or(""));

        // --- restore into a second VM ---------------------------------------------
        for (bool start_up : {true, false}) {
            auto b = make_vm(kvm, 2, !start_up);
            GicRestoreCheck chk = b->gic->prepare_restore(back);
            std::string what = start_up ? "start-up" : "run time";
            result(!chk.error, "same-host restore at " + what + ": accepted",
                   chk.error.value_or(""));
            err = b->gic->push_to_kernel(back);
            GicV3State got;
            if (!err) err = b->gic->pull_from_kernel(got);
            auto d = err ? std::vector<std::string>{*err}
                         : gic_state_diff(got, back, {.id_registers = true});
            result(d.empty(), "same-host restore at " + what + ": identical", first(d));
        }

        // --- TYPER2 of another host -------------------------------------------------
        GicV3State foreign = back;
        foreign.gicd_typer2 = host_t2 ^ g::kTyper2NassgiCap;
        const bool to_v41_host = host_t2 != 0;
        for (bool start_up : {true, false}) {
            auto b = make_vm(kvm, 2, !start_up);
            GicV3State before;
            if (!start_up) {
                b->gic->push_to_kernel(guest_like(b->gic->reset_state()));
                b->gic->pull_from_kernel(before);
            }
            GicRestoreCheck chk = b->gic->prepare_restore(foreign);
            std::string what = std::string(to_v41_host ? "v3 snapshot -> this v4.1 host"
                                                       : "v4.1 snapshot -> this v3 host") +
                               (start_up ? " at start-up" : " at run time");
            std::printf("  %s: %s\n", what.c_str(),
                        chk.error ? chk.error->c_str()
                                  : (chk.warnings.empty() ? "accepted" : chk.warnings[0].c_str()));
            // Allowed outcomes by GICV3.md; which one depends on the kernel.
            bool ok;
            if (chk.error) {
                ok = chk.error->find("source GICD_TYPER2") != std::string::npos &&
                     chk.error->find("destination") != std::string::npos;
                // 6.17+ on a GICv4.1 host lets a start-up restore turn nASSGIcap off.
                if (pre_init && start_up && to_v41_host) ok = false;
                if (!start_up) {
                    GicV3State now;
                    b->gic->pull_from_kernel(now);
                    ok = ok && gic_state_diff(now, before, {.id_registers = true}).empty();
                }
            } else {
                const bool ignored = !chk.warnings.empty();
                ok = ignored || (pre_init && start_up && to_v41_host);
            }
            result(ok, "migration " + what, chk.error.value_or(first(chk.warnings)));
        }

        // --- interchange with the software GIC ---------------------------------------
        GicConfig cfg;
        cfg.num_irqs = 256;
        cfg.cpu_mpidr = GicConfig::virt_mpidrs(2);
        GicV3 soft(cfg);
        GicV3State ss = guest_like(soft.state());
        for (auto& c : ss.cpu) {
            c.gicr_waker = 0;
            c.gicr_propbaser = 0x4100'0000ull | (1ull << 10) | (7ull << 7) | 15;
            c.gicr_pendbaser = 0x4200'0000ull | (1ull << 10) | (7ull << 7);
        }
        soft.load_state(ss);
        auto c = make_vm(kvm, 2, false);
        GicRestoreCheck chk = c->gic->prepare_restore(soft.state());
        if (!chk.error) err = c->gic->push_to_kernel(soft.state());
        GicV3State in_kernel;
        if (!chk.error && !err) err = c->gic->pull_from_kernel(in_kernel);
        std::vector<std::string> d2;
        if (chk.error)
            d2 = {*chk.error};
        else if (err)
            d2 = {*err};
        else
            d2 = gic_state_diff(in_kernel, soft.state(), {.its = false});
        result(d2.empty(), "interchange: software GICv3 state into the kernel", first(d2));
        if (d2.empty()) {
            GicV3 soft2(cfg);
            soft2.load_state(in_kernel);
            auto d3 = gic_state_diff(soft2.state(), soft.state(), {.its = false});
            result(d3.empty(), "interchange: and back into the software GIC", first(d3));
        }
    } catch (const std::exception& e) {
        result(false, "unexpected error", e.what());
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
