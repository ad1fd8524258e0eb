// virtio-rng: entropy from the host.
#pragma once
#include "hw/virtio/virtio_device.hpp"

namespace kestrel {

class VirtioRng : public VirtioDevice {
  public:
    const char* name() const override { return "virtio-rng"; }
    uint32_t device_id() const override { return 4; }
    uint64_t features() const override { return kVirtioFVersion1; }
    unsigned num_queues() const override { return 1; }
    uint64_t config_read(uint64_t, unsigned) override { return 0; }
    bool process(unsigned queue, VirtQueue& vq) override;
};

} // namespace kestrel
