// The command line, in the habit of qemu-system-aarch64: parses the
// arguments into a VirtConfig plus front-end settings. Kept out of main.cpp
// so it can be tested.
#pragma once
#include "machine/virt/virt_config.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace kestrel {

// A bad option or value; the message names the option.
class CliError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct CliOptions {
    VirtConfig machine;
    uint32_t log_mask = 0;
    std::string log_file; // -D; empty: stderr
    bool nographic = false;
    // Accelerators in order of preference (-accel kvm:tcg, -M accel=kvm,
    // -enable-kvm); the first usable one runs the guest.
    std::vector<std::string> accel = {"tcg"};
    // -cpu host: the host CPU as it is (KVM only).
    bool cpu_host = false;
    // Test option: in-memory snapshot/restore at guest marker lines (KVM).
    bool kvm_snapshot_selftest = false;
    // Text to print instead of running (-h, -version, -cpu help, ...).
    std::string info;
    // Monitors: -monitor SPEC (human), -qmp SPEC (machine); see
    // monitor/monitor_server.hpp for SPEC.
    std::vector<std::string> monitors;
    std::vector<std::string> qmp;
    std::string savevm_dir; // -savevm-dir; empty: savevm::default_snapshot_dir()
    std::string loadvm;     // -loadvm TAG
    std::string incoming;   // -incoming file:PATH
    bool dump_state_format = false;
    bool monitor_on_stdio() const {
        for (const auto& m : monitors)
            if (m == "stdio") return true;
        return false;
    }
    // The serial port is the terminal: read stdin and handle Ctrl-A escapes
    // (-nographic or mon:stdio), or just read stdin (-serial stdio).
    // Not when -monitor stdio owns stdin (the serial output still goes to stdout).
    bool serial_on_stdio() const {
        return (machine.serial == "stdio" || machine.serial == "mon:stdio") && !monitor_on_stdio();
    }
    bool console_escapes() const { return nographic || machine.serial == "mon:stdio"; }
    // The guest starts from a snapshot rather than from -kernel.
    bool restores() const { return !loadvm.empty() || !incoming.empty(); }
};

// args excludes the program name. Throws CliError.
CliOptions parse_command_line(const std::vector<std::string>& args);

// Parses a size such as "512", "512M", "2G" (no suffix: MiB). Throws CliError naming opt.
uint64_t parse_size(const std::string& opt, const std::string& text);

// Splits "a=b,c=d" into items; ",," is a literal comma as in the common
// emulators' option syntax.
std::vector<std::string> split_props(const std::string& s);

std::string usage_text();
std::string version_text();

} // namespace kestrel
