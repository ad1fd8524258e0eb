// The monitors' view of the virt board under KVM (MachineControl): the same
// commands, snapshot directory, disk side files and reports as under TCG
// (SnapshotControl), with the work run while every vCPU thread is stopped
// (KvmVirtMachine::run_sync), stop/cont pausing the vCPUs, and snapshots
// through KvmVirtSnapshot (the TCG board's stream).
#pragma once
#include "machine/virt/kvm_virt_snapshot.hpp"
#include "machine/virt/snapshot_control.hpp"

namespace kestrel {

class Cpu;
class KvmVirtMachine;

class KvmControl final : public SnapshotControl {
  public:
    // Throws MachineError when a disk's snapshot side files cannot be read.
    KvmControl(KvmVirtMachine& m, std::string snapshot_dir);
    ~KvmControl() override;

    nlohmann::json describe_format() const override { return snap_.describe_format(); }
    KvmVirtSnapshot& snapshot() { return snap_; }

    std::string info_registers(int cpu) override;
    std::string info_cpus() override;
    std::string info_gic() override;

  protected:
    bool run_on_running_machine(const std::function<void()>& fn) override;
    std::vector<uint8_t> save_machine(SnapshotTiming* t) override;
    void load_machine(const std::vector<uint8_t>& data,
                      std::span<savevm::StateObject* const> extra) override;
    std::vector<std::string> load_warnings() override { return snap_.warnings(); }
    bool machine_paused() override;
    void set_machine_paused(bool paused) override;
    void reset_machine() override;
    void request_machine_quit(int status) override;

  private:
    // The vCPUs as TCG cores (for the `info` dumps), or an error line.
    std::vector<std::unique_ptr<Cpu>> vcpus_as_cores(std::string& error);

    KvmVirtMachine& m_;
    KvmVirtSnapshot snap_;
};

} // namespace kestrel
