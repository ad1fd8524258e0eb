#include "tests/difftest/qemu_quirks.hpp"

#include <csignal>

namespace kestrel::difftest {

namespace {

bool completed(const dt_result& r) {
    return r.signo == SIGILL && r.final.pc == DT_TEST_ADDR + 4;
}
bool faulted_here(const dt_result& r, int signo) {
    return r.signo == signo && r.final.pc == DT_TEST_ADDR;
}

// STXR/STLXR/STXP/STLXP (all sizes): load/store exclusive with o2 = 0, L = 0.
bool is_store_exclusive(uint32_t w) {
    return (w & 0x3fc00000u) == 0x08000000u;
}

} // namespace

const char* known_qemu_deviation(const dt_case& c, const dt_result& q, const dt_result& k) {
    const uint32_t w = c.insn[0];
    // AArch64.ExclusiveMonitorsPass checks alignment before the monitor, so
    // a misaligned store-exclusive takes an alignment fault even when it
    // would fail. qemu 7.2 compares against the monitor first and reports
    // failure (status 1) without the fault.
    if (c.ninsns == 1 && is_store_exclusive(w) && faulted_here(k, SIGBUS) && completed(q)) {
        const unsigned rs = (w >> 16) & 31;
        if (rs == 31 || q.final.x[rs] == 1)
            return "misaligned store-exclusive: qemu fails it instead of faulting";
    }
    return nullptr;
}

} // namespace kestrel::difftest
