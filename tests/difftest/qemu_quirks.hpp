// Known places where the reference (qemu-aarch64 user mode, as packaged by
// Debian 12: qemu 7.2) departs from the architecture. A case that matches
// one is counted as waived instead of as a mismatch; the list is kept short
// and every entry names the rule it follows (docs/difftest.md).
#pragma once
#include "tests/difftest/difftest_format.h"

namespace kestrel::difftest {

// A description of the deviation that explains this disagreement, or
// nullptr when the disagreement is a real mismatch.
const char* known_qemu_deviation(const dt_case& c, const dt_result& qemu, const dt_result& kestrel);

} // namespace kestrel::difftest
