#include "tests/difftest/report.hpp"

#include <capstone/capstone.h>
#include <cinttypes>
#include <csignal>

namespace kestrel::difftest {

namespace {

std::string fmt(const char* f, auto... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, args...);
    return buf;
}

bool is_fault(int signo) {
    return signo == SIGSEGV || signo == SIGBUS;
}

} // namespace

std::string signal_name(int signo) {
    switch (signo) {
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGSEGV: return "SIGSEGV";
    case -1: return "no-stop";
    case 2000: return "halt";
    default: return fmt("signal-%d", signo);
    }
}

std::vector<std::string> compare_results(const dt_result& q, const dt_result& k) {
    std::vector<std::string> d;
    const dt_state &a = q.final, &b = k.final;
    if (q.signo != k.signo || a.pc != b.pc)
        d.push_back(fmt("outcome: qemu %s at pc 0x%" PRIx64 ", kestrel %s at pc 0x%" PRIx64,
                        signal_name(q.signo).c_str(), a.pc, signal_name(k.signo).c_str(), b.pc));
    else if (is_fault(q.signo) && q.fault_addr != k.fault_addr)
        d.push_back(fmt("fault address: qemu 0x%" PRIx64 ", kestrel 0x%" PRIx64, q.fault_addr,
                        k.fault_addr));
    for (int i = 0; i < 31; i++)
        if (a.x[i] != b.x[i])
            d.push_back(
                fmt("x%d: qemu 0x%016" PRIx64 ", kestrel 0x%016" PRIx64, i, a.x[i], b.x[i]));
    if (a.sp != b.sp)
        d.push_back(fmt("sp: qemu 0x%016" PRIx64 ", kestrel 0x%016" PRIx64, a.sp, b.sp));
    if (a.nzcv != b.nzcv)
        d.push_back(fmt("nzcv: qemu 0x%x, kestrel 0x%x", a.nzcv >> 28, b.nzcv >> 28));
    if (a.fpcr != b.fpcr) d.push_back(fmt("fpcr: qemu 0x%08x, kestrel 0x%08x", a.fpcr, b.fpcr));
    if (a.fpsr != b.fpsr) d.push_back(fmt("fpsr: qemu 0x%08x, kestrel 0x%08x", a.fpsr, b.fpsr));
    for (int i = 0; i < 32; i++)
        if (a.v[i][0] != b.v[i][0] || a.v[i][1] != b.v[i][1])
            d.push_back(fmt("v%d: qemu 0x%016" PRIx64 "%016" PRIx64 ", kestrel 0x%016" PRIx64
                            "%016" PRIx64,
                            i, a.v[i][1], a.v[i][0], b.v[i][1], b.v[i][0]));
    const uint32_t nq = q.ndiffs < DT_MAX_DIFFS ? q.ndiffs : DT_MAX_DIFFS;
    const uint32_t nk = k.ndiffs < DT_MAX_DIFFS ? k.ndiffs : DT_MAX_DIFFS;
    if (q.ndiffs != k.ndiffs)
        d.push_back(fmt("memory: qemu changed %u words, kestrel %u", q.ndiffs, k.ndiffs));
    // Both lists are sorted by offset: merge them.
    uint32_t i = 0, j = 0;
    while (i < nq || j < nk) {
        const dt_memdiff* x = i < nq ? &q.diffs[i] : nullptr;
        const dt_memdiff* y = j < nk ? &k.diffs[j] : nullptr;
        if (x && y && x->offset == y->offset) {
            if (x->value != y->value)
                d.push_back(fmt("mem[0x%" PRIx64 "]: qemu 0x%016" PRIx64 ", kestrel 0x%016" PRIx64,
                                DT_BUF_BASE + x->offset, x->value, y->value));
            i++, j++;
        } else if (x && (!y || x->offset < y->offset)) {
            d.push_back(fmt("mem[0x%" PRIx64 "]: qemu wrote 0x%016" PRIx64
                            ", kestrel left it unchanged",
                            DT_BUF_BASE + x->offset, x->value));
            i++;
        } else {
            d.push_back(fmt("mem[0x%" PRIx64 "]: kestrel wrote 0x%016" PRIx64
                            ", qemu left it unchanged",
                            DT_BUF_BASE + y->offset, y->value));
            j++;
        }
    }
    return d;
}

std::string disassemble(uint32_t word, uint64_t addr) {
    static csh handle = 0;
    static bool ok = cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle) == CS_ERR_OK;
    if (!ok) return "?";
    cs_insn* insn = nullptr;
    uint8_t bytes[4] = {static_cast<uint8_t>(word), static_cast<uint8_t>(word >> 8),
                        static_cast<uint8_t>(word >> 16), static_cast<uint8_t>(word >> 24)};
    size_t n = cs_disasm(handle, bytes, 4, addr, 1, &insn);
    std::string s = "?";
    if (n == 1) s = std::string(insn->mnemonic) + " " + insn->op_str;
    if (n) cs_free(insn, n);
    return s;
}

void print_state(std::FILE* out, const char* title, const dt_state& s, const dt_state* initial) {
    std::fprintf(out, "  %s:\n", title);
    for (int i = 0; i < 31; i++)
        std::fprintf(out, "%s x%-2d=%016" PRIx64 "%s", i % 4 == 0 ? "   " : "", i, s.x[i],
                     i % 4 == 3 || i == 30 ? "\n" : "");
    std::fprintf(out, "    sp=%016" PRIx64 " pc=%016" PRIx64 " nzcv=%x fpcr=%08x fpsr=%08x\n", s.sp,
                 s.pc, s.nzcv >> 28, s.fpcr, s.fpsr);
    unsigned shown = 0;
    for (int i = 0; i < 32; i++) {
        if (initial && initial->v[i][0] == s.v[i][0] && initial->v[i][1] == s.v[i][1]) continue;
        std::fprintf(out, "%s v%-2d=%016" PRIx64 "%016" PRIx64 "%s", shown % 2 == 0 ? "   " : "", i,
                     s.v[i][1], s.v[i][0], shown % 2 == 1 ? "\n" : "");
        shown++;
    }
    if (shown % 2) std::fprintf(out, "\n");
    if (initial && shown < 32)
        std::fprintf(out, "    %s V registers as in the initial state\n", shown ? "other" : "all");
}

void print_result(std::FILE* out, const char* title, const dt_result& r, const dt_state& initial) {
    std::string t = std::string(title) + " (" + signal_name(r.signo) + " at pc " +
                    fmt("0x%" PRIx64, r.final.pc);
    if (is_fault(r.signo)) t += fmt(", fault address 0x%" PRIx64, r.fault_addr);
    t += fmt(", %u buffer words changed)", r.ndiffs);
    print_state(out, t.c_str(), r.final, &initial);
}

} // namespace kestrel::difftest
