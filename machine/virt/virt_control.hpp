// The monitors' view of the virt board under TCG (MachineControl): stop/cont
// through the executor's pause, snapshots through VirtSnapshot, the `info`
// dumps; everything else is SnapshotControl's. Work on the running machine
// runs on the executor thread at a safe point (TcgExecutor::run_sync).
#pragma once
#include "machine/virt/snapshot_control.hpp"
#include "machine/virt/virt_snapshot.hpp"

namespace kestrel {

class VirtMachine;

class VirtControl final : public SnapshotControl {
  public:
    // Throws MachineError when a disk's snapshot side files cannot be read.
    VirtControl(VirtMachine& m, std::string snapshot_dir);
    ~VirtControl() override;

    nlohmann::json describe_format() const override { return snap_.describe_format(); }
    VirtSnapshot& snapshot() { return snap_; }

    std::string info_registers(int cpu) override;
    std::string info_cpus() override;
    std::string info_gic() override;

  protected:
    bool run_on_running_machine(const std::function<void()>& fn) override;
    std::vector<uint8_t> save_machine(SnapshotTiming* t) override;
    void load_machine(const std::vector<uint8_t>& data,
                      std::span<savevm::StateObject* const> extra) override;
    bool machine_paused() override;
    void set_machine_paused(bool paused) override;
    void reset_machine() override;
    void request_machine_quit(int status) override;

  private:
    VirtMachine& m_;
    VirtSnapshot snap_;
};

} // namespace kestrel
