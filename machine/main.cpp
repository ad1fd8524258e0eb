// kestrel: the command-line front end.
#include "accel/kvm/kvm_interface.hpp"
#include "cpu/log.hpp"
#include "machine/accel_select.hpp"
#include "machine/cli.hpp"
#include "machine/stdin_console.hpp"
#include "machine/virt/kvm_control.hpp"
#include "machine/virt/kvm_virt_machine.hpp"
#include "machine/virt/virt_control.hpp"
#include "machine/virt/virt_machine.hpp"
#include "monitor/hmp.hpp"
#include "monitor/monitor_server.hpp"
#include "monitor/qmp.hpp"
#include "savevm/snapshot_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace kestrel;

namespace {

// Runs a built machine with its monitors and console: restores a snapshot
// when asked, and runs the guest. Returns the process exit status. Machine
// is VirtMachine (TCG) or KvmVirtMachine, Control its SnapshotControl.
template <typename Machine, typename Control>
int run_with_control(Machine& m, Control& control, const CliOptions& opt) {
    if (opt.dump_state_format) {
        std::fputs((control.describe_format().dump(2) + "\n").c_str(), stdout);
        return 0;
    }
    std::vector<std::unique_ptr<MonitorServer>> monitors, qmps;
    try {
        for (const auto& spec : opt.monitors)
            monitors.push_back(std::make_unique<MonitorServer>(spec, MonitorKind::Human, control));
        for (const auto& spec : opt.qmp)
            qmps.push_back(std::make_unique<MonitorServer>(spec, MonitorKind::Machine, control));
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "kestrel: %s\n", e.what());
        return 1;
    }
    control.on_event = [&qmps](const std::string& name, const nlohmann::json& data) {
        std::string line = QmpSession::event(name, data);
        for (auto& q : qmps)
            q->broadcast_event(line);
    };
    if (!opt.incoming.empty() || !opt.loadvm.empty()) {
        ControlResult r =
            opt.incoming.empty() ? control.loadvm(opt.loadvm) : control.incoming(opt.incoming);
        if (!r.ok) {
            std::fprintf(stderr, "kestrel: %s\n", r.message.c_str());
            return 1;
        }
    }
    std::unique_ptr<StdinConsole> console;
    if (opt.serial_on_stdio()) {
        console = std::make_unique<StdinConsole>(
            opt.console_escapes(), [&m](const uint8_t* d, size_t n) { m.push_serial_input(d, n); },
            [&m] { m.request_quit(0); });
        if (opt.console_escapes()) {
            auto hmp = std::make_shared<Hmp>(control);
            console->set_monitor([hmp](const std::string& line) { return hmp->execute(line); },
                                 Hmp::kPrompt,
                                 "Kestrel monitor - type 'help' for more information\n");
        }
    }
    for (auto& s : monitors)
        s->start();
    for (auto& s : qmps)
        s->start();
    if (console) console->start();
    control.machine_started();
    int status = m.run();
    control.machine_finished();
    control.on_event("SHUTDOWN", {{"guest", control.shutdown_reason() == "guest-shutdown"},
                                  {"reason", control.shutdown_reason()}});
    if (console) console->stop();
    for (auto& s : monitors)
        s->shutdown();
    for (auto& s : qmps)
        s->shutdown();
    return status;
}

std::string snapshot_dir_of(const CliOptions& opt) {
    return opt.savevm_dir.empty() ? savevm::default_snapshot_dir() : opt.savevm_dir;
}

int run_machine(const CliOptions& opt) {
    VirtMachine m(opt.machine);
    VirtControl control(m, snapshot_dir_of(opt));
    return run_with_control(m, control, opt);
}

int run_kvm_machine(const CliOptions& opt, KvmInterface& kvm) {
    // A start-up restore leaves CTRL_INIT of the vGIC to the load, so a
    // snapshot's GICD_TYPER2 can still be written before it.
    KvmVirtMachine m(opt.machine, kvm, opt.restores());
    KvmControl control(m, snapshot_dir_of(opt));
    if (opt.kvm_snapshot_selftest) {
        // The guest's SNAPSHOT-POINT / RESTORE-POINT lines run the monitor's
        // savevm / loadvm of snapshot "kvm-selftest" (a file a new process
        // can -loadvm).
        m.enable_snapshot_selftest([&control](bool save) {
            ControlResult r =
                save ? control.savevm("kvm-selftest") : control.loadvm("kvm-selftest");
            std::fprintf(stderr, "kestrel: %s%s\n",
                         r.ok ? (save ? "snapshot taken: " : "snapshot restored: ")
                              : (save ? "snapshot failed: " : "restore failed: "),
                         r.message.c_str());
            return r.ok;
        });
    }
    return run_with_control(m, control, opt);
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
    if (opt.machine.kernel.empty() && !opt.restores() && !opt.dump_state_format) {
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
            status = run_kvm_machine(opt, *kvm);
        } else {
            status = run_machine(opt);
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
