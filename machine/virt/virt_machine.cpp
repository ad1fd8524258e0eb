#include "machine/virt/virt_machine.hpp"

#include "intc/gicv3/gic_reset.hpp"
#include "machine/virt/boot_stub.hpp"
#include "machine/virt/fdt_builder.hpp"
#include "machine/virt/memory_map.hpp"
#include "machine/virt/virtio_transports.hpp"

#include "hw/virtio/virtio_blk.hpp"
#include "hw/virtio/virtio_rng.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace kestrel {

namespace {

// INTIDs of the generic timer PPIs, as the device tree's timer node names
// them (PPI n = INTID 16 + n): non-secure physical 14, virtual 11.
constexpr unsigned kTimerPhysIntid = 30, kTimerVirtIntid = 27;

GicConfig gic_config_for(const VirtConfig& cfg) {
    GicConfig g;
    g.version = cfg.gic_version == "3" ? GicVersion::V3 : GicVersion::V4_1;
    g.cpu_mpidr = GicConfig::virt_mpidrs(cfg.smp);
    return g;
}

std::string cpu_compatible(const std::string& model) {
    if (model == "cortex-a57") return "arm,cortex-a57";
    if (model == "cortex-a72") return "arm,cortex-a72";
    return "arm,arm-v8";
}

} // namespace

uint64_t VirtMachine::virt_ram_base() {
    return virt::kRamBase;
}

VirtMachine::VirtMachine(const VirtConfig& cfg) : cfg_(cfg) {
    auto model = find_cpu_model(cfg.cpu_model);
    if (!model)
        throw MachineError("unknown CPU model '" + cfg.cpu_model +
                           "' (known: " + cpu_model_names() + ")");
    if (cfg.gic_version != "3" && cfg.gic_version != "4.1")
        throw MachineError("unsupported GIC version '" + cfg.gic_version +
                           "' (use gic-version=3, 4.1 or max)");
    // Each core needs one redistributor: 128 KiB on GICv3, 256 KiB on GICv4.x.
    const GicConfig gcfg = gic_config_for(cfg);
    uint64_t max_cpus = virt::kGicRedistSize / gcfg.redist_stride();
    if (cfg.smp < 1 || cfg.smp > max_cpus)
        throw MachineError("-smp " + std::to_string(cfg.smp) + ": the virt board with GICv" +
                           cfg.gic_version + " supports 1 to " + std::to_string(max_cpus) +
                           " CPUs (one redistributor each in the " +
                           std::to_string(virt::kGicRedistSize >> 10) + " KiB region)");
    if (cfg.ram_size == 0 || cfg.ram_size % 4096)
        throw MachineError("RAM size must be a non-zero multiple of 4 KiB");

    bus_.add_ram(virt::kBootRomBase, virt::kBootRomSize, "boot-rom", true);
    bus_.add_ram(virt::kRamBase, cfg.ram_size, "ram");
    open_serial();
    uart_ = std::make_unique<Pl011>(serial_out_);
    bus_.add_device(virt::kUartBase, virt::kUartSize, uart_.get());

    std::vector<Cpu*> raw;
    for (unsigned i = 0; i < cfg.smp; i++) {
        cpus_.push_back(std::make_unique<Cpu>(i, *model, bus_));
        raw.push_back(cpus_.back().get());
    }
    psci_ = std::make_unique<Psci>(raw);
    psci_->on_cpu_reset = [this](Cpu& c) {
        sync_timer_ppis(c);
        reset_cpu_interface(c.index);
    };
    psci_->on_system_off = [this](Cpu&) {
        exit_status_ = 0;
        exec_->stop();
    };
    psci_->on_system_reset = [this](Cpu&) {
        if (cfg_.no_reboot) {
            exit_status_ = 0;
            exec_->stop();
            return;
        }
        // Every core stops; the executor then asks on_all_halted, which resets.
        reset_pending_ = true;
        for (auto& c : cpus_)
            c->run_state = CpuRunState::Off;
    };
    if (cfg.semihosting) {
        semihosting_ = std::make_unique<Semihosting>(stderr, stdout, stderr);
        semihosting_->on_exit = [this](Cpu&, int status) {
            exit_status_ = status;
            exec_->stop();
        };
    }
    for (Cpu* c : raw) {
        // With EL2 present HVC belongs to the guest hypervisor: PSCI moves to SMC.
        auto psci_hook = [this](Cpu& cpu, uint16_t imm) { return imm == 0 && psci_->call(cpu); };
        if (cfg.virtualization)
            c->hooks.smc = psci_hook;
        else
            c->hooks.hvc = psci_hook;
        if (semihosting_)
            c->hooks.hlt = [this](Cpu& cpu, uint16_t imm) {
                return imm == 0xf000 && semihosting_->call(cpu);
            };
    }
    cpu_list_ = raw;
    for (Cpu* c : raw)
        c->siblings = &cpu_list_;
    create_gic(raw);
    create_virtio();
    exec_ = std::make_unique<TcgExecutor>(bus_, raw);
    exec_->poll_devices = [this] { return poll_devices(); };
    // The GIC may change a core's lines from another thread (a device
    // raising an SPI): wake the loop if every core sleeps in WFI.
    gic_->on_line_change = [this](unsigned) {
        if (exec_) exec_->kick();
    };
    exec_->on_all_halted = [this] {
        if (!reset_pending_ || quit_requested_) return false;
        reset_board();
        return true;
    };
    prepare_boot();
    reset_board();
}

