#include "machine/virt/virt_control.hpp"

#include "intc/gicv3/gic_state_dump.hpp"
#include "machine/virt/virt_info.hpp"
#include "machine/virt/virt_machine.hpp"

namespace kestrel {

VirtControl::VirtControl(VirtMachine& m, std::string snapshot_dir)
    : SnapshotControl(m.virtio_, std::move(snapshot_dir)), m_(m), snap_(m) {}

VirtControl::~VirtControl() = default;

bool VirtControl::run_on_running_machine(const std::function<void()>& fn) {
    return m_.exec_->run_sync(fn);
}

std::vector<uint8_t> VirtControl::save_machine(SnapshotTiming* t) {
    return snap_.save(t);
}

void VirtControl::load_machine(const std::vector<uint8_t>& data,
                               std::span<savevm::StateObject* const> extra) {
    snap_.load(data, extra);
}

bool VirtControl::machine_paused() {
    return m_.exec_->paused();
}

void VirtControl::set_machine_paused(bool paused) {
    m_.exec_->set_paused(paused);
}

void VirtControl::reset_machine() {
    m_.reset_board();
}

void VirtControl::request_machine_quit(int status) {
    m_.request_quit(status);
}

std::string VirtControl::info_registers(int cpu) {
    std::string out;
    on_machine([&] {
        if (cpu >= static_cast<int>(m_.cpus_.size())) {
            out = "Error: no CPU " + std::to_string(cpu) + " (the machine has " +
                  std::to_string(m_.cpus_.size()) + ")\n";
            return;
        }
        for (auto& c : m_.cpus_)
            if (cpu < 0 || static_cast<int>(c->index) == cpu) out += format_cpu_registers(*c);
    });
    return out;
}

std::string VirtControl::info_cpus() {
    std::string out;
    on_machine([&] {
        std::vector<const Cpu*> list;
        for (auto& c : m_.cpus_)
            list.push_back(c.get());
        out = format_cpu_list(list);
    });
    return out;
}

std::string VirtControl::info_gic() {
    std::string out;
    on_machine([&] { out = format_gic_state(m_.gic_->state()); });
    return out;
}

} // namespace kestrel
