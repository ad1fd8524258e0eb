#include "machine/virt/virt_machine.hpp"

#include "machine/virt/memory_map.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>

namespace kestrel {

VirtMachine::VirtMachine(const VirtConfig& cfg) : cfg_(cfg) {
    auto model = find_cpu_model(cfg.cpu_model);
    if (!model) throw MachineError("unknown CPU model '" + cfg.cpu_model + "' (known: " + cpu_model_names() + ")");
    bus_.add_ram(virt::kRamBase, cfg.ram_size, "ram");
    if (cfg.serial == "stdio") {
        serial_out_ = stdout;
    } else if (cfg.serial.rfind("file:", 0) == 0) {
        serial_out_ = std::fopen(cfg.serial.c_str() + 5, "w");
        if (!serial_out_) throw MachineError("cannot open serial output file '" + cfg.serial.substr(5) + "'");
        owns_serial_ = true;
    }
    uart_ = std::make_unique<Pl011>(serial_out_);
    bus_.add_device(virt::kUartBase, virt::kUartSize, uart_.get());
    std::vector<Cpu*> raw;
    for (unsigned i = 0; i < cfg.smp; i++) {
        cpus_.push_back(std::make_unique<Cpu>(i, *model, bus_));
        Cpu& c = *cpus_.back();
        c.hooks.hvc = [this](Cpu& cpu, uint16_t imm) { return imm == 0 && psci_call(cpu); };
        if (cfg.semihosting)
            c.hooks.hlt = [this](Cpu& cpu, uint16_t imm) { return imm == 0xf000 && semihosting_call(cpu); };
        if (i > 0) c.run_state = CpuRunState::Off;
        raw.push_back(&c);
    }
    cpu_list_ = raw;
    for (Cpu* c : raw) {
        c->siblings = &cpu_list_;
        // Until the GIC exists, the timers drive the core's IRQ line directly
        // (physical or virtual timer, level-sensitive).
        for (unsigned w : {GenericTimer::kPhys, GenericTimer::kVirt})
            c->timer.irq_out[w] = [c](bool) {
                c->irq_line = c->timer.output(GenericTimer::kPhys) || c->timer.output(GenericTimer::kVirt);
            };
    }
    exec_ = std::make_unique<TcgExecutor>(bus_, raw);
    exec_->poll_devices = [this] {
        int64_t next = -1;
        for (Cpu* c : cpu_list_) {
            int64_t ns = c->timer.update();
            if (ns >= 0 && (next < 0 || ns < next)) next = ns;
        }
        return next;
    };
    load_guest();
}

VirtMachine::~VirtMachine() {
    if (owns_serial_) std::fclose(serial_out_);
}

void VirtMachine::load_guest() {
    if (cfg_.kernel.empty()) return;
    std::ifstream f(cfg_.kernel, std::ios::binary);
    if (!f) throw MachineError("cannot open kernel '" + cfg_.kernel + "'");
    std::vector<char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    uint64_t load = virt::kRamBase + 0x80000;
    if (!bus_.write_block(load, data.data(), data.size()))
        throw MachineError("kernel '" + cfg_.kernel + "' does not fit in RAM");
    cpus_[0]->s.pc = load;
}

bool VirtMachine::psci_call(Cpu& cpu) {
    uint32_t fn = static_cast<uint32_t>(cpu.s.x[0]);
    switch (fn) {
    case 0x84000000: cpu.s.x[0] = 0x10001; return true; // PSCI_VERSION 1.1
    case 0x84000008:                                     // SYSTEM_OFF
        exit_status_ = 0;
        exec_->stop();
        cpu.halt(0);
    default: cpu.s.x[0] = static_cast<uint64_t>(-1); return true; // NOT_SUPPORTED
    }
}

bool VirtMachine::semihosting_call(Cpu& cpu) {
    uint64_t op = cpu.s.x[0], arg = cpu.s.x[1];
    switch (op) {
    case 0x03: // SYS_WRITEC
        std::fputc(cpu.load<uint8_t>(arg), stderr);
        return true;
    case 0x04: // SYS_WRITE0
        for (uint8_t ch; (ch = cpu.load<uint8_t>(arg)) != 0; arg++) std::fputc(ch, stderr);
        return true;
    case 0x18: // SYS_EXIT
        exit_status_ = arg == 0x20026 ? 0 : 1;
        exec_->stop();
        cpu.halt(exit_status_);
    default: cpu.s.x[0] = static_cast<uint64_t>(-1); return true;
    }
}

int VirtMachine::run() {
    int rc = exec_->run();
    return rc ? rc : exit_status_;
}

} // namespace kestrel
