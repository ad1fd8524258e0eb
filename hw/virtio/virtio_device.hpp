// A virtio device behind a transport: its ID, features, config space and
// queue processing.
#pragma once
#include "hw/virtio/virtqueue.hpp"

#include <cstdint>
#include <string>

namespace kestrel {

constexpr uint64_t kVirtioFVersion1 = 1ull << 32;

class VirtioDevice {
  public:
    virtual ~VirtioDevice() = default;
    virtual const char* name() const = 0;
    virtual uint32_t device_id() const = 0;
    virtual uint64_t features() const = 0; // including kVirtioFVersion1
    virtual unsigned num_queues() const = 0;
    // Device-specific configuration space (little-endian bytes).
    virtual uint64_t config_read(uint64_t offset, unsigned size) = 0;
    virtual void config_write(uint64_t, unsigned, uint64_t) {}
    // Processes what the driver made available. Returns false when the
    // driver broke the rules (the transport then sets DEVICE_NEEDS_RESET).
    virtual bool process(unsigned queue, VirtQueue& vq) = 0;
    virtual void reset() {}
};

// Reads size bytes at offset of a little-endian config blob.
uint64_t read_config_bytes(const void* blob, size_t blob_len, uint64_t offset, unsigned size);

} // namespace kestrel
