// What the monitors may ask of a running machine. The machine implements
// it; every call is safe from a monitor thread (the implementation runs the
// work on the executor thread at a safe point).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kestrel {

struct SnapshotInfo {
    std::string tag;
    uint64_t size = 0; // bytes on disk
    int64_t date = 0;  // seconds since the epoch
    uint64_t guest_clock_ns = 0;
};

// An outcome: ok, or a message for the user.
struct ControlResult {
    bool ok = true;
    std::string message;
    static ControlResult error(std::string m) { return {false, std::move(m)}; }
};

class MachineControl {
  public:
    virtual ~MachineControl() = default;
    virtual bool running() = 0; // false while stopped by the monitor
    virtual void stop() = 0;
    virtual void cont() = 0;
    virtual void system_reset() = 0;
    virtual void system_powerdown() = 0;
    virtual void quit() = 0;
    virtual ControlResult savevm(const std::string& tag) = 0;
    virtual ControlResult loadvm(const std::string& tag) = 0;
    virtual ControlResult delvm(const std::string& tag) = 0;
    virtual std::vector<SnapshotInfo> snapshots() = 0;
    virtual ControlResult migrate(const std::string& uri) = 0;
    // Readable dumps for `info registers`, `info cpus`, `info gic`.
    virtual std::string info_registers(int cpu) = 0; // cpu < 0: all
    virtual std::string info_cpus() = 0;
    virtual std::string info_gic() = 0;
};

} // namespace kestrel
