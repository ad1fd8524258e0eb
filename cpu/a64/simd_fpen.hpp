// CPACR_EL1.FPEN access check for FP/SIMD instructions. A stop-gap until the
// FP side provides the shared helper; both implement the same rule.
#pragma once
#include "cpu/cpu.hpp"

namespace kestrel::a64 {

// Traps to EL1 with EC=0x07 when CPACR_EL1.FPEN disables FP/SIMD at the
// current EL: 0b11 no trap, 0b01 traps EL0 only, 0b00/0b10 trap EL0 and EL1.
inline void simd_check_access(Cpu& c) {
    unsigned fpen = (c.sys.cpacr_el1 >> 20) & 3;
    if (fpen == 3 || c.s.el >= 2) [[likely]]
        return;
    if (fpen == 1 && c.s.el != 0) return;
    GuestException e;
    e.ec = ExcClass::FPAccess;
    e.iss = 0;
    c.raise(e);
}

} // namespace kestrel::a64
