// The interface every memory-mapped device implements.
#pragma once
#include <cstdint>
#include <string>

namespace kestrel {

// Result of a bus access. Anything but Ok becomes a guest-visible external abort.
enum class MemResult : uint8_t { Ok, Unmapped, DeviceError };

class Device {
  public:
    virtual ~Device() = default;
    virtual const char* name() const = 0;
    // offset is relative to the device's base; size is 1, 2, 4 or 8.
    virtual MemResult read(uint64_t offset, unsigned size, uint64_t& value) = 0;
    virtual MemResult write(uint64_t offset, unsigned size, uint64_t value) = 0;
    virtual void reset() {}
};

} // namespace kestrel