void VirtMachine::create_gic(const std::vector<Cpu*>& cpus) {
    try {
        gic_ = std::make_unique<GicV3>(gic_config_for(cfg_));
        gic_->attach(
            bus_, cpus,
            {virt::kGicDistBase, virt::kGicRedistBase, virt::kGicRedistSize, virt::kGicItsBase});
    } catch (const GicConfigError& e) {
        throw MachineError(e.what());
    }
    // Timers are level-sensitive PPIs of their own core's redistributor.
    for (Cpu* c : cpus) {
        c->timer.irq_out[GenericTimer::kPhys] = [this, c](bool level) {
            gic_->set_ppi(c->index, kTimerPhysIntid, level);
        };
        c->timer.irq_out[GenericTimer::kVirt] = [this, c](bool level) {
            gic_->set_ppi(c->index, kTimerVirtIntid, level);
        };
    }
    uart_->irq.connect([this](bool level) { gic_->set_spi(32 + virt::kUartSpi, level); });
    rtc_ =
        std::make_unique<Pl031>([this](bool level) { gic_->set_spi(32 + virt::kRtcSpi, level); });
    bus_.add_device(virt::kRtcBase, virt::kRtcSize, rtc_.get());
}

void VirtMachine::create_virtio() {
    add_virtio_transports(bus_, cfg_.virtio, virtio_,
                          [this](unsigned intid, bool level) { gic_->set_spi(intid, level); });
}

void VirtMachine::reset_cpu_interface(unsigned cpu) {
    // The ICC_* registers belong to the core and reset with it (CPU_ON);
    // the redistributor is not part of the core and keeps its state.
    const GicV3CpuState fresh = gic_initial_state(gic_->config()).cpu[cpu];
    GicV3CpuState& s = gic_->mutable_state().cpu[cpu];
    s.icc_ctlr = fresh.icc_ctlr;
    s.icc_pmr = fresh.icc_pmr;
    s.icc_bpr = fresh.icc_bpr;
    s.icc_igrpen = fresh.icc_igrpen;
    s.icc_apr = fresh.icc_apr;
    s.icc_sre = fresh.icc_sre;
    gic_->state_loaded();
}

void VirtMachine::redrive_irq_lines() {
    for (auto& c : cpus_)
        c->timer.resync();
    uart_->irq.resync();
    rtc_->update_irq();
    for (auto& t : virtio_)
        t->update_irq();
}

