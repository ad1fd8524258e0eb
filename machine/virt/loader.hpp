// Turns guest files (kernel, initrd, DTB) into byte segments placed in
// guest RAM. Parsing is separate from writing, so a board reset can write
// the same segments again without re-reading the files.
//
// Kernel formats: arm64 Linux Image (also gzip-compressed, as Debian's
// vmlinuz is), ELF64 AArch64 (PT_LOAD segments at their physical address),
// and raw binaries (loaded at RAM base + 0x80000). Problems with a file
// throw MachineError naming the file.
#pragma once
#include "hw/bus.hpp"
#include "machine/virt/machine_error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace kestrel {

struct LoadSegment {
    uint64_t addr = 0;
    std::vector<uint8_t> data;
    uint64_t zero_fill = 0; // bytes of zeros after data (ELF bss)
    uint64_t end() const { return addr + data.size() + zero_fill; }
};

enum class KernelFormat { LinuxImage, Elf, Raw };

struct KernelImage {
    KernelFormat format = KernelFormat::Raw;
    bool was_gzip = false;
    uint64_t entry = 0;
    uint64_t end = 0; // first byte after everything the kernel occupies or needs
    std::vector<LoadSegment> segments;
};

struct RamRange {
    uint64_t base = 0;
    uint64_t size = 0;
    uint64_t end() const { return base + size; }
    bool holds(uint64_t addr, uint64_t len) const {
        return addr >= base && len <= size && addr - base <= size - len;
    }
};

constexpr uint64_t kRawLoadOffset = 0x80000;
constexpr uint64_t kMiB = 1ull << 20;

// Reads a whole file; max_size bounds it (bigger: "too large" error).
std::vector<uint8_t> read_guest_file(const std::string& path, const char* what, uint64_t max_size);

// Parses a kernel file's contents (name is used in messages).
KernelImage parse_kernel(const std::vector<uint8_t>& file, const std::string& name,
                         const RamRange& ram);
KernelImage load_kernel_file(const std::string& path, const RamRange& ram);

// Inflates gzip data; throws MachineError naming the file when it is
// corrupt or would exceed max_size.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& gz, const std::string& name,
                            uint64_t max_size);

// Where the initrd goes: at RAM base + min(RAM/2, 128 MiB) like the common
// virt board, or higher when the kernel reaches past that; page aligned.
LoadSegment place_initrd(std::vector<uint8_t> data, const std::string& name, const RamRange& ram,
                         uint64_t kernel_end);

// Where the DTB goes: the first 2 MiB boundary after everything else.
uint64_t place_dtb(uint64_t dtb_size, const std::string& name, const RamRange& ram,
                   uint64_t used_end);

// Copies segments into guest memory; throws MachineError if one falls
// outside RAM/ROM (an internal placement bug or a bad ELF).
void write_segments(Bus& bus, const std::vector<LoadSegment>& segs, const std::string& name);

} // namespace kestrel
