// Everything the command line says about the machine to build.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kestrel {

// One virtio-mmio device. The board gives the n-th entry transport slot n
// (0x0A000000 + n * 0x200, SPI 16 + n) and lists the device-tree nodes in
// that order, so Linux probes them in command-line order: the first disk
// is /dev/vda.
struct VirtioDeviceConfig {
    enum class Kind { Block, Rng };
    Kind kind = Kind::Block;
    std::string file; // Block: raw image
    bool read_only = false;
};

struct VirtConfig {
    std::string cpu_model = "cortex-a57";
    unsigned smp = 1;
    uint64_t ram_size = 128ull << 20;
    std::string gic_version = "3"; // "3" or "4.1"
    bool virtualization = false;
    std::string kernel;
    std::string initrd;
    std::string append;
    std::string dtb;
    std::string serial = "stdio"; // stdio | null | file:PATH
    bool semihosting = false;
    bool no_reboot = false;
    std::vector<VirtioDeviceConfig> virtio;
};

} // namespace kestrel
