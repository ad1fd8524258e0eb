// Random test cases for one decoder-table entry: field values and initial
// register state biased toward edge cases, with base registers of memory
// instructions aimed at the scratch buffer and branch targets kept on the
// landing pads around the test address.
#pragma once
#include "cpu/decoder.hpp"
#include "tests/difftest/difftest_format.h"

#include <cstdint>

namespace kestrel::difftest {

// True when the entry can run under user-mode emulation at all (not a
// system instruction, not excluded by its flags).
bool difftestable(const InsnDesc& d);

// Fills out with a case for d, deterministically from case_seed. Instances
// that an earlier table entry would decode instead are re-drawn; returns
// false when no instance decodes to d for this CPU's features.
bool generate_case(const InsnDesc& d, uint64_t features, uint64_t buf_seed, uint64_t case_seed,
                   dt_case& out);

// The seed of case number index of the named entry: stable across table
// reorderings, so a printed (seed, entry, index) replays exactly.
uint64_t case_seed_for(uint64_t run_seed, const char* entry_name, uint64_t index);

} // namespace kestrel::difftest
