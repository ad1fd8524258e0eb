// The virt board: builds cores, bus, devices, loads the guest and runs it.
#pragma once
#include "accel/tcg/executor.hpp"
#include "cpu/cpu.hpp"
#include "hw/bus.hpp"
#include "hw/pl011.hpp"
#include "hw/pl031.hpp"
#include "hw/virtio/virtio_mmio.hpp"
#include "intc/gicv3/gicv3.hpp"
#include "machine/virt/loader.hpp"
#include "machine/virt/machine_error.hpp"
#include "machine/virt/psci.hpp"
#include "machine/virt/semihosting.hpp"
#include "machine/virt/virt_config.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace kestrel {

// Where the board put the guest, for the boot path and for tests.
struct BootInfo {
    KernelImage kernel;
    std::optional<LoadSegment> initrd;
    std::vector<uint8_t> dtb;
    uint64_t dtb_addr = 0;
    uint64_t start_pc = 0; // where CPU0 starts: the boot stub, or the kernel
};

class VirtMachine {
  public:
    // Builds the board and loads the guest; throws MachineError on a bad
    // configuration or file. Touches no host terminal or stdin.
    explicit VirtMachine(const VirtConfig& cfg);
    ~VirtMachine();
    VirtMachine(const VirtMachine&) = delete;
    VirtMachine& operator=(const VirtMachine&) = delete;

    // Runs until the guest powers off; returns the process exit status.
    int run();

    // Bytes from the host for the UART; safe from any thread. They reach
    // the guest between time slices, as fast as the receive FIFO drains.
    void push_serial_input(const uint8_t* data, size_t len);
    // Ends run() soon with this status; safe from any thread.
    void request_quit(int status);

    Bus& bus() { return bus_; }
    std::vector<std::unique_ptr<Cpu>>& cpus() { return cpus_; }
    Pl011& uart() { return *uart_; }
    GicV3& gic() { return *gic_; }
    Pl031& rtc() { return *rtc_; }
    // virtio-mmio transports in slot order (slot n at 0x0A000000 + n * 0x200).
    std::vector<std::unique_ptr<VirtioMmio>>& virtio() { return virtio_; }
    Psci& psci() { return *psci_; }
    const BootInfo& boot_info() const { return boot_; }
    const VirtConfig& config() const { return cfg_; }
    RamRange ram() const { return {virt_ram_base(), cfg_.ram_size}; }
    uint64_t resets() const { return resets_; }

  private:
    // Snapshots and the monitor reach into the board's parts.
    friend class VirtSnapshot;
    friend class VirtControl;
    static uint64_t virt_ram_base();
    void open_serial();
    void prepare_boot();
    std::vector<uint8_t> make_dtb(const std::string& bootargs);
    // Power-on and SYSTEM_RESET: devices and cores reset, images rewritten.
    void reset_board();
    int64_t poll_devices();
    void create_gic(const std::vector<Cpu*>& cpus);
    void create_virtio();
    // Every interrupt source tells the GIC its level again (after a load).
    void redrive_irq_lines();
    // Drives the timer PPIs of one core from its timer's current outputs.
    void sync_timer_ppis(Cpu& c);
    // CPU_ON: the core's GIC CPU interface returns to its reset values.
    void reset_cpu_interface(unsigned cpu);

    VirtConfig cfg_;
    Bus bus_;
    std::vector<std::unique_ptr<Cpu>> cpus_;
    std::vector<Cpu*> cpu_list_; // every core, for inner-shareable TLB maintenance
    std::unique_ptr<GicV3> gic_;
    std::unique_ptr<Pl011> uart_;
    std::unique_ptr<Pl031> rtc_;
    std::vector<std::unique_ptr<VirtioMmio>> virtio_;
    std::unique_ptr<Psci> psci_;
    std::unique_ptr<Semihosting> semihosting_;
    std::unique_ptr<TcgExecutor> exec_;
    std::FILE* serial_out_ = nullptr;
    bool owns_serial_ = false;
    BootInfo boot_;
    std::vector<LoadSegment> boot_segments_; // written at every reset
    int exit_status_ = 0;
    bool reset_pending_ = false;
    uint64_t resets_ = 0;
    std::atomic<bool> quit_requested_{false};
    std::atomic<int> quit_status_{0};
    std::mutex input_mu_;
    std::deque<uint8_t> input_;
};

} // namespace kestrel
