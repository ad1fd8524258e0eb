// The virt board's physical memory map (same addresses as the common virt
// board, so kernels and device-tree expectations carry over).
#pragma once
#include <cstdint>

namespace kestrel::virt {

constexpr uint64_t kFlashBase = 0x0000'0000, kFlashSize = 0x0800'0000;
// A 4 KiB boot ROM inside the flash window holds the boot stub. It starts
// above the exception vectors of VBAR = 0 (0x000..0x7ff), so a guest that
// takes an exception before setting VBAR faults on the fetch and stops,
// instead of spinning on zeros.
constexpr uint64_t kBootRomBase = 0x0000'1000, kBootRomSize = 0x1000;
constexpr uint64_t kGicDistBase = 0x0800'0000, kGicDistSize = 0x1'0000;
constexpr uint64_t kGicItsBase = 0x0808'0000, kGicItsSize = 0x2'0000;
constexpr uint64_t kGicRedistBase = 0x080A'0000, kGicRedistSize = 0x00F6'0000;
constexpr uint64_t kUartBase = 0x0900'0000, kUartSize = 0x1000;
constexpr uint64_t kRtcBase = 0x0901'0000, kRtcSize = 0x1000;
constexpr uint64_t kVirtioBase = 0x0A00'0000, kVirtioStride = 0x200, kVirtioCount = 32;
constexpr uint64_t kRamBase = 0x4000'0000;

constexpr unsigned kUartSpi = 1, kRtcSpi = 2, kVirtioFirstSpi = 16;

} // namespace kestrel::virt
