// The virt board: builds cores, bus, devices, loads the guest and runs it.
#pragma once
#include "accel/tcg/executor.hpp"
#include "cpu/cpu.hpp"
#include "hw/bus.hpp"
#include "hw/pl011.hpp"
#include "machine/virt/virt_config.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

namespace kestrel {

// A configuration or file problem the user must fix; main prints it.
class MachineError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class VirtMachine {
public:
    explicit VirtMachine(const VirtConfig& cfg);
    ~VirtMachine();
    // Runs until the guest powers off; returns the process exit status.
    int run();

    Bus& bus() { return bus_; }
    std::vector<std::unique_ptr<Cpu>>& cpus() { return cpus_; }

private:
    void load_guest();
    bool psci_call(Cpu& cpu);
    bool semihosting_call(Cpu& cpu);

    VirtConfig cfg_;
    Bus bus_;
    std::vector<std::unique_ptr<Cpu>> cpus_;
    std::vector<Cpu*> cpu_list_; // every core, for inner-shareable TLB maintenance
    std::unique_ptr<Pl011> uart_;
    std::unique_ptr<TcgExecutor> exec_;
    std::FILE* serial_out_ = nullptr;
    bool owns_serial_ = false;
    int exit_status_ = 0;
};

} // namespace kestrel
