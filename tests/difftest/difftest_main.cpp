// Differential ISA test: random instances of every decoder-table entry run
// under qemu-aarch64 (user mode, the harness program) and on Kestrel, and
// their final states must agree. See docs/difftest.md.
#include "cpu/cpu_model.hpp"
#include "tests/difftest/case_gen.hpp"
#include "tests/difftest/kestrel_runner.hpp"
#include "tests/difftest/qemu_runner.hpp"
#include "tests/difftest/report.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace kestrel;
using namespace kestrel::difftest;

namespace {

constexpr int kExitSkip = 77; // meson: test skipped

struct Options {
    std::string harness;
    std::string qemu;
    std::vector<std::string> groups;        // only these groups (empty: all)
    std::vector<std::string> except_groups; // all but these
    std::string entry;                      // only this entry
    long case_index = -1;                   // only this case of each entry
    uint64_t cases_per_entry = 500;
    std::optional<uint64_t> seed;
    std::string cpu, qemu_cpu; // one configuration instead of the default pair
    unsigned max_reports = 3;  // printed mismatches per entry
    int timeout_s = 600;
};

// A Kestrel CPU model and the qemu CPU that advertises the same features.
struct Config {
    std::string kestrel_cpu;
    std::string qemu_cpu;
};

// Entries run on the first configuration whose model has their feature,
// so base instructions are checked against a real core's feature set and
// newer extensions against "max" (minus the qemu features Kestrel lacks
// that change hint-space or vector-length behaviour).
const std::vector<Config> kDefaultConfigs = {
    {"cortex-a57", "cortex-a57"},
    {"max", "max,pauth=off,sve=off"},
};

std::string qemu_cpu_for(const std::string& kestrel_cpu) {
    for (const Config& c : kDefaultConfigs)
        if (c.kestrel_cpu == kestrel_cpu) return c.qemu_cpu;
    return kestrel_cpu;
}

std::vector<std::string> split_commas(const char* s) {
    std::vector<std::string> v;
    std::string cur;
    for (; *s; s++) {
        if (*s == ',') {
            if (!cur.empty()) v.push_back(cur);
            cur.clear();
        } else {
            cur += *s;
        }
    }
    if (!cur.empty()) v.push_back(cur);
    return v;
}

bool parse_u64(const char* s, uint64_t& out) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 0);
    if (errno || !end || *end || end == s) return false;
    out = v;
    return true;
}

void usage(std::FILE* f) {
    std::fprintf(
        f, "usage: difftest --harness FILE [options]\n"
           "  --qemu PATH           qemu-aarch64 (default: $KESTREL_QEMU_AARCH64, then PATH)\n"
           "  --group G[,G...]      only these encoding groups\n"
           "  --except-groups G,..  every group but these\n"
           "  --entry NAME          only this table entry\n"
           "  --case K              only case K of each entry (replay)\n"
           "  --cases N             cases per entry (default 500, env KESTREL_DIFFTEST_CASES)\n"
           "  --seed S              run seed (env KESTREL_DIFFTEST_SEED; default: from the clock)\n"
           "  --cpu MODEL           one Kestrel model (env KESTREL_DIFFTEST_CPU) instead of\n"
           "                        cortex-a57 then max\n"
           "  --qemu-cpu CPU        qemu -cpu value for --cpu\n"
           "  --max-reports N       mismatches printed per entry (default 3)\n"
           "  --list-groups         print the groups with difftestable entries\n");
}

struct EntryStats {
    const InsnDesc* desc = nullptr;
    std::string config;
    uint64_t cases = 0, mismatches = 0, not_generated = 0;
    uint64_t completed = 0, undefined = 0, faulted = 0;
};

// One generated case and where it came from.
struct CaseRef {
    size_t entry; // index into the stats vector
    uint64_t index;
};

