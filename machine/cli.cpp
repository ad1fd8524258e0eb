#include "machine/cli.hpp"

#include "cpu/cpu_model.hpp"
#include "cpu/log.hpp"
#include "machine/cli_devices.hpp"

#include <cctype>
#include <map>
#include <optional>

namespace kestrel {

std::vector<std::string> split_props(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == ',') {
            if (i + 1 < s.size() && s[i + 1] == ',') {
                cur.push_back(',');
                i++;
                continue;
            }
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(s[i]);
        }
    }
    out.push_back(cur);
    return out;
}

namespace {

bool parse_bool(const std::string& opt, const std::string& key, const std::string& v) {
    if (v == "on" || v == "yes" || v == "true") return true;
    if (v == "off" || v == "no" || v == "false") return false;
    throw CliError(opt + ": property '" + key + "' expects on or off, not '" + v + "'");
}

uint64_t parse_uint(const std::string& opt, const std::string& text) {
    if (text.empty() || text.size() > 18)
        throw CliError(opt + ": '" + text + "' is not a valid number");
    uint64_t v = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
            throw CliError(opt + ": '" + text + "' is not a valid number");
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
}

struct MachineProps {
    std::optional<std::string> type;
    std::optional<std::string> gic;
    std::optional<bool> virtualization;
    std::optional<std::vector<std::string>> accel;
};

// "kvm", "tcg", "kvm:tcg", ...: every name known, none twice.
std::vector<std::string> parse_accel_list(const std::string& opt, const std::string& v) {
    std::vector<std::string> out;
    std::string cur;
    for (size_t i = 0; i <= v.size(); i++) {
        if (i == v.size() || v[i] == ':') {
            if (cur != "kvm" && cur != "tcg")
                throw CliError(opt + ": unknown accelerator '" + cur +
                               "' (use kvm, tcg or kvm:tcg)");
            for (const auto& o : out)
                if (o == cur) throw CliError(opt + ": accelerator '" + cur + "' given twice");
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(v[i]);
        }
    }
    return out;
}

void parse_machine(const std::string& value, MachineProps& m, std::string& info) {
    auto items = split_props(value);
    for (size_t i = 0; i < items.size(); i++) {
        const std::string& it = items[i];
        size_t eq = it.find('=');
        if (eq == std::string::npos) {
            if (i != 0) throw CliError("-machine: '" + it + "' is not a property (use key=value)");
            if (it == "help" || it == "?") {
                info = "Supported machines are:\nvirt                 Kestrel virt board "
                       "(GICv3/GICv4.1, PL011, PSCI)\n";
                return;
            }
            if (it != "virt")
                throw CliError("-machine: unsupported machine type '" + it + "' (only 'virt')");
            if (m.type && *m.type != it) throw CliError("-machine: conflicting machine types");
            m.type = it;
            continue;
        }
        std::string key = it.substr(0, eq), v = it.substr(eq + 1);
        if (key == "type") {
            if (v != "virt")
                throw CliError("-machine: unsupported machine type '" + v + "' (only 'virt')");
            m.type = v;
        } else if (key == "gic-version") {
            if (v != "3" && v != "4.1" && v != "max")
                throw CliError("-machine: gic-version '" + v +
                               "' is not supported (use 3, 4.1 or max)");
            m.gic = v;
        } else if (key == "virtualization") {
            m.virtualization = parse_bool("-machine", key, v);
        } else if (key == "accel") {
            m.accel = parse_accel_list("-machine accel", v);
        } else {
            throw CliError("-machine: unknown property '" + key + "'");
        }
    }
}

unsigned parse_smp(const std::string& value) {
    auto items = split_props(value);
    std::optional<uint64_t> cpus, maxcpus;
    for (size_t i = 0; i < items.size(); i++) {
        const std::string& it = items[i];
        size_t eq = it.find('=');
        if (eq == std::string::npos) {
            if (i != 0) throw CliError("-smp: '" + it + "' is not a property");
            cpus = parse_uint("-smp", it);
            continue;
        }
        std::string key = it.substr(0, eq), v = it.substr(eq + 1);
        uint64_t n = parse_uint("-smp", v);
        if (key == "cpus")
            cpus = n;
        else if (key == "maxcpus")
            maxcpus = n;
        else if (key == "sockets" || key == "clusters" || key == "cores" || key == "threads" ||
                 key == "dies") {
            if (n == 0) throw CliError("-smp: " + key + " must be at least 1");
        } else
            throw CliError("-smp: unknown property '" + key + "'");
    }
    if (!cpus) cpus = maxcpus ? *maxcpus : 1;
    if (*cpus < 1 || *cpus > 512) throw CliError("-smp: CPU count must be between 1 and 512");
    if (maxcpus && *maxcpus < *cpus) throw CliError("-smp: maxcpus must not be smaller than cpus");
    return static_cast<unsigned>(*cpus);
}

std::string cpu_help() {
    std::string s = "Available CPUs:\n";
    std::string names = cpu_model_names(), cur;
    for (size_t i = 0; i <= names.size(); i++) {
        if (i == names.size() || names[i] == ' ') {
            if (!cur.empty()) s += "  " + cur + "\n";
            cur.clear();
        } else {
            cur.push_back(names[i]);
        }
    }
    return s;
}

std::string log_help() {
    std::string s = "Log items (comma separated):\n";
    for (const LogItem& it : log_items()) {
        std::string n = it.name;
        n.resize(14, ' ');
        s += n + it.help + std::string("\n");
    }
    return s;
}

} // namespace

