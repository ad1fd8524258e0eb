// The virtio-mmio transport, version 2 (modern).
#pragma once
#include "hw/device.hpp"
#include "hw/virtio/virtio_device.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace kestrel {

// Guest-visible transport state (saved with the device).
struct VirtioMmioState {
    uint32_t device_features_sel = 0;
    uint32_t driver_features_sel = 0;
    uint64_t driver_features = 0;
    uint32_t queue_sel = 0;
    uint32_t interrupt_status = 0;
    uint32_t status = 0;
    uint32_t config_generation = 0;
    std::vector<VirtqConfig> queues;
    bool operator==(const VirtioMmioState&) const = default;
};

class VirtioMmio : public Device {
  public:
    VirtioMmio(Bus& bus, std::unique_ptr<VirtioDevice> dev, std::function<void(bool)> irq);
    const char* name() const override { return dev_->name(); }
    MemResult read(uint64_t offset, unsigned size, uint64_t& value) override;
    MemResult write(uint64_t offset, unsigned size, uint64_t value) override;
    void reset() override;

    VirtioMmioState& state() { return st_; }
    VirtioDevice& device() { return *dev_; }
    // Re-evaluates the interrupt line from interrupt_status (after a load).
    void update_irq();
    // Flushes queue state into st_ and back (savevm hooks).
    void sync_to_state();
    void sync_from_state();

    static constexpr uint32_t kMagic = 0x74726976;  // "virt"
    static constexpr uint32_t kVendor = 0x4b535452; // "KSTR"
    static constexpr uint32_t kStatusNeedsReset = 0x40;

  private:
    void notify(unsigned q);
    Bus& bus_;
    std::unique_ptr<VirtioDevice> dev_;
    std::function<void(bool)> irq_;
    std::vector<VirtQueue> queues_;
    VirtioMmioState st_;
};

} // namespace kestrel
