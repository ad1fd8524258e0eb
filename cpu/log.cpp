#include "cpu/log.hpp"

#include <capstone/capstone.h>
#include <cstdarg>
#include <cstring>

namespace kestrel {

uint32_t g_log_mask = 0;

namespace {

std::FILE* g_log_file = nullptr;

constexpr LogItem kItems[] = {
    {"in_asm", kLogInAsm, "show target assembly code for each newly translated block"},
    {"int", kLogInt, "show exceptions and interrupts taken"},
    {"guest_errors", kLogGuestErrors,
     "log invalid guest operations (e.g. unknown device registers)"},
    {"unimp", kLogUnimp, "log unimplemented functionality"},
};

} // namespace

void set_log_mask(uint32_t mask) {
    g_log_mask = mask;
}
void set_log_file(std::FILE* f) {
    g_log_file = f;
}
std::FILE* log_file() {
    return g_log_file ? g_log_file : stderr;
}

void log_printf(const char* fmt, ...) {
    std::va_list ap;
    va_start(ap, fmt);
    std::vfprintf(log_file(), fmt, ap);
    va_end(ap);
}

std::span<const LogItem> log_items() {
    return kItems;
}

std::optional<uint32_t> parse_log_items(std::string_view list, std::string& bad) {
    uint32_t mask = 0;
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view item = list.substr(pos, comma - pos);
        bool found = false;
        for (const LogItem& it : kItems)
            if (item == it.name) {
                mask |= it.mask;
                found = true;
            }
        if (!found) {
            bad = std::string(item);
            return std::nullopt;
        }
        pos = comma + 1;
    }
    return mask;
}

void log_translated_block(uint64_t va, uint64_t pa, const uint8_t* code, size_t len) {
    // One Capstone handle for the process; translation runs on one thread.
    static csh handle = 0;
    static bool opened = cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle) == CS_ERR_OK;
    std::FILE* f = log_file();
    std::fprintf(f, "----------------\nIN: (pa 0x%016llx)\n", static_cast<unsigned long long>(pa));
    for (size_t off = 0; off + 4 <= len; off += 4) {
        uint32_t word;
        std::memcpy(&word, code + off, 4);
        cs_insn* insn = nullptr;
        size_t n = opened ? cs_disasm(handle, code + off, 4, va + off, 1, &insn) : 0;
        if (n == 1)
            std::fprintf(f, "0x%016llx:  %08x      %-8s %s\n",
                         static_cast<unsigned long long>(va + off), word, insn->mnemonic,
                         insn->op_str);
        else
            std::fprintf(f, "0x%016llx:  %08x      .word    0x%08x\n",
                         static_cast<unsigned long long>(va + off), word, word);
        if (insn) cs_free(insn, n);
    }
    std::fprintf(f, "\n");
}

} // namespace kestrel
