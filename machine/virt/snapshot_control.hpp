// What the monitors' view (MachineControl) of the virt board has in common
// under TCG (VirtControl) and KVM (KvmControl): the snapshot directory and
// the disks' snapshot side files, savevm/loadvm/delvm, migrate file: and
// -incoming, stop/cont with the guest counter frozen, reset, power-down,
// quit, the events and the reports. A subclass says how to run work where
// no core executes, and how the machine is saved, loaded, paused and reset.
//
// Every call is safe from a monitor thread: the work runs where no core
// executes (at a safe point of the running machine), or directly while the
// machine is not running (before run(), e.g. -loadvm, and after it returned).
#pragma once
#include "hw/virtio/virtio_mmio.hpp"
#include "machine/virt/virt_snapshot.hpp"
#include "monitor/machine_control.hpp"
#include "savevm/disk_snapshots.hpp"
#include "savevm/snapshot_store.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace kestrel {

class SnapshotControl : public MachineControl {
  public:
    // Throws MachineError when a disk's snapshot side files cannot be read.
    SnapshotControl(std::vector<std::unique_ptr<VirtioMmio>>& virtio, std::string snapshot_dir);
    ~SnapshotControl() override;

    // Asynchronous events for the machine monitors (STOP, RESUME, RESET,
    // POWERDOWN, SHUTDOWN), called on whichever thread caused them.
    std::function<void(const std::string& name, const nlohmann::json& data)> on_event;

    // main() brackets the machine's run() with these.
    void machine_started();
    void machine_finished();
    // Why the machine stopped: "guest-shutdown", "host-qmp-quit", ...
    std::string shutdown_reason() const;

    // -incoming file:PATH (before run()).
    ControlResult incoming(const std::string& uri);
    virtual nlohmann::json describe_format() const = 0;
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

  protected:
    // Runs fn where no core executes; see the class comment.
    void on_machine(const std::function<void()>& fn);

    // --- what the machine provides ------------------------------------------
    // Runs fn at a safe point of the running machine; false when the machine
    // is not in a state to do so right now (asked again shortly).
    virtual bool run_on_running_machine(const std::function<void()>& fn) = 0;
    // The whole machine as a stream; throws std::runtime_error on failure.
    virtual std::vector<uint8_t> save_machine(SnapshotTiming* t) = 0;
    // Throws savevm::LoadError.
    virtual void load_machine(const std::vector<uint8_t>& data,
                              std::span<savevm::StateObject* const> extra) = 0;
    // Warnings of the last load_machine (things the machine could not hold).
    virtual std::vector<std::string> load_warnings() { return {}; }
    virtual bool machine_paused() = 0;
    virtual void set_machine_paused(bool paused) = 0;
    virtual void reset_machine() = 0;
    virtual void request_machine_quit(int status) = 0;

  private:
    enum class Phase { Before, Running, Finished };
    void emit(const std::string& name, const nlohmann::json& data = nullptr);
    // Saves the machine with the guest clock stopped; error set on failure.
    std::vector<uint8_t> save_frozen(SnapshotTiming* t, std::string& error);
    ControlResult load_stream(const std::vector<uint8_t>& data, const std::string& what,
                              savevm::StateObject* extra = nullptr);

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
