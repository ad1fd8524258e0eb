// The virt board's virtio-mmio transports, shared by the TCG and KVM boards.
#pragma once
#include "hw/bus.hpp"
#include "hw/virtio/virtio_mmio.hpp"
#include "machine/virt/virt_config.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace kestrel {

// Creates a transport for each configured device in slot order (slot n at
// kVirtioBase + n * kVirtioStride, SPI kVirtioFirstSpi + n) and maps it on
// the bus. set_spi(intid, level) drives the interrupt controller. Throws
// MachineError for too many devices or an unusable disk image.
void add_virtio_transports(Bus& bus, const std::vector<VirtioDeviceConfig>& devices,
                           std::vector<std::unique_ptr<VirtioMmio>>& out,
                           const std::function<void(unsigned intid, bool level)>& set_spi);

} // namespace kestrel