void VirtMachine::sync_timer_ppis(Cpu& c) {
    gic_->set_ppi(c.index, kTimerPhysIntid, c.timer.output(GenericTimer::kPhys));
    gic_->set_ppi(c.index, kTimerVirtIntid, c.timer.output(GenericTimer::kVirt));
}

VirtMachine::~VirtMachine() {
    if (owns_serial_) std::fclose(serial_out_);
}

void VirtMachine::open_serial() {
    const std::string& s = cfg_.serial;
    if (s == "stdio" || s == "mon:stdio") {
        serial_out_ = stdout;
    } else if (s == "null" || s == "none") {
        serial_out_ = nullptr;
    } else if (s.rfind("file:", 0) == 0) {
        std::string path = s.substr(5);
        serial_out_ = std::fopen(path.c_str(), "w");
        if (!serial_out_)
            throw MachineError("cannot open serial output file '" + path +
                               "': " + std::strerror(errno));
        owns_serial_ = true;
    } else {
        throw MachineError("unknown serial backend '" + s +
                           "' (use stdio, mon:stdio, null or file:PATH)");
    }
}

std::vector<uint8_t> VirtMachine::make_dtb(const std::string& bootargs) {
    std::optional<std::pair<uint64_t, uint64_t>> initrd;
    if (boot_.initrd) initrd = {{boot_.initrd->addr, boot_.initrd->end()}};
    if (!cfg_.dtb.empty()) {
        auto user = read_guest_file(cfg_.dtb, "DTB", 2 * kMiB);
        return patch_user_dtb(user, cfg_.dtb, bootargs, initrd);
    }
    FdtParams p;
    p.ram_base = virt::kRamBase;
    p.ram_size = cfg_.ram_size;
    p.cpu_compatible = cpu_compatible(cfg_.cpu_model);
    for (auto& c : cpus_)
        p.cpu_mpidrs.push_back(c->mpidr);
    p.psci_method = cfg_.virtualization ? "smc" : "hvc";
    p.uart_base = virt::kUartBase;
    p.uart_size = virt::kUartSize;
    p.uart_spi = virt::kUartSpi;
    p.rtc = FdtMmioDevice{virt::kRtcBase, virt::kRtcSize, virt::kRtcSpi};
    for (size_t n = 0; n < virtio_.size(); n++)
        p.virtio.push_back({virt::kVirtioBase + n * virt::kVirtioStride, virt::kVirtioStride,
                            virt::kVirtioFirstSpi + static_cast<unsigned>(n)});
    p.gic.version = cfg_.gic_version;
    p.gic.dist_base = virt::kGicDistBase;
    p.gic.dist_size = virt::kGicDistSize;
    p.gic.redist_base = virt::kGicRedistBase;
    p.gic.redist_size = virt::kGicRedistSize;
    p.gic.has_its = true;
    p.gic.its_base = virt::kGicItsBase;
    p.gic.its_size = virt::kGicItsSize;
    p.gic.maintenance_irq = cfg_.virtualization;
    p.bootargs = bootargs;
    p.initrd = initrd;
    // Host entropy, as the common virt board gives it: Linux then has its
    // random pool seeded at boot and enables KASLR.
    try {
        std::random_device rd;
        p.rng_seed.resize(32);
        for (auto& b : p.rng_seed)
            b = static_cast<uint8_t>(rd());
        p.kaslr_seed = (static_cast<uint64_t>(rd()) << 32) | rd() | 1;
    } catch (const std::exception&) {
        p.rng_seed.clear(); // no host entropy source: the guest gathers its own
        p.kaslr_seed = 0;
    }
    return build_virt_fdt(p);
}

