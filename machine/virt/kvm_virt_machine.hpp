// The virt board under KVM (-accel kvm): the same memory map, UART, device
// tree and guest loading as the TCG board, with the cores on the host CPU
// and the GIC being the kernel's vGICv3. Kept apart from virt_machine.* so
// the TCG board stays free of KVM concerns.
#pragma once
#include "accel/kvm/kvm_gic.hpp"
#include "accel/kvm/kvm_vm.hpp"
#include "hw/bus.hpp"
#include "hw/pl011.hpp"
#include "hw/pl031.hpp"
#include "hw/virtio/virtio_mmio.hpp"
#include "machine/virt/loader.hpp"
#include "machine/virt/machine_error.hpp"
#include "machine/virt/virt_config.hpp"

#include <optional>
#include <string>
#include <vector>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

namespace kestrel {

// Everything a snapshot of a KVM guest holds (the savevm stream describes
// the same fields for either accelerator): vCPU registers, the GIC state
// pulled from the kernel, guest RAM.
struct KvmMachineState {
    std::vector<CpuState> cpu;
    std::vector<SysRegState> sys;
    GicV3State gic;
    std::vector<uint8_t> ram;
};

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

    // With the VM stopped: LPI pending tables to RAM first, then the GIC,
    // the vCPUs and RAM. Any ioctl error is the result.
    std::optional<std::string> save_state(KvmMachineState& out);
    // Checks the state against the kernel first (GICD_TYPER2 and the rest,
    // see KvmGic::prepare_restore): a refusal leaves the running guest as it
    // was. Warnings (registers the kernel drops) go to warnings.
    std::optional<std::string> load_state(const KvmMachineState& st,
                                          std::vector<std::string>& warnings);
    // Test hook (-kvm-snapshot-selftest): the guest line "SNAPSHOT-POINT"
    // on the UART saves the machine state in memory, the next
    // "RESTORE-POINT" line loads it back once, through the same paths as
    // savevm/loadvm.
    void enable_snapshot_selftest() { selftest_ = true; }

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
    void create_devices();

    VirtConfig cfg_;
    KvmInterface& kvm_;
    Bus bus_;
    KvmVm vm_;
    std::unique_ptr<KvmGic> gic_;
    std::unique_ptr<Pl011> uart_;
    std::unique_ptr<Pl031> rtc_;
    std::vector<std::unique_ptr<VirtioMmio>> virtio_;
    std::FILE* serial_out_ = nullptr;
    bool owns_serial_ = false;
    std::vector<LoadSegment> segments_;
    uint64_t start_pc_ = 0, dtb_addr_ = 0;
    uint64_t resets_ = 0;
    std::atomic<bool> quit_{false};
    std::atomic<int> quit_status_{0};
    std::mutex input_mu_;
    std::deque<uint8_t> input_;
    uint8_t* ram_ = nullptr;
    // Snapshot self-test.
    bool selftest_ = false;
    std::string uart_line_;
    enum class Action { None, Save, Restore } action_ = Action::None;
    bool saved_ = false, restored_ = false;
    KvmMachineState selftest_state_;
    void watch_uart(uint64_t pa, uint64_t value);
    bool do_action();
};

} // namespace kestrel
