// Everything the command line says about the machine to build.
#pragma once
#include <cstdint>
#include <string>

namespace kestrel {

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
};

} // namespace kestrel
