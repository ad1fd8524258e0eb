// -drive and -device options: collected in command-line order, then
// resolved into the board's list of virtio-mmio devices.
#pragma once
#include "machine/virt/virt_config.hpp"

#include <string>
#include <vector>

namespace kestrel {

class DeviceOptions {
  public:
    // -drive file=IMG[,format=raw][,if=virtio|none][,id=ID][,readonly=on].
    // Throws CliError.
    void add_drive(const std::string& value);
    // -device virtio-blk-device,drive=ID | virtio-rng-device. Returns the
    // text to print instead of running for "-device help", else "".
    // Throws CliError.
    std::string add_device(const std::string& value);
    // Devices in the order their options appeared: a -drive if=virtio or a
    // -device each take the next transport. Throws CliError for a missing
    // or twice-used drive id.
    std::vector<VirtioDeviceConfig> resolve() const;

  private:
    struct Drive {
        std::string file, id;
        bool read_only = false;
        bool attach_now = false; // if=virtio: a device at this position
    };
    struct Entry {
        bool is_drive = false;
        size_t drive = 0;      // index into drives_ (is_drive)
        std::string driver;    // -device driver name
        std::string drive_ref; // -device drive=
    };
    std::vector<Drive> drives_;
    std::vector<Entry> order_;
};

} // namespace kestrel
