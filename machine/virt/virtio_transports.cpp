#include "machine/virt/virtio_transports.hpp"

#include "hw/virtio/virtio_blk.hpp"
#include "hw/virtio/virtio_rng.hpp"
#include "machine/virt/machine_error.hpp"
#include "machine/virt/memory_map.hpp"

#include <stdexcept>
#include <string>

namespace kestrel {

void add_virtio_transports(Bus& bus, const std::vector<VirtioDeviceConfig>& devices,
                           std::vector<std::unique_ptr<VirtioMmio>>& out,
                           const std::function<void(unsigned intid, bool level)>& set_spi) {
    if (devices.size() > virt::kVirtioCount)
        throw MachineError("too many virtio devices (the virt board has " +
                           std::to_string(virt::kVirtioCount) + " virtio-mmio transports)");
    for (size_t n = 0; n < devices.size(); n++) {
        const VirtioDeviceConfig& v = devices[n];
        std::unique_ptr<VirtioDevice> dev;
        if (v.kind == VirtioDeviceConfig::Kind::Rng) {
            dev = std::make_unique<VirtioRng>();
        } else {
            std::shared_ptr<BlockBackend> be;
            try {
                be = std::make_shared<BlockBackend>(v.file, v.read_only);
            } catch (const std::runtime_error& e) {
                throw MachineError(e.what());
            }
            dev = std::make_unique<VirtioBlk>(std::move(be));
        }
        const unsigned intid = 32 + virt::kVirtioFirstSpi + static_cast<unsigned>(n);
        out.push_back(std::make_unique<VirtioMmio>(
            bus, std::move(dev), [set_spi, intid](bool level) { set_spi(intid, level); }));
        bus.add_device(virt::kVirtioBase + n * virt::kVirtioStride, virt::kVirtioStride,
                       out.back().get());
    }
}

} // namespace kestrel
