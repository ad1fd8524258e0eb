// The GIC CPU interface system registers (ICC_*), forwarded to Cpu::gic.
#pragma once
#include "cpu/sysreg.hpp"

#include <span>

namespace kestrel {

std::span<const SysRegDesc> icc_sysregs();

} // namespace kestrel
