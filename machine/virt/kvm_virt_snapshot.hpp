// The KVM board's snapshot: the same stream as the TCG board's
// (virt_snapshot.hpp) with the same sections and descriptions — virt-board,
// cpu × N, gicv3, pl011, pl031, virtio-mmio × slots — and the same
// configuration record, so a snapshot taken under one accelerator loads
// under the other.
//
// Where the state comes from under KVM:
//  * cpu: the registers KVM exposes (kvm_vcpu_regs.*), the power state
//    from KVM_GET_MP_STATE as run_state (running / powered off), and for
//    what KVM has no register for (OSLSR, CNTFRQ, EL2, ...) the board's
//    per-vCPU shadow (reset values, or the last snapshot loaded).
//  * gicv3: KvmGic::pull_from_kernel() after SAVE_PENDING_TABLES. The
//    read-only geometry registers (GICD_TYPER, GICD_PIDR2, GICR_IIDR,
//    GICR_TYPER, the ITS's) are written as the TCG board's GICv3 of the
//    same configuration has them; GICD_IIDR and GICD_TYPER2 are the
//    kernel's, which validates them on restore.
//  * virt-board: the guest counter (the virtual counter is kept as
//    CNTVOFF_EL2 relative to it, as under TCG).
//
// Loading checks everything before anything changes, including
// KvmGic::prepare_restore() (the GICD_TYPER2 rules; at start-up it may
// write TYPER2 before CTRL_INIT). A register the kernel refuses while the
// state is installed fails the load with savevm::PartialLoadError.
//
// save() and load() run where no vCPU executes (KvmVirtMachine::run_sync,
// or before run()).
#pragma once
#include "machine/virt/virt_snapshot.hpp"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kestrel {

class KvmVirtMachine;

// An ioctl failed while the machine was being saved.
class SnapshotSaveError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class KvmVirtSnapshot {
  public:
    explicit KvmVirtSnapshot(KvmVirtMachine& m);
    ~KvmVirtSnapshot();

    savevm::ConfigRecord config() const;
    std::vector<savevm::StateObject*> objects() const;
    std::vector<savevm::RamBlock> ram() const;

    // Throws SnapshotSaveError with the failing ioctl and the kernel's answer.
    std::vector<uint8_t> save(SnapshotTiming* timing = nullptr);
    // Throws savevm::LoadError (nothing changed) or savevm::PartialLoadError.
    // Warnings (what the kernel's vGIC cannot hold, an ignored TYPER2) go
    // to warn and are kept for warnings().
    void load(std::span<const uint8_t> stream, std::span<savevm::StateObject* const> extra = {});
    nlohmann::json describe_format() const;

    // Warnings of the last load().
    const std::vector<std::string>& warnings() const { return warnings_; }
    // Where load warnings go as they happen (default: stderr, "kestrel: ").
    std::function<void(const std::string&)> warn;

  private:
    KvmVirtMachine& m_;
    std::vector<std::unique_ptr<savevm::StateObject>> objects_;
    std::vector<std::string> warnings_;
};

// What a snapshot's run_state means to KVM (KVM_MP_STATE_*), or why it
// cannot be given to a vCPU.
std::optional<std::string> kvm_run_state_problem(uint8_t run_state);
uint32_t kvm_mp_state_of(uint8_t run_state);
uint8_t run_state_of_kvm_mp_state(uint32_t mp_state);

} // namespace kestrel
