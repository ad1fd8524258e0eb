// The virt board under KVM (-accel kvm): the same memory map, UART, device
// tree and guest loading as the TCG board, with the cores on the host CPU
// and the GIC being the kernel's vGICv3. Kept apart from virt_machine.* so
// the TCG board stays free of KVM concerns.
#pragma once
#include "accel/kvm/kvm_gic.hpp"
#include "accel/kvm/kvm_vm.hpp"
#include "cpu/cpu_state_desc.hpp"
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
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace kestrel {

class KvmVirtMachine {
  public:
    // Builds the VM, its vCPUs, the in-kernel GIC and the devices, and loads
    // the guest. Throws MachineError (bad configuration or file, or a KVM
    // call that failed, with the kernel's answer).
    //
    // restore_at_start: a snapshot is loaded before run() (-loadvm,
    // -incoming). The vGIC is then created but not initialised: the load
    // (KvmGic::prepare_restore) can still write the snapshot's GICD_TYPER2
    // before KVM_DEV_ARM_VGIC_CTRL_INIT, and run() initialises it otherwise.
    KvmVirtMachine(const VirtConfig& cfg, KvmInterface& kvm, bool restore_at_start = false);
    ~KvmVirtMachine();
    KvmVirtMachine(const KvmVirtMachine&) = delete;
    KvmVirtMachine& operator=(const KvmVirtMachine&) = delete;

    // Runs until the guest powers off (or request_quit); returns the exit status.
    int run();
    void push_serial_input(const uint8_t* data, size_t len);
    void request_quit(int status);

    // vCPU i as a snapshot holds it: the registers KVM exposes, the power
    // state (KVM_GET_MP_STATE) as run_state, the rest from the board's
    // shadow. With the vCPUs stopped. An error names the ioctl.
    std::optional<std::string> vcpu_state(unsigned i, CpuSnapshotState& out);

    // Runs fn where no vCPU executes: directly while run() is not active,
    // else with every vCPU thread stopped (KvmStop::Pause: a signal plus
    // immediate_exit), on run()'s thread, before the vCPUs run again. Safe
    // from any thread except a vCPU thread (an MMIO handler).
    void run_sync(const std::function<void()>& fn);
    // Monitor stop/cont (inside run_sync): a paused VM runs no vCPU until
    // it is resumed (run_sync work still runs). The guest's virtual
    // counter stands still while paused.
    void set_paused(bool paused);
    bool paused() const { return paused_; }
    // Board reset (power-on state, images rewritten); inside run_sync.
    void reset_board();

    // Test hook (-kvm-snapshot-selftest): the guest line "SNAPSHOT-POINT"
    // on the UART saves the machine into a savevm stream in memory, the
    // next "RESTORE-POINT" line loads that stream back once, through the
    // same code as savevm/loadvm (KvmVirtSnapshot).
    //
    // handler, when given, does the work instead (main: the monitor's
    // savevm/loadvm, so the snapshot is a file of the snapshot directory
    // that a new process can -loadvm); it returns false to stop the VM.
    void enable_snapshot_selftest(std::function<bool(bool save)> handler = {}) {
        selftest_ = true;
        selftest_handler_ = std::move(handler);
    }

    Bus& bus() { return bus_; }
    KvmVm& vm() { return vm_; }
    KvmGic& gic() { return *gic_; }
    Pl011& uart() { return *uart_; }
    Pl031& rtc() { return *rtc_; }
    std::vector<std::unique_ptr<VirtioMmio>>& virtio() { return virtio_; }
    const VirtConfig& config() const { return cfg_; }
    uint64_t resets() const { return resets_; }
    uint64_t start_pc() const { return start_pc_; }
    uint64_t dtb_addr() const { return dtb_addr_; }

  private:
    friend class KvmVirtSnapshot;
    void load_guest();
    void pump_input();
    void create_devices();
    // Every device tells the vGIC its interrupt level again (after a load).
    void redrive_irq_lines();
    // Runs queued run_sync work and waits while paused; false when the
    // machine is to quit.
    bool serve_sync_work();
    // The guest's virtual counter at stop, written back at cont.
    void hold_virtual_counter(bool stop);
    // While paused: the kernel's virtual counter set to the held value
    // (before a save: the snapshot has the stop-time count), or the held
    // value taken from the kernel (after a load: cont resumes from the
    // snapshot's count).
    void put_held_counter();
    void take_held_counter();

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
    // What a snapshot of each vCPU holds beyond the registers KVM exposes
    // (OSLSR, CNTFRQ, the EL2 registers, ...): the TCG core's reset values,
    // or what the last loaded snapshot had, so KVM <-> TCG round trips keep
    // them.
    std::vector<CpuSnapshotState> cpu_shadow_;
    bool reset_pending_ = false; // a TCG snapshot taken with SYSTEM_RESET pending
    // run_sync machinery.
    struct SyncWork {
        const std::function<void()>* fn;
        bool done = false;
    };
    std::mutex sync_mu_;
    std::condition_variable sync_cv_;
    std::deque<SyncWork*> sync_work_;
    bool loop_active_ = false;
    std::thread::id loop_thread_; // run()'s thread while loop_active_
    std::atomic<bool> paused_{false};
    std::vector<uint64_t> held_vcnt_;
    // Snapshot self-test.
    bool selftest_ = false;
    std::function<bool(bool save)> selftest_handler_;
    std::string uart_line_;
    enum class Action { None, Save, Restore } action_ = Action::None;
    bool saved_ = false, restored_ = false;
    std::vector<uint8_t> selftest_stream_;
    void watch_uart(uint64_t pa, uint64_t value);
    bool do_action();
};

} // namespace kestrel
