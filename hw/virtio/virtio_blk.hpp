// virtio-blk: a block device over a BlockBackend.
#pragma once
#include "hw/virtio/block_backend.hpp"
#include "hw/virtio/virtio_device.hpp"

#include <memory>
#include <vector>

namespace kestrel {

class VirtioBlk : public VirtioDevice {
  public:
    explicit VirtioBlk(std::shared_ptr<BlockBackend> backend) : be_(std::move(backend)) {}
    const char* name() const override { return "virtio-blk"; }
    uint32_t device_id() const override { return 2; }
    uint64_t features() const override;
    unsigned num_queues() const override { return 1; }
    uint64_t config_read(uint64_t offset, unsigned size) override;
    bool process(unsigned queue, VirtQueue& vq) override;
    BlockBackend& backend() { return *be_; }

    static constexpr uint32_t kSegMax = 254;

  private:
    uint8_t handle(const VirtqElement& e, uint32_t& data_written);
    std::shared_ptr<BlockBackend> be_;
    std::vector<uint8_t> bounce_;
};

} // namespace kestrel
