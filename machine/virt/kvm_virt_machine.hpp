// The virt board under KVM (-accel kvm): the same memory map, UART, device
// tree and guest loading as the TCG board, with the cores on the host CPU
// and the GIC being the kernel's vGICv3. Kept apart from virt_machine.* so
// the TCG board stays free of KVM concerns.
#pragma once
#include "accel/kvm/kvm_gic.hpp"
#include "accel/kvm/kvm_vm.hpp"
#include "hw/bus.hpp"
#include "hw/pl011.hpp"
#include "machine/virt/loader.hpp"
#include "machine/virt/machine_error.hpp"
#include "machine/virt/virt_config.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

namespace kestrel {

class KvmVirtMachine {
  public:
    // Builds the VM, its vCPUs, the in-kernel GIC and the devices, and loads
    // the guest. Throws MachineError (bad configuration or file, or a KVM
    // call that failed, with the kernel's answer).
    KvmVirtMachine(const VirtConfig& cfg, KvmInterface& kvm);
    ~KvmVirtMachine();
    KvmVirtMachine(const KvmVirtMachine&) = delete;
    KvmVirtMachine& operator=(const KvmVirtMachine&) = delete;

    // Runs until the guest powers off (or request_quit); returns the exit status.
    int run();
    void push_serial_input(const uint8_t* data, size_t len);
    void request_quit(int status);

    Bus& bus() { return bus_; }
    KvmVm& vm() { return vm_; }
    KvmGic& gic() { return *gic_; }
    Pl011& uart() { return *uart_; }
    uint64_t resets() const { return resets_; }
    uint64_t start_pc() const { return start_pc_; }
    uint64_t dtb_addr() const { return dtb_addr_; }

  private:
    void load_guest();
    void reset_board();
    void pump_input();

    VirtConfig cfg_;
    KvmInterface& kvm_;
    Bus bus_;
    KvmVm vm_;
    std::unique_ptr<KvmGic> gic_;
    std::unique_ptr<Pl011> uart_;
    std::FILE* serial_out_ = nullptr;
    bool owns_serial_ = false;
    std::vector<LoadSegment> segments_;
    uint64_t start_pc_ = 0, dtb_addr_ = 0;
    uint64_t resets_ = 0;
    std::atomic<bool> quit_{false};
    std::atomic<int> quit_status_{0};
    std::mutex input_mu_;
    std::deque<uint8_t> input_;
};

} // namespace kestrel
