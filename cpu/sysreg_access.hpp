// Helpers for writing system register tables (included by cpu/sysreg_*.cpp).
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/sysreg.hpp"

namespace kestrel {

// A plain read/write register stored in SysRegState.
#define SYSREG_RW(field_)                                                                          \
    [](Cpu& c) -> uint64_t { return c.sys.field_; }, [](Cpu& c, uint64_t v) { c.sys.field_ = v; }
// A read/write register keeping only the bits of mask_.
#define SYSREG_RW_MASK(field_, mask_)                                                              \
    [](Cpu& c) -> uint64_t { return c.sys.field_; },                                               \
        [](Cpu& c, uint64_t v) { c.sys.field_ = v & static_cast<uint64_t>(mask_); }
// A read-only register computed from an expression of c.
#define SYSREG_RO(expr_) []([[maybe_unused]] Cpu& c) -> uint64_t { return (expr_); }, nullptr
// Reads as zero, writes ignored.
#define SYSREG_RAZ_WI []([[maybe_unused]] Cpu& c) -> uint64_t { return 0; }, [](Cpu&, uint64_t) {}

} // namespace kestrel
