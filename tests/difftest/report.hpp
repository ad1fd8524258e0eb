// Comparing a qemu result with Kestrel's and printing a mismatch so it can
// be understood and replayed.
#pragma once
#include "tests/difftest/difftest_format.h"

#include <cstdio>
#include <string>
#include <vector>

namespace kestrel::difftest {

// One line per difference; empty when the results agree.
std::vector<std::string> compare_results(const dt_result& qemu, const dt_result& kestrel);

// Capstone disassembly of one word at addr, or "?" when it has none.
std::string disassemble(uint32_t word, uint64_t addr);

std::string signal_name(int signo);

// With initial given, only V registers that differ from it are listed.
void print_state(std::FILE* out, const char* title, const dt_state& s,
                 const dt_state* initial = nullptr);
// Final state of one side: the outcome, then the state itself.
void print_result(std::FILE* out, const char* title, const dt_result& r, const dt_state& initial);

} // namespace kestrel::difftest
