#include "monitor/hmp.hpp"

#include <cstdio>
#include <ctime>
#include <functional>
#include <sstream>
#include <vector>

namespace kestrel {

namespace {

std::vector<std::string> split_words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string s; in >> s;)
        w.push_back(s);
    return w;
}

struct Command {
    const char* name;
    const char* args;
    const char* help;
};

const Command kCommands[] = {
    {"help", "[command]", "list commands, or describe one"},
    {"info", "status|registers [cpu]|cpus|gic|snapshots", "show machine state"},
    {"stop", "", "pause the guest"},
    {"cont", "", "resume the guest"},
    {"system_reset", "", "reset the machine"},
    {"system_powerdown", "", "ask the guest to power off"},
    {"savevm", "TAG", "save a snapshot of the whole machine under TAG"},
    {"loadvm", "TAG", "restore the snapshot TAG"},
    {"delvm", "TAG", "delete the snapshot TAG"},
    {"migrate", "file:PATH",
     "write the machine state to a file (start it with -incoming file:PATH)"},
    {"quit", "", "quit the emulator"},
};

std::string result_text(const ControlResult& r) {
    if (r.ok) return r.message.empty() ? "" : r.message + "\n";
    return "Error: " + r.message + "\n";
}

std::string human_size(uint64_t n) {
    char buf[32];
    if (n >= (1ull << 30))
        std::snprintf(buf, sizeof buf, "%.1f GiB", n / double(1ull << 30));
    else if (n >= (1ull << 20))
        std::snprintf(buf, sizeof buf, "%.1f MiB", n / double(1ull << 20));
    else if (n >= 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    return buf;
}

} // namespace

std::string format_snapshot_table(const std::vector<SnapshotInfo>& list) {
    if (list.empty()) return "There is no snapshot available.\n";
    std::string out =
        "List of snapshots:\nTag                  Size        Date                 Guest clock\n";
    for (const auto& s : list) {
        char date[32] = "-";
        std::time_t t = static_cast<std::time_t>(s.date);
        std::tm tm{};
        if (localtime_r(&t, &tm)) std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
        uint64_t ms = s.guest_clock_ns / 1'000'000;
        char line[256];
        std::snprintf(line, sizeof line, "%-20s %-11s %-20s %02llu:%02llu:%02llu.%03llu\n",
                      s.tag.c_str(), human_size(s.size).c_str(), date,
                      static_cast<unsigned long long>(ms / 3600000),
                      static_cast<unsigned long long>(ms / 60000 % 60),
                      static_cast<unsigned long long>(ms / 1000 % 60),
                      static_cast<unsigned long long>(ms % 1000));
        out += line;
    }
    return out;
}

std::string Hmp::execute(const std::string& line, bool* quit) {
    auto w = split_words(line);
    if (w.empty()) return "";
    const std::string& cmd = w[0];
    auto need_arg = [&](const char* what) -> const std::string* {
        if (w.size() < 2) return nullptr;
        (void)what;
        return &w[1];
    };
    if (cmd == "help" || cmd == "?") {
        std::string out;
        for (const auto& c : kCommands) {
            if (w.size() > 1 && w[1] != c.name) continue;
            out += std::string(c.name) + (c.args[0] ? " " : "") + c.args + " -- " + c.help + "\n";
        }
        if (out.empty()) return "Error: unknown command '" + w[1] + "'\n";
        return out;
    }
    if (cmd == "info") {
        if (w.size() < 2)
            return "Error: info needs a subject: status, registers, cpus, gic, snapshots\n";
        const std::string& what = w[1];
        if (what == "status")
            return std::string("VM status: ") + (m_.running() ? "running" : "paused") + "\n";
        if (what == "registers") {
            int cpu = -1;
            if (w.size() > 2) {
                char* end = nullptr;
                long v = std::strtol(w[2].c_str(), &end, 0);
                if (!end || *end || v < 0) return "Error: bad CPU index '" + w[2] + "'\n";
                cpu = static_cast<int>(v);
            }
            return m_.info_registers(cpu);
        }
        if (what == "cpus") return m_.info_cpus();
        if (what == "gic") return m_.info_gic();
        if (what == "snapshots") return format_snapshot_table(m_.snapshots());
        return "Error: unknown info subject '" + what + "'\n";
    }
    if (cmd == "stop") {
        m_.stop();
        return "";
    }
    if (cmd == "cont" || cmd == "c") {
        m_.cont();
        return "";
    }
    if (cmd == "system_reset") {
        m_.system_reset();
        return "";
    }
    if (cmd == "system_powerdown") {
        m_.system_powerdown();
        return "";
    }
    if (cmd == "quit" || cmd == "q") {
        if (quit) *quit = true;
        m_.quit();
        return "";
    }
    if (cmd == "savevm" || cmd == "loadvm" || cmd == "delvm" || cmd == "migrate") {
        const std::string* arg = need_arg("TAG");
        if (!arg) return "Error: " + cmd + " needs an argument\n";
        if (cmd == "savevm") return result_text(m_.savevm(*arg));
        if (cmd == "loadvm") return result_text(m_.loadvm(*arg));
        if (cmd == "delvm") return result_text(m_.delvm(*arg));
        return result_text(m_.migrate(*arg));
    }
    return "Error: unknown command '" + cmd + "' (try 'help')\n";
}

} // namespace kestrel
