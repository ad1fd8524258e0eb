#include "machine/virt/kvm_control.hpp"

#include "cpu/cpu_model.hpp"
#include "cpu/cpu_snapshot.hpp"
#include "intc/gicv3/gic_state_dump.hpp"
#include "machine/virt/kvm_virt_machine.hpp"
#include "machine/virt/virt_info.hpp"

#include <cstdio>

namespace kestrel {

KvmControl::KvmControl(KvmVirtMachine& m, std::string snapshot_dir)
    : SnapshotControl(m.virtio(), std::move(snapshot_dir)), m_(m), snap_(m) {}

KvmControl::~KvmControl() = default;

bool KvmControl::run_on_running_machine(const std::function<void()>& fn) {
    m_.run_sync(fn);
    return true;
}

std::vector<uint8_t> KvmControl::save_machine(SnapshotTiming* t) {
    return snap_.save(t);
}

void KvmControl::load_machine(const std::vector<uint8_t>& data,
                              std::span<savevm::StateObject* const> extra) {
    snap_.load(data, extra);
}

bool KvmControl::machine_paused() {
    return m_.paused();
}

void KvmControl::set_machine_paused(bool paused) {
    m_.set_paused(paused);
}

void KvmControl::reset_machine() {
    try {
        m_.reset_board();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kestrel: reset failed: %s\n", e.what());
    }
}

void KvmControl::request_machine_quit(int status) {
    m_.request_quit(status);
}

std::vector<std::unique_ptr<Cpu>> KvmControl::vcpus_as_cores(std::string& error) {
    std::vector<std::unique_ptr<Cpu>> cores;
    const std::optional<CpuModel> model = find_cpu_model(m_.config().cpu_model);
    if (!model) {
        error = "Error: unknown CPU model\n";
        return cores;
    }
    for (unsigned i = 0; i < m_.vm().num_vcpus(); i++) {
        CpuSnapshotState st;
        if (auto e = m_.vcpu_state(i, st)) {
            error = "Error: " + *e + "\n";
            cores.clear();
            return cores;
        }
        auto c = std::make_unique<Cpu>(i, *model, m_.bus());
        c->s = st.s;
        c->sys = st.sys;
        c->run_state = static_cast<CpuRunState>(st.run_state);
        cores.push_back(std::move(c));
    }
    return cores;
}

std::string KvmControl::info_registers(int cpu) {
    std::string out;
    on_machine([&] {
        if (cpu >= static_cast<int>(m_.vm().num_vcpus())) {
            out = "Error: no CPU " + std::to_string(cpu) + " (the machine has " +
                  std::to_string(m_.vm().num_vcpus()) + ")\n";
            return;
        }
        std::string err;
        auto cores = vcpus_as_cores(err);
        out = err;
        for (auto& c : cores)
            if (cpu < 0 || static_cast<int>(c->index) == cpu) out += format_cpu_registers(*c);
    });
    return out;
}

std::string KvmControl::info_cpus() {
    std::string out;
    on_machine([&] {
        std::string err;
        auto cores = vcpus_as_cores(err);
        std::vector<const Cpu*> list;
        for (auto& c : cores)
            list.push_back(c.get());
        out = err + format_cpu_list(list);
    });
    return out;
}

std::string KvmControl::info_gic() {
    std::string out;
    on_machine([&] {
        GicV3State st;
        if (auto e = m_.gic().pull_from_kernel(st))
            out = "Error: " + *e + "\n";
        else
            out = format_gic_state(st);
    });
    return out;
}

} // namespace kestrel
