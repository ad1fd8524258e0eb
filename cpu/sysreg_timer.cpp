// Generic timer registers: counter, frequency, the EL1 physical and virtual
// timers, and CNTKCTL_EL1's control of EL0 access.
#include "cpu/sysreg_access.hpp"

namespace kestrel {

namespace {

// CNTKCTL_EL1 bits gating EL0 access.
constexpr uint64_t kEl0Pcten = 1u << 0, kEl0Vcten = 1u << 1, kEl0Vten = 1u << 8, kEl0Pten = 1u << 9;

bool frq_allowed(const Cpu& c) {
    return c.sys.cntkctl_el1 & (kEl0Pcten | kEl0Vcten);
}
bool pct_allowed(const Cpu& c) {
    return c.sys.cntkctl_el1 & kEl0Pcten;
}
bool vct_allowed(const Cpu& c) {
    return c.sys.cntkctl_el1 & kEl0Vcten;
}
bool pt_allowed(const Cpu& c) {
    return c.sys.cntkctl_el1 & kEl0Pten;
}
bool vt_allowed(const Cpu& c) {
    return c.sys.cntkctl_el1 & kEl0Vten;
}

constexpr auto P = GenericTimer::kPhys;
constexpr auto V = GenericTimer::kVirt;

// CNTFRQ_EL0 is writable only at the highest implemented EL (EL1 here).
void write_cntfrq(Cpu& c, uint64_t v) {
    if (c.s.el == 0) c.undefined();
    c.sys.cntfrq_el0 = v & 0xffffffffu;
}

const SysRegDesc kTimer[] = {
    {"CNTFRQ_EL0", sysreg_enc(3, 3, 14, 0, 0), 0,
     [](Cpu& c) -> uint64_t { return c.sys.cntfrq_el0; }, write_cntfrq, false, frq_allowed},
    {"CNTPCT_EL0", sysreg_enc(3, 3, 14, 0, 1), 0, SYSREG_RO(c.timer.physical_count()), false,
     pct_allowed},
    {"CNTVCT_EL0", sysreg_enc(3, 3, 14, 0, 2), 0, SYSREG_RO(c.timer.virtual_count()), false,
     vct_allowed},
    {"CNTKCTL_EL1", sysreg_enc(3, 0, 14, 1, 0), 1, SYSREG_RW_MASK(cntkctl_el1, 0x3ff)},
    {"CNTP_TVAL_EL0", sysreg_enc(3, 3, 14, 2, 0), 0, [](Cpu& c) { return c.timer.read_tval(P); },
     [](Cpu& c, uint64_t v) { c.timer.write_tval(P, v); }, true, pt_allowed},
    {"CNTP_CTL_EL0", sysreg_enc(3, 3, 14, 2, 1), 0, [](Cpu& c) { return c.timer.read_ctl(P); },
     [](Cpu& c, uint64_t v) { c.timer.write_ctl(P, v); }, true, pt_allowed},
    {"CNTP_CVAL_EL0", sysreg_enc(3, 3, 14, 2, 2), 0, [](Cpu& c) { return c.timer.read_cval(P); },
     [](Cpu& c, uint64_t v) { c.timer.write_cval(P, v); }, true, pt_allowed},
    {"CNTV_TVAL_EL0", sysreg_enc(3, 3, 14, 3, 0), 0, [](Cpu& c) { return c.timer.read_tval(V); },
     [](Cpu& c, uint64_t v) { c.timer.write_tval(V, v); }, true, vt_allowed},
    {"CNTV_CTL_EL0", sysreg_enc(3, 3, 14, 3, 1), 0, [](Cpu& c) { return c.timer.read_ctl(V); },
     [](Cpu& c, uint64_t v) { c.timer.write_ctl(V, v); }, true, vt_allowed},
    {"CNTV_CVAL_EL0", sysreg_enc(3, 3, 14, 3, 2), 0, [](Cpu& c) { return c.timer.read_cval(V); },
     [](Cpu& c, uint64_t v) { c.timer.write_cval(V, v); }, true, vt_allowed},
    // Without EL2 the virtual offset is zero and the register is not
    // accessible from EL1.
    {"CNTVOFF_EL2", sysreg_enc(3, 4, 14, 0, 3), 2, SYSREG_RW(cntvoff_el2)},
};

} // namespace

std::span<const SysRegDesc> timer_sysregs() {
    return kTimer;
}

} // namespace kestrel
