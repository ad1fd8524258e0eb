#include "machine/virt/kvm_virt_machine.hpp"

#include "cpu/cpu_model.hpp"
#include "cpu/cpu_snapshot.hpp"
#include "cpu/guest_counter.hpp"
#include "hw/virtio/virtio_blk.hpp"
#include "hw/virtio/virtio_rng.hpp"
#include "machine/virt/fdt_builder.hpp"
#include "machine/virt/kvm_virt_snapshot.hpp"
#include "machine/virt/memory_map.hpp"
#include "machine/virt/virtio_transports.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <thread>
#include <utility>

namespace kestrel {

using namespace kvm;

namespace {

// Joins message parts (operator+ chains trip GCC 12's -Wrestrict).
std::string cat(std::initializer_list<std::string_view> parts) {
    std::string s;
    for (std::string_view p : parts)
        s.append(p);
    return s;
}

// Redistributors per vCPU under KVM: RD + SGI frames (128 KiB).
constexpr uint64_t kMaxKvmCpus = virt::kGicRedistSize / KVM_VGIC_V3_REDIST_SIZE;

} // namespace

KvmVirtMachine::KvmVirtMachine(const VirtConfig& cfg, KvmInterface& kvm, bool restore_at_start)
    : cfg_(cfg), kvm_(kvm), vm_(kvm) {
    if (cfg.gic_version != "3")
        throw MachineError(cat({"-accel kvm: the kernel's vGIC is a GICv3 (gic-version=",
                                cfg.gic_version, " is only available with TCG)"}));
    if (cfg.virtualization)
        throw MachineError("-accel kvm: virtualization=on (EL2 for the guest) is not supported");
    if (cfg.smp < 1 || cfg.smp > kMaxKvmCpus)
        throw MachineError(
            cat({"-smp ", std::to_string(cfg.smp), ": with KVM the virt board supports 1 to ",
                 std::to_string(kMaxKvmCpus), " vCPUs"}));
    if (cfg.semihosting)
        throw MachineError("-accel kvm: semihosting needs TCG (the kernel does not trap HLT)");
    try {
        // The TCG board's boot ROM, so both boards have the same RAM blocks
        // in a snapshot. Not given to the kernel: the guest starts in its
        // kernel under KVM, and a stray access reaches the bus as MMIO
        // (read-only, as under TCG).
        bus_.add_ram(virt::kBootRomBase, virt::kBootRomSize, "boot-rom", true);
        uint8_t* ram = bus_.add_ram(virt::kRamBase, cfg.ram_size, "ram");
        ram_ = ram;
        if (cfg.serial == "stdio" || cfg.serial == "mon:stdio") {
            serial_out_ = stdout;
        } else if (cfg.serial.rfind("file:", 0) == 0) {
            serial_out_ = std::fopen(cfg.serial.c_str() + 5, "w");
            if (!serial_out_)
                throw MachineError(cat({"cannot open serial output file '", cfg.serial.substr(5),
                                        "': ", std::strerror(errno)}));
            owns_serial_ = true;
        }
        uart_ = std::make_unique<Pl011>(serial_out_);
        bus_.add_device(virt::kUartBase, virt::kUartSize, uart_.get());

        vm_.create(virt::kRamBase + cfg.ram_size - 1);
        vm_.add_memory(virt::kRamBase, cfg.ram_size, ram);
        vm_.create_vcpus(cfg.smp);
        GicConfig gcfg;
        gcfg.version = GicVersion::V3;
        gcfg.num_irqs = 256;
        gcfg.cpu_mpidr = GicConfig::virt_mpidrs(cfg.smp);
        gic_ = std::make_unique<KvmGic>(
            kvm_, vm_.vm_fd(), gcfg,
            KvmGicLayout{virt::kGicDistBase, virt::kGicRedistBase, virt::kGicRedistSize});
        gic_->create();
        vm_.init_vcpus();
        // A start-up restore (-loadvm/-incoming) initialises the vGIC
        // itself, after KvmGic::prepare_restore() had its chance to write
        // the snapshot's GICD_TYPER2 before CTRL_INIT.
        if (!restore_at_start) gic_->init();
        uart_->irq.connect([this](bool level) { gic_->set_spi(32 + virt::kUartSpi, level); });
        create_devices();
        load_guest();
        reset_board();
    } catch (const KvmError& e) {
        throw MachineError(e.what());
    } catch (const KvmGicError& e) {
        throw MachineError(e.what());
    } catch (const GicConfigError& e) {
        throw MachineError(e.what());
    }
}

KvmVirtMachine::~KvmVirtMachine() {
    if (owns_serial_) std::fclose(serial_out_);
}

// The same PL031 and virtio-mmio devices as the TCG board, with their
// interrupt lines going to the kernel's vGIC.
void KvmVirtMachine::create_devices() {
    rtc_ =
        std::make_unique<Pl031>([this](bool level) { gic_->set_spi(32 + virt::kRtcSpi, level); });
    bus_.add_device(virt::kRtcBase, virt::kRtcSize, rtc_.get());
    add_virtio_transports(bus_, cfg_.virtio, virtio_,
                          [this](unsigned intid, bool level) { gic_->set_spi(intid, level); });
}

void KvmVirtMachine::load_guest() {
    if (cfg_.kernel.empty()) throw MachineError("-accel kvm needs a guest (-kernel FILE)");
    RamRange r{virt::kRamBase, cfg_.ram_size};
    KernelImage k = load_kernel_file(cfg_.kernel, r);
    uint64_t used_end = k.end;
    std::optional<LoadSegment> initrd;
    if (!cfg_.initrd.empty()) {
        initrd =
            place_initrd(read_guest_file(cfg_.initrd, "initrd", r.size), cfg_.initrd, r, k.end);
        used_end = std::max(used_end, initrd->end());
    }
    std::vector<uint8_t> dtb;
    std::optional<std::pair<uint64_t, uint64_t>> initrd_range;
    if (initrd) initrd_range = {{initrd->addr, initrd->end()}};
    if (!cfg_.dtb.empty()) {
        dtb = patch_user_dtb(read_guest_file(cfg_.dtb, "DTB", 2 * kMiB), cfg_.dtb, cfg_.append,
                             initrd_range);
    } else {
        FdtParams p;
        p.ram_base = virt::kRamBase;
        p.ram_size = cfg_.ram_size;
        p.cpu_compatible = "arm,arm-v8";
        p.cpu_mpidrs = GicConfig::virt_mpidrs(cfg_.smp);
        p.psci_method = "hvc"; // the kernel's PSCI
        p.uart_base = virt::kUartBase;
        p.uart_size = virt::kUartSize;
        p.uart_spi = virt::kUartSpi;
        // p.gic.version defaults to "3", the only version the kernel offers.
        p.gic.dist_base = virt::kGicDistBase;
        p.gic.dist_size = virt::kGicDistSize;
        p.gic.redist_base = virt::kGicRedistBase;
        p.gic.redist_size = cfg_.smp * KVM_VGIC_V3_REDIST_SIZE;
        p.gic.has_its = false; // no in-kernel ITS yet
        p.rtc = FdtMmioDevice{virt::kRtcBase, virt::kRtcSize, virt::kRtcSpi};
        for (size_t n = 0; n < virtio_.size(); n++)
            p.virtio.push_back({virt::kVirtioBase + n * virt::kVirtioStride, virt::kVirtioStride,
                                virt::kVirtioFirstSpi + static_cast<unsigned>(n)});
        p.bootargs = cfg_.append;
        p.initrd = initrd_range;
        dtb = build_virt_fdt(p);
    }
    dtb_addr_ = place_dtb(dtb.size(), cfg_.dtb.empty() ? "generated" : cfg_.dtb, r, used_end);
    segments_ = k.segments;
    if (initrd) segments_.push_back(*initrd);
    segments_.push_back({dtb_addr_, std::move(dtb), 0});
    start_pc_ = k.entry;
}

void KvmVirtMachine::reset_board() {
    resets_++;
    reset_pending_ = false;
    // The snapshot fields KVM has no register for start at the reset
    // values of a TCG core of the configured model.
    {
        const std::optional<CpuModel> model = find_cpu_model(cfg_.cpu_model);
        cpu_shadow_.assign(cfg_.smp, CpuSnapshotState{});
        if (model) {
            for (unsigned i = 0; i < cfg_.smp; i++) {
                auto c = std::make_unique<Cpu>(i, *model, bus_);
                cpu_shadow_[i] = capture_cpu_snapshot(*c);
            }
        }
    }
    bus_.reset_devices();
    write_segments(bus_, segments_, cfg_.kernel);
    if (resets_ > 1) {
        vm_.init_vcpus(); // the kernel resets every vCPU (secondaries off again)
        if (auto err = gic_->reset()) throw MachineError(*err);
    }
    // The Linux arm64 boot protocol: x0 = DTB, x1..x3 = 0, at EL1 with
    // interrupts masked (KVM's reset PSTATE).
    vm_.set_reg(0, kRegPc, start_pc_);
    vm_.set_reg(0, core_x(0), dtb_addr_);
    for (unsigned n = 1; n < 4; n++)
        vm_.set_reg(0, core_x(n), 0);
}

void KvmVirtMachine::push_serial_input(const uint8_t* data, size_t len) {
    std::lock_guard lk(input_mu_);
    input_.insert(input_.end(), data, data + len);
}

void KvmVirtMachine::request_quit(int status) {
    quit_status_ = status;
    quit_ = true;
    vm_.request_stop(KvmStop::Quit);
    std::lock_guard lk(sync_mu_);
    sync_cv_.notify_all();
}

void KvmVirtMachine::pump_input() {
    std::lock_guard lk(input_mu_);
    while (!input_.empty() && uart_->can_receive()) {
        uart_->receive(input_.front());
        input_.pop_front();
    }
}

int KvmVirtMachine::run() {
    if (!gic_->initialized()) {
        // A start-up restore that did not happen (or failed) leaves the
        // vGIC to be initialised here.
        try {
            gic_->init();
        } catch (const KvmGicError& e) {
            std::fprintf(stderr, "kestrel: %s\n", e.what());
            return 1;
        }
    }
    KvmExitHandlers h;
    std::mutex dev_mu; // the devices are also touched by the input pump
    h.mmio_read = [this, &dev_mu](uint64_t pa, unsigned size, uint64_t& v) {
        std::lock_guard lk(dev_mu);
        return bus_.read(pa, size, v);
    };
    h.mmio_write = [this, &dev_mu](uint64_t pa, unsigned size, uint64_t v) {
        std::lock_guard lk(dev_mu);
        MemResult r = bus_.write(pa, size, v);
        if (selftest_) watch_uart(pa, v);
        return r;
    };
    {
        std::lock_guard lk(sync_mu_);
        loop_active_ = true;
        loop_thread_ = std::this_thread::get_id();
    }
    struct LoopEnd {
        KvmVirtMachine& m;
        ~LoopEnd() {
            // Work queued while the loop ends runs here (no vCPU runs any more).
            std::unique_lock lk(m.sync_mu_);
            m.loop_active_ = false;
            while (!m.sync_work_.empty()) {
                SyncWork* w = m.sync_work_.front();
                m.sync_work_.pop_front();
                (*w->fn)();
                w->done = true;
            }
            m.sync_cv_.notify_all();
        }
    } loop_end{*this};
    for (;;) {
        if (!serve_sync_work()) return quit_status_;
        if (reset_pending_) {
            // A snapshot taken while a TCG guest's SYSTEM_RESET was pending.
            try {
                reset_board();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "kestrel: reset failed: %s\n", e.what());
                return 1;
            }
        }
        std::atomic<bool> running{true};
        std::thread pump([&] {
            while (running) {
                {
                    std::lock_guard lk(dev_mu);
                    pump_input();
                    rtc_->poll(); // the RTC's match interrupt
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
        KvmStop why = vm_.run(h);
        running = false;
        pump.join();
        if (quit_) return quit_status_;
        switch (why) {
        case KvmStop::PowerOff: return 0;
        case KvmStop::Pause:
            if (!do_action()) return 1;
            continue;
        case KvmStop::Crash:
            std::fprintf(stderr, "kestrel: the guest reported a crash (PSCI SYSTEM_EVENT)\n");
            return 1;
        case KvmStop::Reset:
            if (cfg_.no_reboot) return 0;
            try {
                reset_board();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "kestrel: reset failed: %s\n", e.what());
                return 1;
            }
            continue;
        case KvmStop::Error: std::fprintf(stderr, "kestrel: %s\n", vm_.error().c_str()); return 1;
        default: return 1;
        }
    }
}

bool KvmVirtMachine::serve_sync_work() {
    std::unique_lock lk(sync_mu_);
    for (;;) {
        while (!sync_work_.empty()) {
            SyncWork* w = sync_work_.front();
            sync_work_.pop_front();
            lk.unlock();
            (*w->fn)();
            lk.lock();
            w->done = true;
            sync_cv_.notify_all();
        }
        if (quit_) return false;
        if (!paused_) return true;
        sync_cv_.wait(lk, [this] { return !sync_work_.empty() || !paused_ || quit_; });
    }
}

void KvmVirtMachine::run_sync(const std::function<void()>& fn) {
    std::unique_lock lk(sync_mu_);
    // run()'s own thread (e.g. the snapshot self-test's handler) runs no
    // vCPU while it is here.
    if (!loop_active_ || loop_thread_ == std::this_thread::get_id()) {
        lk.unlock();
        fn();
        return;
    }
    SyncWork w{&fn};
    sync_work_.push_back(&w);
    vm_.request_stop(KvmStop::Pause);
    sync_cv_.notify_all(); // a paused loop waits on the condition, not in KVM_RUN
    sync_cv_.wait(lk, [&w] { return w.done; });
}

void KvmVirtMachine::set_paused(bool paused) {
    if (paused_ == paused) return;
    hold_virtual_counter(paused);
    paused_ = paused;
}

void KvmVirtMachine::hold_virtual_counter(bool stop) {
    // The kernel's virtual counter follows the host's while the VM is
    // stopped; write back the value it had at the stop so the guest does
    // not see the time it spent stopped (as the TCG board's frozen counter).
    if (stop) {
        held_vcnt_.assign(vm_.num_vcpus(), 0);
        for (unsigned i = 0; i < vm_.num_vcpus(); i++)
            if (kvm_.get_one_reg(vm_.vcpu_fd(i), KVM_REG_ARM_TIMER_CNT, &held_vcnt_[i]) < 0)
                held_vcnt_.clear();
        return;
    }
    for (unsigned i = 0; i < held_vcnt_.size() && i < vm_.num_vcpus(); i++)
        kvm_.set_one_reg(vm_.vcpu_fd(i), KVM_REG_ARM_TIMER_CNT, &held_vcnt_[i]);
    held_vcnt_.clear();
}

std::optional<std::string> KvmVirtMachine::vcpu_state(unsigned i, CpuSnapshotState& st) {
    st = cpu_shadow_.at(i);
    if (auto e = vm_.get_regs(i, st.s, st.sys)) return "vCPU " + std::to_string(i) + ": " + *e;
    uint32_t mp = 0;
    if (auto e = vm_.get_mp_state(i, mp)) return e;
    st.run_state = run_state_of_kvm_mp_state(mp);
    st.exit_code = 0;
    return std::nullopt;
}

void KvmVirtMachine::put_held_counter() {
    if (!paused_) return;
    for (unsigned i = 0; i < held_vcnt_.size() && i < vm_.num_vcpus(); i++)
        kvm_.set_one_reg(vm_.vcpu_fd(i), KVM_REG_ARM_TIMER_CNT, &held_vcnt_[i]);
}

void KvmVirtMachine::take_held_counter() {
    if (paused_) hold_virtual_counter(true);
}

void KvmVirtMachine::redrive_irq_lines() {
    uart_->irq.resync();
    rtc_->update_irq();
    for (auto& t : virtio_)
        t->update_irq();
}

} // namespace kestrel

namespace kestrel {

void KvmVirtMachine::watch_uart(uint64_t pa, uint64_t value) {
    if (pa != virt::kUartBase) return;
    const char c = static_cast<char>(value & 0xff);
    if (c != '\n') {
        if (uart_line_.size() < 64) uart_line_.push_back(c);
        return;
    }
    if (uart_line_ == "SNAPSHOT-POINT" && !saved_) {
        action_ = Action::Save;
        vm_.request_stop(KvmStop::Pause);
    } else if (uart_line_ == "RESTORE-POINT" && saved_ && !restored_) {
        action_ = Action::Restore;
        vm_.request_stop(KvmStop::Pause);
    }
    uart_line_.clear();
}

bool KvmVirtMachine::do_action() {
    const Action a = std::exchange(action_, Action::None);
    if (a == Action::None) return true;
    if (selftest_handler_) {
        if (!selftest_handler_(a == Action::Save)) return false;
        (a == Action::Save ? saved_ : restored_) = true;
        return true;
    }
    KvmVirtSnapshot snap(*this);
    if (a == Action::Save) {
        try {
            selftest_stream_ = snap.save();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "kestrel: snapshot failed: %s\n", e.what());
            return false;
        }
        saved_ = true;
        std::fprintf(stderr,
                     "kestrel: snapshot taken (GICD_TYPER2=0x%x, %zu bytes of savevm stream)\n",
                     gic_->kernel_typer2(), selftest_stream_.size());
    } else if (a == Action::Restore) {
        try {
            snap.load(selftest_stream_);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "kestrel: restore failed: %s\n", e.what());
            return false;
        }
        restored_ = true;
        std::fprintf(stderr, "kestrel: snapshot restored\n");
    }
    return true;
}

} // namespace kestrel
