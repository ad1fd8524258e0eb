// kestrel: the command-line front end.
#include "accel/kvm/kvm_interface.hpp"
#include "cpu/log.hpp"
#include "machine/accel_select.hpp"
#include "machine/cli.hpp"
#include "machine/stdin_console.hpp"
#include "machine/virt/kvm_virt_machine.hpp"
#include "machine/virt/virt_machine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace kestrel;

namespace {

// Runs a board (VirtMachine or KvmVirtMachine) with the terminal attached.
template <typename Machine> int run_machine(Machine& m, const CliOptions& opt) {
    std::unique_ptr<StdinConsole> console;
    if (opt.serial_on_stdio()) {
        console = std::make_unique<StdinConsole>(
            opt.console_escapes(), [&m](const uint8_t* d, size_t n) { m.push_serial_input(d, n); },
            [&m] { m.request_quit(0); });
        console->start();
    }
    int status = m.run();
    if (console) console->stop();
    return status;
}

} // namespace

int main(int argc, char** argv) {
    CliOptions opt;
    try {
        opt = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const CliError& e) {
        std::fprintf(stderr, "kestrel: %s\n", e.what());
        return 1;
    }
    if (!opt.info.empty()) {
        std::fputs(opt.info.c_str(), stdout);
        return 0;
    }
    // The accelerator: KVM only when asked for, and only if this host can.
    std::unique_ptr<LinuxKvm> kvm;
    KvmAvailability avail;
    if (std::find(opt.accel.begin(), opt.accel.end(), "kvm") != opt.accel.end()) {
        kvm = std::make_unique<LinuxKvm>();
        avail = kvm->availability();
    }
    AccelDecision accel = choose_accelerator(opt.accel, opt.cpu_host, avail);
    if (!accel.error.empty()) {
        std::fprintf(stderr, "kestrel: %s\n", accel.error.c_str());
        return 1;
    }
    if (!accel.notice.empty()) std::fprintf(stderr, "kestrel: %s\n", accel.notice.c_str());
    if (opt.kvm_snapshot_selftest && !accel.kvm) {
        std::fprintf(stderr, "kestrel: -kvm-snapshot-selftest needs -accel kvm\n");
        return 1;
    }
    if (opt.machine.kernel.empty()) {
        std::fprintf(stderr,
                     "kestrel: nothing to run: give a guest with -kernel FILE (see -help)\n");
        return 1;
    }
    std::FILE* log = nullptr;
    if (!opt.log_file.empty()) {
        log = std::fopen(opt.log_file.c_str(), "w");
        if (!log) {
            std::fprintf(stderr, "kestrel: -D: cannot open '%s': %s\n", opt.log_file.c_str(),
                         std::strerror(errno));
            return 1;
        }
        set_log_file(log);
    }
    set_log_mask(opt.log_mask);
    int status;
    try {
        if (accel.kvm) {
            KvmVirtMachine m(opt.machine, *kvm);
            if (opt.kvm_snapshot_selftest) m.enable_snapshot_selftest();
            status = run_machine(m, opt);
        } else {
            VirtMachine m(opt.machine);
            status = run_machine(m, opt);
        }
    } catch (const MachineError& e) {
        std::fprintf(stderr, "kestrel: %s\n", e.what());
        status = 1;
    } catch (const BusError& e) {
        std::fprintf(stderr, "kestrel: %s\n", e.what());
        status = 1;
    }
    std::fflush(stdout);
    if (log) {
        set_log_file(nullptr);
        std::fclose(log);
    }
    return status;
}
