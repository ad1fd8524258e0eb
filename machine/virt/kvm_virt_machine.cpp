#include "machine/virt/kvm_virt_machine.hpp"

#include "hw/virtio/virtio_blk.hpp"
#include "hw/virtio/virtio_rng.hpp"
#include "machine/virt/fdt_builder.hpp"
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

KvmVirtMachine::KvmVirtMachine(const VirtConfig& cfg, KvmInterface& kvm)
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
        // A start-up restore (-loadvm/-incoming) calls
        // gic_->prepare_restore() here, before CTRL_INIT.
        gic_->init();
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
}

void KvmVirtMachine::pump_input() {
    std::lock_guard lk(input_mu_);
    while (!input_.empty() && uart_->can_receive()) {
        uart_->receive(input_.front());
        input_.pop_front();
    }
}

int KvmVirtMachine::run() {
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
    for (;;) {
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

} // namespace kestrel

namespace kestrel {

std::optional<std::string> KvmVirtMachine::save_state(KvmMachineState& out) {
    // LPI pending bits go to the pending tables in guest RAM before RAM is copied.
    if (auto e = gic_->save_pending_tables()) return e;
    if (auto e = gic_->pull_from_kernel(out.gic)) return e;
    out.cpu.assign(vm_.num_vcpus(), CpuState{});
    out.sys.assign(vm_.num_vcpus(), SysRegState{});
    for (unsigned i = 0; i < vm_.num_vcpus(); i++)
        if (auto e = vm_.get_regs(i, out.cpu[i], out.sys[i]))
            return "vCPU " + std::to_string(i) + ": " + *e;
    out.ram.assign(ram_, ram_ + cfg_.ram_size);
    return std::nullopt;
}

std::optional<std::string> KvmVirtMachine::load_state(const KvmMachineState& st,
                                                      std::vector<std::string>& warnings) {
    if (st.cpu.size() != vm_.num_vcpus() || st.sys.size() != vm_.num_vcpus())
        return "the state has " + std::to_string(st.cpu.size()) + " vCPUs, this VM has " +
               std::to_string(vm_.num_vcpus());
    if (st.ram.size() != cfg_.ram_size) return std::string("the state's RAM size differs");
    // Nothing of the running guest changes before the kernel has accepted
    // the GIC configuration.
    GicRestoreCheck chk = gic_->prepare_restore(st.gic);
    if (chk.error) return chk.error;
    warnings.insert(warnings.end(), chk.warnings.begin(), chk.warnings.end());
    std::memcpy(ram_, st.ram.data(), st.ram.size());
    for (unsigned i = 0; i < vm_.num_vcpus(); i++)
        if (auto e = vm_.set_regs(i, st.cpu[i], st.sys[i]))
            return "vCPU " + std::to_string(i) + ": " + *e;
    return gic_->push_to_kernel(st.gic);
}

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
    if (a == Action::Save) {
        if (auto e = save_state(selftest_state_)) {
            std::fprintf(stderr, "kestrel: snapshot failed: %s\n", e->c_str());
            return false;
        }
        saved_ = true;
        std::fprintf(stderr, "kestrel: snapshot taken (GICD_TYPER2=0x%x, %zu bytes of RAM)\n",
                     selftest_state_.gic.gicd_typer2, selftest_state_.ram.size());
    } else if (a == Action::Restore) {
        std::vector<std::string> warnings;
        auto e = load_state(selftest_state_, warnings);
        for (const auto& w : warnings)
            std::fprintf(stderr, "kestrel: %s\n", w.c_str());
        if (e) {
            std::fprintf(stderr, "kestrel: restore failed: %s\n", e->c_str());
            return false;
        }
        restored_ = true;
        std::fprintf(stderr, "kestrel: snapshot restored\n");
    }
    return true;
}

} // namespace kestrel