uint64_t parse_size(const std::string& opt, const std::string& text) {
    if (text.empty()) throw CliError(opt + ": empty size");
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
        digits++;
    if (digits == 0) throw CliError(opt + ": '" + text + "' is not a valid size");
    uint64_t n = parse_uint(opt, text.substr(0, digits));
    std::string suffix = text.substr(digits);
    unsigned shift;
    if (suffix.empty() || suffix == "M" || suffix == "m" || suffix == "MB" || suffix == "MiB")
        shift = 20;
    else if (suffix == "G" || suffix == "g" || suffix == "GB" || suffix == "GiB")
        shift = 30;
    else if (suffix == "K" || suffix == "k" || suffix == "KB" || suffix == "KiB")
        shift = 10;
    else if (suffix == "T" || suffix == "t" || suffix == "TB" || suffix == "TiB")
        shift = 40;
    else
        throw CliError(opt + ": unknown size suffix '" + suffix + "' in '" + text +
                       "' (use K, M, G or T)");
    if (n > (~0ull >> shift)) throw CliError(opt + ": size '" + text + "' is too large");
    return n << shift;
}

CliOptions parse_command_line(const std::vector<std::string>& args) {
    CliOptions o;
    VirtConfig& cfg = o.machine;
    MachineProps machine;
    bool serial_given = false;
    DeviceOptions devices;
    for (size_t i = 0; i < args.size(); i++) {
        std::string a = args[i];
        if (a.size() > 2 && a[0] == '-' && a[1] == '-') a.erase(0, 1); // --opt is -opt
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw CliError("option '" + a + "' needs an argument");
            return args[++i];
        };
        if (a == "-h" || a == "-help") {
            o.info = usage_text();
            return o;
        } else if (a == "-version") {
            o.info = version_text();
            return o;
        } else if (a == "-M" || a == "-machine") {
            parse_machine(value(), machine, o.info);
            if (!o.info.empty()) return o;
        } else if (a == "-accel") {
            o.accel = parse_accel_list("-accel", split_props(value())[0]);
        } else if (a == "-kvm-snapshot-selftest") {
            o.kvm_snapshot_selftest = true;
        } else if (a == "-enable-kvm") {
            o.accel = {"kvm"};
        } else if (a == "-cpu") {
            std::string v = value();
            if (v == "help" || v == "?") {
                o.info = cpu_help();
                return o;
            }
            if (v == "host") {
                o.cpu_host = true;
                continue;
            }
            if (!find_cpu_model(v))
                throw CliError("-cpu: unknown CPU model '" + v + "' (known: " + cpu_model_names() +
                               ")");
            cfg.cpu_model = v;
        } else if (a == "-smp") {
            cfg.smp = parse_smp(value());
        } else if (a == "-m") {
            std::string v = value();
            if (v.rfind("size=", 0) == 0) v = v.substr(5);
            v = split_props(v)[0]; // slots=/maxmem= are irrelevant without hotplug
            uint64_t size = parse_size("-m", v);
            if (size < (2ull << 20)) throw CliError("-m: at least 2 MiB of RAM are needed");
            if (size % 4096) throw CliError("-m: the RAM size must be a multiple of 4 KiB");
            if (size > (255ull << 30))
                throw CliError("-m: at most 255 GiB of RAM fit below the high memory map");
            cfg.ram_size = size;
        } else if (a == "-kernel") {
            cfg.kernel = value();
        } else if (a == "-initrd") {
            cfg.initrd = value();
        } else if (a == "-append") {
            cfg.append = value();
        } else if (a == "-dtb") {
            cfg.dtb = value();
        } else if (a == "-nographic") {
            o.nographic = true;
        } else if (a == "-display") {
            std::string v = value();
            if (split_props(v)[0] != "none")
                throw CliError("-display: '" + v + "' is not available (use none)");
        } else if (a == "-serial") {
            std::string v = value();
            if (serial_given)
                throw CliError("-serial: the virt board has one UART; give -serial once");
            serial_given = true;
            if (v == "stdio" || v == "mon:stdio" || v == "null" || v == "none")
                cfg.serial = v;
            else if (v.rfind("file:", 0) == 0 && v.size() > 5)
                cfg.serial = v;
            else
                throw CliError("-serial: unsupported backend '" + v +
                               "' (use stdio, mon:stdio, null or file:PATH)");
        } else if (a == "-drive") {
            devices.add_drive(value());
        } else if (a == "-device") {
            o.info = devices.add_device(value());
            if (!o.info.empty()) return o;
        } else if (a == "-no-reboot") {
            cfg.no_reboot = true;
        } else if (a == "-semihosting") {
            cfg.semihosting = true;
        } else if (a == "-semihosting-config") {
            for (const std::string& it : split_props(value())) {
                size_t eq = it.find('=');
                std::string key = it.substr(0, eq),
                            v = eq == std::string::npos ? "on" : it.substr(eq + 1);
                if (key == "enable")
                    cfg.semihosting = parse_bool("-semihosting-config", key, v);
                else if (key == "target") {
                    if (v != "native" && v != "auto")
                        throw CliError("-semihosting-config: target '" + v +
                                       "' is not available (native or auto)");
                } else
                    throw CliError("-semihosting-config: unknown property '" + key + "'");
            }
        } else if (a == "-monitor" || a == "-qmp") {
            std::string v = value();
            if (v == "none") continue;
            if (v != "stdio" && v.rfind("unix:", 0) != 0 && v.rfind("tcp:", 0) != 0)
                throw CliError(a + ": unsupported backend '" + v +
                               "' (use stdio, unix:PATH,server,nowait or "
                               "tcp:127.0.0.1:PORT,server,nowait)");
            (a == "-monitor" ? o.monitors : o.qmp).push_back(v);
        } else if (a == "-savevm-dir") {
            o.savevm_dir = value();
            if (o.savevm_dir.empty()) throw CliError("-savevm-dir: empty directory name");
        } else if (a == "-loadvm") {
            o.loadvm = value();
        } else if (a == "-incoming") {
            o.incoming = value();
            if (o.incoming.rfind("file:", 0) != 0 || o.incoming.size() <= 5)
                throw CliError("-incoming: unsupported URI '" + o.incoming + "' (use file:PATH)");
        } else if (a == "-dump-state-format") {
            o.dump_state_format = true;
        } else if (a == "-d") {
            std::string v = value();
            if (v == "help" || v == "?") {
                o.info = log_help();
                return o;
            }
            std::string bad;
            auto mask = parse_log_items(v, bad);
            if (!mask) throw CliError("-d: unknown log item '" + bad + "' (see -d help)");
            o.log_mask |= *mask;
        } else if (a == "-D") {
            o.log_file = value();
        } else if (!a.empty() && a[0] == '-') {
            throw CliError("unknown option '" + args[i] + "'");
        } else {
            throw CliError("unexpected argument '" + a +
                           "' (give disk images with -drive file=IMG,format=raw)");
        }
    }
    cfg.virtio = devices.resolve();
    if (machine.accel) o.accel = *machine.accel;
    if (machine.virtualization) cfg.virtualization = *machine.virtualization;
    // The cores have no EL2 yet: refuse rather than start a guest at an
    // exception level that only half exists.
    if (cfg.virtualization)
        throw CliError("-machine virtualization=on: EL2 is not implemented yet (guests start at EL1)");
    if (machine.gic)
        cfg.gic_version = *machine.gic == "max" ? "4.1" : *machine.gic; // max: the newest model
    if (o.monitor_on_stdio()) {
        if (o.nographic || (serial_given && (cfg.serial == "stdio" || cfg.serial == "mon:stdio")))
            throw CliError("-monitor stdio: stdin already belongs to the serial port; use "
                           "-serial mon:stdio (Ctrl-A c) or another -serial backend");
        for (const auto& q : o.qmp)
            if (q == "stdio") throw CliError("-qmp stdio and -monitor stdio cannot share stdin");
    }
    if (!o.loadvm.empty() && !o.incoming.empty())
        throw CliError("-loadvm and -incoming both choose where the guest starts; give one");
    if (cfg.kernel.empty()) {
        if (!cfg.append.empty()) throw CliError("-append only allowed with -kernel");
        if (!cfg.initrd.empty()) throw CliError("-initrd only allowed with -kernel");
        if (!cfg.dtb.empty()) throw CliError("-dtb only allowed with -kernel");
    }
    return o;
}

