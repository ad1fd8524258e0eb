// The monitors' view of the virt board (MachineControl): stop/cont through
// the executor's pause, reset, power-down, quit, snapshots in a snapshot
// directory, migration to a file, and the `info` dumps. Every call is safe
// from a monitor thread: the work runs on the executor thread at a safe
// point (TcgExecutor::run_sync), or directly while the executor is not
// running (before run(), e.g. -loadvm, and after it returned).
#pragma once
#include "machine/virt/virt_snapshot.hpp"
#include "monitor/machine_control.hpp"
#include "savevm/disk_snapshots.hpp"
#include "savevm/snapshot_store.hpp"

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

namespace kestrel {

class VirtMachine;

class VirtControl final : public MachineControl {
  public:
    // Throws MachineError when a disk's snapshot side files cannot be read.
    VirtControl(VirtMachine& m, std::string snapshot_dir);
    ~VirtControl() override;

    // Asynchronous events for the machine monitors (STOP, RESUME, RESET,
    // POWERDOWN, SHUTDOWN), called on whichever thread caused them.
    std::function<void(const std::string& name, const nlohmann::json& data)> on_event;

    // main() brackets VirtMachine::run() with these.
    void machine_started();
    void machine_finished();
    // Why the machine stopped: "guest-shutdown", "host-qmp-quit", ...
    std::string shutdown_reason() const;

    // -incoming file:PATH (before run()).
    ControlResult incoming(const std::string& uri);
    nlohmann::json describe_format() const { return snap_.describe_format(); }
    VirtSnapshot& snapshot() { return snap_; }
    savevm::SnapshotStore& store() { return store_; }

    // MachineControl
    bool running() override { return running_; }
    void stop() override;
    void cont() override;
    void system_reset() override;
    void system_powerdown() override;
    void quit() override;
    ControlResult savevm(const std::string& tag) override;
    ControlResult loadvm(const std::string& tag) override;
    ControlResult delvm(const std::string& tag) override;
    std::vector<SnapshotInfo> snapshots() override;
    ControlResult migrate(const std::string& uri) override;
    std::string info_registers(int cpu) override;
    std::string info_cpus() override;
    std::string info_gic() override;

  private:
    enum class Phase { Before, Running, Finished };
    // Runs fn where no core executes; see the class comment.
    void on_machine(const std::function<void()>& fn);
    void emit(const std::string& name, const nlohmann::json& data = nullptr);
    // Saves the machine with the guest clock stopped; error set on failure.
    std::vector<uint8_t> save_frozen(SnapshotTiming* t, std::string& error);
    ControlResult load_stream(const std::vector<uint8_t>& data, const std::string& what,
                              savevm::StateObject* extra = nullptr);

    VirtMachine& m_;
    VirtSnapshot snap_;
    savevm::SnapshotStore store_;
    // One per writable virtio-blk disk, in slot order (side files TAG.diskN).
    std::vector<std::unique_ptr<savevm::DiskSnapshots>> disks_;
    std::atomic<bool> running_{true};
    std::mutex phase_mu_;
    Phase phase_ = Phase::Before;
    mutable std::mutex reason_mu_;
    std::string shutdown_reason_;
    // Serialises monitor commands from several monitors.
    std::mutex command_mu_;
};

// "file:PATH" → PATH; "" when uri is not a file URI.
std::string file_uri_path(const std::string& uri);

} // namespace kestrel
