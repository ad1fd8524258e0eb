// The boot stub CPU0 starts in: the assembled roms/boot/boot.S with the DTB
// and kernel entry addresses patched into its MOVZ/MOVK immediates.
#pragma once
#include <cstdint>
#include <vector>

namespace kestrel {

// The stub's bytes for these addresses; empty when Kestrel was built
// without the cross toolchain (the board then sets the registers itself).
std::vector<uint8_t> make_boot_stub(uint64_t dtb_addr, uint64_t entry);

} // namespace kestrel
