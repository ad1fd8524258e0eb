// The virt board's snapshot: which objects it saves (one section each, in
// this order: board, cpu × N, gicv3, pl011, pl031, virtio-mmio × slots),
// its RAM blocks, and the configuration record a snapshot must match.
//
// save() and load() must run where no core executes: on the executor
// thread (TcgExecutor::run_sync) or before run().
#pragma once
#include "savevm/mirrored_object.hpp"
#include "savevm/snapshot_stream.hpp"

#include <memory>
#include <span>
#include <vector>

namespace kestrel {

class Bus;
class VirtMachine;
class GicV3;
class Pl011;
class Pl031;
class VirtioMmio;
struct GicV3State;
struct VirtConfig;

// Board-level state: the guest's system counter, so restored guests see
// their time continue from the saved value, and a pending SYSTEM_RESET.
struct BoardSnapshotState {
    uint64_t guest_counter = 0; // CNTPCT_EL0 at the time of the save
    bool reset_pending = false;
    bool operator==(const BoardSnapshotState&) const = default;
};

inline constexpr auto kBoardSection = savevm::section<BoardSnapshotState>(
    "virt-board", 1, 1,
    savevm::fields(savevm::field("guest_counter", &BoardSnapshotState::guest_counter),
                   savevm::field("reset_pending", &BoardSnapshotState::reset_pending)));

struct SnapshotTiming {
    savevm::SaveStats stats;
    double seconds = 0;
};

class VirtSnapshot {
  public:
    explicit VirtSnapshot(VirtMachine& m);
    ~VirtSnapshot();

    // machine, cpu, smp, ram, gic-version, virtualization, devices.
    savevm::ConfigRecord config() const;
    std::vector<savevm::StateObject*> objects() const;
    std::vector<savevm::RamBlock> ram() const;

    // The whole machine as a stream (see snapshot_stream.hpp).
    std::vector<uint8_t> save(SnapshotTiming* timing = nullptr);
    // Loads a stream; throws savevm::LoadError with the reason, in which
    // case nothing has changed. Extra objects (e.g. disk state) load and
    // commit together with the machine's.
    void load(std::span<const uint8_t> stream, std::span<savevm::StateObject* const> extra = {});
    nlohmann::json describe_format() const;

  private:
    VirtMachine& m_;
    std::vector<std::unique_ptr<savevm::StateObject>> objects_;
};

// --- shared with the KVM board (kvm_virt_snapshot.*) -------------------------
// The configuration record of a virt board (machine, cpu, smp, ram,
// gic-version, virtualization, devices).
savevm::ConfigRecord virt_config_record(const VirtConfig& c,
                                        const std::vector<std::unique_ptr<VirtioMmio>>& virtio);
// Sections pl011, pl031 and virtio-mmio × slots, in that order.
void add_device_objects(std::vector<std::unique_ptr<savevm::StateObject>>& objects, Pl011& uart,
                        Pl031& rtc, std::vector<std::unique_ptr<VirtioMmio>>& virtio);
// The guest RAM blocks of a bus.
std::vector<savevm::RamBlock> bus_ram_blocks(const Bus& bus);
// The board section: the guest counter and the board's pending SYSTEM_RESET.
std::unique_ptr<savevm::StateObject> make_board_object(bool& reset_pending);
// The objects as the stream functions take them.
std::vector<savevm::StateObject*>
object_pointers(const std::vector<std::unique_ptr<savevm::StateObject>>& objects);
// A board's stream: `cfg` plus the guest clock (info.guest-clock-ns), the
// objects and the RAM, with its size and time in `timing`.
std::vector<uint8_t> write_board_snapshot(savevm::ConfigRecord cfg,
                                          std::span<savevm::StateObject* const> objects,
                                          std::span<const savevm::RamBlock> ram,
                                          SnapshotTiming* timing);
// Why a snapshot's GICD_TYPER / GICR_TYPERs differ from own's, or nothing.
std::optional<std::string> gic_id_problem(const GicV3State& st, const GicV3State& own);

// Why a GIC state from a snapshot cannot be installed on gic (TYPER2 that
// differs, with what both values mean; shape; ID registers), or nothing.
std::optional<std::string> gic_snapshot_problem(const GicV3& gic, const GicV3State& st);

// Adds why two gic-version values differ (their TYPER2 meaning).
std::string explain_config_difference(const std::string& key, const std::string& snapshot_value,
                                      const std::string& own_value);

} // namespace kestrel