int run(const Options& opt, const char* argv0) {
    // Select entries.
    std::vector<EntryStats> stats;
    unsigned system_entries = 0;
    for (const InsnDesc& d : a64_table()) {
        std::string g = d.group;
        if (!opt.groups.empty() &&
            std::find(opt.groups.begin(), opt.groups.end(), g) == opt.groups.end())
            continue;
        if (std::find(opt.except_groups.begin(), opt.except_groups.end(), g) !=
            opt.except_groups.end())
            continue;
        if (!opt.entry.empty() && opt.entry != d.name) continue;
        if (!difftestable(d)) {
            system_entries++;
            continue;
        }
        EntryStats s;
        s.desc = &d;
        stats.push_back(s);
    }
    if (stats.empty()) {
        std::printf("difftest: no difftestable entries selected (%u system/excluded entries)\n",
                    system_entries);
        return kExitSkip;
    }

    std::optional<std::string> qemu = find_qemu(opt.qemu);
    if (!qemu) {
        std::printf("difftest: SKIP: qemu-aarch64 not found (install qemu-user or set "
                    "KESTREL_QEMU_AARCH64)\n");
        return kExitSkip;
    }
    if (access(opt.harness.c_str(), R_OK) != 0) {
        std::fprintf(stderr, "difftest: harness program '%s' not found (--harness)\n",
                     opt.harness.c_str());
        return 1;
    }

    uint64_t seed;
    if (opt.seed) {
        seed = *opt.seed;
    } else {
        auto now = std::chrono::system_clock::now().time_since_epoch().count();
        seed = dt_mix64(static_cast<uint64_t>(now) ^ (static_cast<uint64_t>(getpid()) << 32)) &
               0xffffffffffffull;
    }
    std::printf("difftest: seed %" PRIu64 " (replay with KESTREL_DIFFTEST_SEED=%" PRIu64
                "), %" PRIu64 " cases per entry\n",
                seed, seed, opt.case_index >= 0 ? 1 : opt.cases_per_entry);
    std::fflush(stdout);
    const uint64_t buf_seed = dt_mix64(seed ^ 0x5eed0fb0f5eedull);

    std::vector<Config> configs = kDefaultConfigs;
    if (!opt.cpu.empty())
        configs = {{opt.cpu, opt.qemu_cpu.empty() ? qemu_cpu_for(opt.cpu) : opt.qemu_cpu}};

    uint64_t total_mismatches = 0;
    bool infra_failure = false;
    std::vector<bool> assigned(stats.size(), false);
    for (const Config& cfg : configs) {
        std::optional<CpuModel> model = find_cpu_model(cfg.kestrel_cpu);
        if (!model) {
            std::fprintf(stderr, "difftest: unknown Kestrel CPU model '%s'\n",
                         cfg.kestrel_cpu.c_str());
            return 1;
        }
        std::vector<dt_case> cases;
        std::vector<CaseRef> refs;
        for (size_t e = 0; e < stats.size(); e++) {
            if (assigned[e] || !model->has(stats[e].desc->feature)) continue;
            assigned[e] = true;
            stats[e].config = cfg.kestrel_cpu;
            uint64_t first = opt.case_index >= 0 ? static_cast<uint64_t>(opt.case_index) : 0;
            uint64_t last = opt.case_index >= 0 ? first + 1 : opt.cases_per_entry;
            for (uint64_t k = first; k < last; k++) {
                dt_case c;
                if (!generate_case(*stats[e].desc, model->features, buf_seed,
                                   case_seed_for(seed, stats[e].desc->name, k), c)) {
                    stats[e].not_generated++;
                    continue;
                }
                cases.push_back(c);
                refs.push_back({e, k});
            }
        }
        if (cases.empty()) continue;

        std::optional<QemuBatch> batch =
            run_qemu_batch(*qemu, cfg.qemu_cpu, opt.harness, buf_seed, cases, opt.timeout_s);
        if (!batch) {
            infra_failure = true;
            continue;
        }
        KestrelRunner kestrel(*model, batch->prologue.data(), buf_seed);
        for (size_t i = 0; i < cases.size(); i++) {
            EntryStats& st = stats[refs[i].entry];
            const dt_result& q = batch->results[i];
            dt_result k = kestrel.run(cases[i]);
            st.cases++;
            if (q.signo == SIGILL &&
                (q.final.pc < DT_TEST_ADDR || q.final.pc >= DT_TEST_ADDR + 4 * cases[i].ninsns))
                st.completed++;
            else if (q.signo == SIGILL)
                st.undefined++;
            else
                st.faulted++;
            std::vector<std::string> diffs = compare_results(q, k);
            if (diffs.empty()) continue;
            st.mismatches++;
            total_mismatches++;
            if (st.mismatches > opt.max_reports) continue;
            const uint32_t w = cases[i].insn[0];
            std::printf("\nMISMATCH group=%s entry=%s case=%" PRIu64
                        " word=0x%08x \"%s\" (kestrel %s, qemu -cpu %s)\n",
                        st.desc->group, st.desc->name, refs[i].index, w,
                        disassemble(w, DT_TEST_ADDR).c_str(), cfg.kestrel_cpu.c_str(),
                        cfg.qemu_cpu.c_str());
            std::printf("  replay: %s --harness %s --seed %" PRIu64 " --entry %s --case %" PRIu64
                        "%s%s\n",
                        argv0, opt.harness.c_str(), seed, st.desc->name, refs[i].index,
                        opt.cpu.empty() ? "" : " --cpu ", opt.cpu.c_str());
            for (const std::string& d : diffs)
                std::printf("  - %s\n", d.c_str());
            print_state(stdout, "initial state", cases[i].init);
            print_result(stdout, "qemu final", q, cases[i].init);
            print_result(stdout, "kestrel final", k, cases[i].init);
        }
    }

    // Summary: per group, then per entry.
    std::map<std::string, std::vector<const EntryStats*>> by_group;
    for (const EntryStats& s : stats)
        by_group[s.desc->group].push_back(&s);
    uint64_t total_cases = 0;
    unsigned groups_run = 0, entries_unrun = 0;
    std::printf("\ndifftest summary (seed %" PRIu64 "):\n", seed);
    for (const auto& [group, entries] : by_group) {
        uint64_t cases = 0, mism = 0;
        for (const EntryStats* s : entries)
            cases += s->cases, mism += s->mismatches;
        total_cases += cases;
        if (cases) groups_run++;
        std::printf("group %-12s %3zu entries %7" PRIu64 " cases %5" PRIu64 " mismatches\n",
                    group.c_str(), entries.size(), cases, mism);
        for (const EntryStats* s : entries) {
            if (s->config.empty()) {
                entries_unrun++;
                std::printf("  %-20s not run: no CPU model advertises its feature\n",
                            s->desc->name);
                continue;
            }
            std::printf("  %-20s %6" PRIu64 " cases (%" PRIu64 " completed, %" PRIu64
                        " undefined, %" PRIu64 " faulted) %4" PRIu64 " mismatches [%s]%s\n",
                        s->desc->name, s->cases, s->completed, s->undefined, s->faulted,
                        s->mismatches, s->config.c_str(),
                        s->not_generated ? " (some instances shadowed by earlier entries)" : "");
        }
    }
    std::printf(
        "TOTAL: %" PRIu64 " cases, %zu entries (%u not run for features) in %u groups, %" PRIu64
        " mismatches; %u system/excluded entries not difftested\n",
        total_cases, stats.size(), entries_unrun, groups_run, total_mismatches, system_entries);
    if (infra_failure) {
        std::printf("difftest: FAILED to run qemu-aarch64 for some cases (see above)\n");
        return 1;
    }
    if (total_mismatches) {
        std::printf("difftest: seed %" PRIu64 ": %" PRIu64 " mismatches\n", seed, total_mismatches);
        return 1;
    }
    if (total_cases == 0) {
        std::printf("difftest: nothing ran (no model advertises the selected entries' features)\n");
        return kExitSkip;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    if (const char* e = std::getenv("KESTREL_DIFFTEST_SEED"); e && *e) {
        uint64_t v;
        if (!parse_u64(e, v)) {
            std::fprintf(stderr, "difftest: KESTREL_DIFFTEST_SEED is not a number: %s\n", e);
            return 1;
        }
        opt.seed = v;
    }
    if (const char* e = std::getenv("KESTREL_DIFFTEST_CASES");
        e && *e && !parse_u64(e, opt.cases_per_entry)) {
        std::fprintf(stderr, "difftest: KESTREL_DIFFTEST_CASES is not a number: %s\n", e);
        return 1;
    }
    if (const char* e = std::getenv("KESTREL_DIFFTEST_CPU"); e && *e) opt.cpu = e;
    bool list = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](const char* what) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "difftest: %s needs a value\n", what);
                std::exit(1);
            }
            return argv[++i];
        };
        uint64_t v;
        if (a == "--harness") {
            opt.harness = value("--harness");
        } else if (a == "--qemu") {
            opt.qemu = value("--qemu");
        } else if (a == "--group") {
            for (auto& g : split_commas(value("--group")))
                opt.groups.push_back(g);
        } else if (a == "--except-groups") {
            for (auto& g : split_commas(value("--except-groups")))
                opt.except_groups.push_back(g);
        } else if (a == "--entry") {
            opt.entry = value("--entry");
        } else if (a == "--case" && parse_u64(value("--case"), v)) {
            opt.case_index = static_cast<long>(v);
        } else if (a == "--cases" && parse_u64(value("--cases"), v)) {
            opt.cases_per_entry = v;
        } else if (a == "--seed" && parse_u64(value("--seed"), v)) {
            opt.seed = v;
        } else if (a == "--cpu") {
            opt.cpu = value("--cpu");
        } else if (a == "--qemu-cpu") {
            opt.qemu_cpu = value("--qemu-cpu");
        } else if (a == "--max-reports" && parse_u64(value("--max-reports"), v)) {
            opt.max_reports = static_cast<unsigned>(v);
        } else if (a == "--list-groups") {
            list = true;
        } else if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "difftest: bad argument '%s'\n", a.c_str());
            usage(stderr);
            return 1;
        }
    }
    if (list) {
        std::map<std::string, unsigned> groups;
        for (const InsnDesc& d : a64_table())
            if (difftestable(d)) groups[d.group]++;
        for (const auto& [g, n] : groups)
            std::printf("%s %u\n", g.c_str(), n);
        return 0;
    }
    if (opt.harness.empty()) {
        usage(stderr);
        return 1;
    }
    return run(opt, argv[0]);
}
