// Debug logging selected with -d LIST and sent to -D FILE (stderr by
// default), in the habit of the common emulators: in_asm (each newly
// translated block, disassembled), int (each exception taken),
// guest_errors (guest accesses that make no sense, e.g. an unknown device
// register), unimp (features the guest used that are not implemented).
#pragma once
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kestrel {

enum LogMask : uint32_t {
    kLogInAsm = 1u << 0,
    kLogInt = 1u << 1,
    kLogGuestErrors = 1u << 2,
    kLogUnimp = 1u << 3,
};

struct LogItem {
    const char* name;
    uint32_t mask;
    const char* help;
};

// The enabled items; checked inline so disabled logging costs one load.
extern uint32_t g_log_mask;
inline bool log_enabled(uint32_t mask) {
    return (g_log_mask & mask) != 0;
}
void set_log_mask(uint32_t mask);

// Where log lines go; nullptr means stderr. The caller keeps ownership.
void set_log_file(std::FILE* f);
std::FILE* log_file();

void log_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

std::span<const LogItem> log_items();
// Parses "in_asm,int"; on an unknown item returns nothing and names it in bad.
std::optional<uint32_t> parse_log_items(std::string_view list, std::string& bad);

// Logs a newly translated block: "IN:" then one disassembled line per instruction.
void log_translated_block(uint64_t va, uint64_t pa, const uint8_t* code, size_t len);

} // namespace kestrel