void VirtMachine::prepare_boot() {
    boot_segments_.clear();
    if (cfg_.kernel.empty()) {
        if (!cfg_.initrd.empty() || !cfg_.dtb.empty())
            throw MachineError("-initrd and -dtb need a -kernel to boot");
        boot_.start_pc = virt::kBootRomBase;
        return;
    }
    RamRange r = ram();
    boot_.kernel = load_kernel_file(cfg_.kernel, r);
    uint64_t used_end = boot_.kernel.end;
    if (!cfg_.initrd.empty()) {
        auto data = read_guest_file(cfg_.initrd, "initrd", r.size);
        boot_.initrd = place_initrd(std::move(data), cfg_.initrd, r, boot_.kernel.end);
        used_end = std::max(used_end, boot_.initrd->end());
    }
    boot_.dtb = make_dtb(cfg_.append);
    boot_.dtb_addr =
        place_dtb(boot_.dtb.size(), cfg_.dtb.empty() ? "generated" : cfg_.dtb, r, used_end);

    boot_segments_ = boot_.kernel.segments;
    if (boot_.initrd) boot_segments_.push_back(*boot_.initrd);
    boot_segments_.push_back({boot_.dtb_addr, boot_.dtb, 0});
    std::vector<uint8_t> stub = make_boot_stub(boot_.dtb_addr, boot_.kernel.entry);
    if (!stub.empty()) {
        boot_segments_.push_back({virt::kBootRomBase, std::move(stub), 0});
        boot_.start_pc = virt::kBootRomBase;
    } else {
        boot_.start_pc = boot_.kernel.entry;
    }
}

void VirtMachine::reset_board() {
    reset_pending_ = false;
    resets_++;
    bus_.reset_devices();
    write_segments(bus_, boot_segments_, cfg_.kernel);
    for (auto& c : cpus_) {
        c->reset();
        if (cfg_.virtualization) {
            c->s.el = 2;
            c->update_mmu_idx();
        }
        // Secondary cores wait powered off for PSCI CPU_ON.
        c->run_state = c->index == 0 ? CpuRunState::Running : CpuRunState::Off;
        // A core reset forgets the timer outputs without telling the GIC.
        sync_timer_ppis(*c);
    }
    // After the cores: the GIC drives their IRQ/FIQ lines from its reset state.
    gic_->reset();
    Cpu& boot = *cpus_[0];
    boot.s.pc = boot_.start_pc;
    if (boot_.start_pc != virt::kBootRomBase) {
        // No stub was built: give the kernel its boot registers directly.
        boot.s.x[0] = boot_.dtb_addr;
        boot.s.x[1] = boot.s.x[2] = boot.s.x[3] = 0;
    }
}

void VirtMachine::push_serial_input(const uint8_t* data, size_t len) {
    {
        std::lock_guard<std::mutex> lk(input_mu_);
        input_.insert(input_.end(), data, data + len);
    }
    if (exec_) exec_->kick();
}

void VirtMachine::request_quit(int status) {
    quit_status_ = status;
    quit_requested_ = true;
    exec_->stop();
}

int64_t VirtMachine::poll_devices() {
    int64_t next = -1;
    auto sooner = [&next](int64_t ns) {
        if (ns >= 0 && (next < 0 || ns < next)) next = ns;
    };
    for (Cpu* c : cpu_list_)
        sooner(c->timer.update());
    // The RTC's match interrupt: wake when the counter reaches MR.
    if (int64_t s = rtc_->poll(); s >= 0) sooner(s == 0 ? 1'000'000'000 : s * 1'000'000'000);
    std::lock_guard<std::mutex> lk(input_mu_);
    while (!input_.empty() && uart_->can_receive()) {
        uart_->receive(input_.front());
        input_.pop_front();
    }
    // Bytes still waiting: look again soon, the guest is draining the FIFO.
    if (!input_.empty()) sooner(1'000'000);
    return next;
}

int VirtMachine::run() {
    int rc = exec_->run();
    if (quit_requested_) return quit_status_;
    return rc ? rc : exit_status_;
}

} // namespace kestrel