std::string version_text() {
    return "Kestrel emulator version 0.1.0 (AArch64 virt board)\n";
}

std::string usage_text() {
    return "usage: kestrel [options]\n"
           "Full-system AArch64 emulator. Options follow qemu-system-aarch64:\n"
           "  -M virt[,gic-version=3|4.1|max][,virtualization=on|off]   board (-machine; repeats "
           "merge)\n"
           "  -cpu cortex-a57|cortex-a72|max|host|help                CPU model (host: KVM only)\n"
           "  -accel tcg|kvm|kvm:tcg   accelerator (kvm:tcg falls back to TCG without KVM)\n"
           "  -smp N | -smp cpus=N                                    number of cores\n"
           "  -m SIZE                                                  RAM (default 128M; K/M/G "
           "suffix)\n"
           "  -kernel FILE     arm64 Image (gzip allowed), ELF64 or raw binary\n"
           "  -initrd FILE     initial ramdisk\n"
           "  -append STRING   kernel command line\n"
           "  -dtb FILE        use this device tree instead of the generated one\n"
           "  -nographic       no display; serial port and Ctrl-A escapes on the terminal\n"
           "  -display none    no display\n"
           "  -serial stdio|mon:stdio|null|file:PATH\n"
           "  -drive file=IMG,format=raw[,if=virtio|none][,id=ID][,readonly=on]\n"
           "                   a raw disk image; if=virtio (default) adds a virtio-blk disk\n"
           "  -device virtio-blk-device,drive=ID | virtio-rng-device | help\n"
           "                   virtio-mmio devices; disks appear as vda, vdb, ... in order\n"
           "  -no-reboot       exit instead of rebooting when the guest resets\n"
           "  -semihosting     enable Arm semihosting (also -semihosting-config enable=on)\n"
           "  -monitor stdio|unix:PATH,server,nowait|tcp:127.0.0.1:PORT,server,nowait\n"
           "                   human monitor (savevm, loadvm, info ..., stop, cont, quit)\n"
           "  -qmp unix:PATH,server,nowait|tcp:127.0.0.1:PORT,server,nowait\n"
           "                   machine (JSON) monitor\n"
           "  -savevm-dir DIR  where savevm keeps snapshots (default $KESTREL_SAVEVM_DIR,\n"
           "                   else $XDG_DATA_HOME/kestrel/snapshots, else\n"
           "                   ~/.local/share/kestrel/snapshots)\n"
           "  -loadvm TAG      start from the snapshot TAG\n"
           "  -incoming file:PATH  start from a stream written by 'migrate file:PATH'\n"
           "  -dump-state-format   print the snapshot format (JSON) of this machine\n"
           "  -d ITEMS         debug log: in_asm,int,guest_errors,unimp (-d help)\n"
           "  -D FILE          write the debug log to FILE\n"
           "  -version         show the version\n"
           "  -h, -help        show this help\n"
           "With -nographic: Ctrl-A x quits, Ctrl-A c switches between the console and the\n"
           "monitor, Ctrl-A h shows help, Ctrl-A Ctrl-A sends Ctrl-A.\n";
}

} // namespace kestrel
