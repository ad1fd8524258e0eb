#include "machine/virt/boot_stub.hpp"

#include "roms/boot/boot_stub.h"

#include <cstdio>
#include <cstdlib>

namespace kestrel {

namespace {

// 64-bit MOVZ / MOVK: sf=1, opc=10 / 11, 100101, hw:2, imm16:16, Rd:5.
constexpr uint32_t kMoveWideMask = 0xff800000u;
constexpr uint32_t kMovz64 = 0xd2800000u, kMovk64 = 0xf2800000u;

} // namespace

std::vector<uint8_t> make_boot_stub(uint64_t dtb_addr, uint64_t entry) {
    std::vector<uint8_t> out;
    unsigned patched_x0 = 0, patched_x4 = 0;
    for (uint32_t w : virt::kBootStub) {
        uint32_t kind = w & kMoveWideMask;
        if (kind == kMovz64 || kind == kMovk64) {
            unsigned rd = w & 31, hw = (w >> 21) & 3;
            if (rd == 0 || rd == 4) {
                uint64_t v = rd == 0 ? dtb_addr : entry;
                uint32_t imm16 = static_cast<uint32_t>(v >> (16 * hw)) & 0xffff;
                w = (w & ~(0xffffu << 5)) | (imm16 << 5);
                (rd == 0 ? patched_x0 : patched_x4) |= 1u << hw;
            }
        }
        for (unsigned i = 0; i < 4; i++)
            out.push_back(static_cast<uint8_t>(w >> (8 * i)));
    }
    // The stub source and this patcher must agree; anything else is a build bug.
    if (!out.empty() && (patched_x0 != 0xf || patched_x4 != 0xf)) {
        std::fprintf(stderr, "kestrel: the boot stub does not load x0 and x4 with MOVZ/MOVK\n");
        std::abort();
    }
    return out;
}

} // namespace kestrel
