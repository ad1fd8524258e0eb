#include "machine/virt/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace kestrel {

namespace {

constexpr uint64_t k2MiB = 2 * kMiB;

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}

uint64_t le64(const std::vector<uint8_t>& d, size_t off) {
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= static_cast<uint64_t>(d[off + i]) << (8 * i);
    return v;
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
    throw MachineError("kernel '" + name + "': " + problem);
}

bool is_gzip(const std::vector<uint8_t>& d) {
    return d.size() >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}
bool is_elf(const std::vector<uint8_t>& d) {
    return d.size() >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
}
// arm64 Image header: "ARM\x64" at byte 56 (Documentation/arm64/booting.rst).
bool is_linux_image(const std::vector<uint8_t>& d) {
    return d.size() >= 64 && d[56] == 'A' && d[57] == 'R' && d[58] == 'M' && d[59] == 0x64;
}

KernelImage parse_linux_image(const std::vector<uint8_t>& d, const std::string& name,
                              const RamRange& ram) {
    uint64_t text_offset = le64(d, 8);
    uint64_t image_size = le64(d, 16);
    uint64_t flags = le64(d, 24);
    // Kernels before 3.17 leave image_size 0 and expect text_offset 0x80000.
    if (image_size == 0) text_offset = 0x80000;
    if (flags & 1)
        fail(name, "is a big-endian arm64 Image; only little-endian kernels are supported");
    if (text_offset >= ram.size)
        fail(name, "text_offset " + hex(text_offset) + " lies beyond the RAM");
    uint64_t load = align_up(ram.base, k2MiB) + text_offset;
    uint64_t needed = std::max<uint64_t>(image_size, d.size());
    if (!ram.holds(load, needed))
        fail(name, "Image needs " + std::to_string(needed) + " bytes at " + hex(load) +
                       ", more than the RAM (" + std::to_string(ram.size >> 20) + " MiB) holds");
    KernelImage k;
    k.format = KernelFormat::LinuxImage;
    k.entry = load;
    k.end = load + needed;
    k.segments.push_back({load, d, 0});
    return k;
}

KernelImage parse_raw(const std::vector<uint8_t>& d, const std::string& name, const RamRange& ram) {
    uint64_t load = ram.base + kRawLoadOffset;
    if (!ram.holds(load, d.size()))
        fail(name, "raw image of " + std::to_string(d.size()) + " bytes does not fit in RAM at " +
                       hex(load));
    KernelImage k;
    k.format = KernelFormat::Raw;
    k.entry = load;
    k.end = load + d.size();
    k.segments.push_back({load, d, 0});
    return k;
}

// Closes the libelf handle on every path.
struct ElfHandle {
    Elf* e = nullptr;
    ~ElfHandle() {
        if (e) elf_end(e);
    }
};

KernelImage parse_elf(const std::vector<uint8_t>& d, const std::string& name, const RamRange& ram) {
    if (elf_version(EV_CURRENT) == EV_NONE) fail(name, "libelf is unusable");
    // libelf wants a mutable buffer; it only reads it here.
    std::vector<uint8_t> copy = d;
    ElfHandle h;
    h.e = elf_memory(reinterpret_cast<char*>(copy.data()), copy.size());
    if (!h.e || elf_kind(h.e) != ELF_K_ELF) fail(name, "is not a valid ELF file");
    if (gelf_getclass(h.e) != ELFCLASS64)
        fail(name, "is a 32-bit ELF file; only ELF64 AArch64 is supported");
    GElf_Ehdr eh;
    if (!gelf_getehdr(h.e, &eh)) fail(name, "has a truncated or corrupt ELF header");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) fail(name, "is a big-endian ELF file");
    if (eh.e_machine != EM_AARCH64)
        fail(name, "is an ELF file for machine " + std::to_string(eh.e_machine) + ", not AArch64");
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) fail(name, "is not an executable ELF file");
    if (eh.e_phnum == 0) fail(name, "is an ELF file without loadable segments");
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) fail(name, "has a corrupt program header table");
    // Checked here because libelf quietly reports no headers for a cut file.
    if (eh.e_phoff > d.size() || uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr) > d.size() - eh.e_phoff)
        fail(name, "is truncated (program headers lie past the end of the file)");
    size_t nph = 0;
    if (elf_getphdrnum(h.e, &nph) != 0) fail(name, "has a corrupt program header table");

    KernelImage k;
    k.format = KernelFormat::Elf;
    bool entry_found = false;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(h.e, static_cast<int>(i), &ph))
            fail(name, "has a corrupt program header");
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        std::string seg = "segment " + std::to_string(i);
        if (ph.p_filesz > ph.p_memsz)
            fail(name, seg + " has a file size larger than its memory size");
        if (ph.p_offset > d.size() || ph.p_filesz > d.size() - ph.p_offset)
            fail(name, "is truncated (" + seg + " lies past the end of the file)");
        // Physical address first (what the image is linked to run at with
        // the MMU off); a virtual address that lies in RAM is the fallback.
        uint64_t addr;
        if (ram.holds(ph.p_paddr, ph.p_memsz))
            addr = ph.p_paddr;
        else if (ram.holds(ph.p_vaddr, ph.p_memsz))
            addr = ph.p_vaddr;
        else
            fail(name, seg + " at " + hex(ph.p_paddr) + " (" + std::to_string(ph.p_memsz) +
                           " bytes) lies outside the RAM " + hex(ram.base) + ".." + hex(ram.end()));
        LoadSegment s;
        s.addr = addr;
        s.data.assign(d.begin() + static_cast<long>(ph.p_offset),
                      d.begin() + static_cast<long>(ph.p_offset + ph.p_filesz));
        s.zero_fill = ph.p_memsz - ph.p_filesz;
        if (!entry_found && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
            k.entry = addr + (eh.e_entry - ph.p_vaddr);
            entry_found = true;
        } else if (!entry_found && eh.e_entry - ph.p_paddr < ph.p_memsz) {
            k.entry = addr + (eh.e_entry - ph.p_paddr);
            entry_found = true;
        }
        k.end = std::max(k.end, s.end());
        k.segments.push_back(std::move(s));
    }
    if (k.segments.empty()) fail(name, "is an ELF file without loadable segments");
    if (!entry_found)
        fail(name, "has its entry point " + hex(eh.e_entry) + " outside every loadable segment");
    return k;
}

} // namespace

std::vector<uint8_t> read_guest_file(const std::string& path, const char* what, uint64_t max_size) {
    std::string label = std::string(what) + " '" + path + "'";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw MachineError("cannot open " + label + ": " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw MachineError(label + " is not a regular file");
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size == 0) {
        ::close(fd);
        throw MachineError(label + " is empty");
    }
    if (size > max_size) {
        ::close(fd);
        throw MachineError(label + " is too large (" + std::to_string(size) + " bytes; at most " +
                           std::to_string(max_size) + " fit)");
    }
    std::vector<uint8_t> data(size);
    uint64_t got = 0;
    while (got < size) {
        ssize_t n = ::read(fd, data.data() + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            throw MachineError("cannot read " + label + ": " +
                               (n < 0 ? std::strerror(err) : "file shrank"));
        }
        got += static_cast<uint64_t>(n);
    }
    ::close(fd);
    return data;
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& gz, const std::string& name,
                            uint64_t max_size) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(name, "cannot start the gzip decompressor");
    std::vector<uint8_t> out(std::min<uint64_t>(std::max<uint64_t>(gz.size() * 4, 4096), max_size));
    zs.next_in = const_cast<Bytef*>(gz.data());
    zs.avail_in = static_cast<uInt>(std::min<size_t>(gz.size(), UINT32_MAX));
    size_t produced = 0;
    int rc = Z_OK;
    while (true) {
        if (produced == out.size()) {
            if (out.size() >= max_size) {
                inflateEnd(&zs);
                fail(name, "decompresses to more than " + std::to_string(max_size) +
                               " bytes (the RAM size)");
            }
            out.resize(std::min<uint64_t>(out.size() * 2, max_size));
        }
        zs.next_out = out.data() + produced;
        zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, UINT32_MAX));
        rc = inflate(&zs, Z_NO_FLUSH);
        produced = zs.total_out;
        if (rc == Z_STREAM_END) break;
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue; // needs more room
        std::string msg = zs.msg ? zs.msg : "unexpected end of data";
        inflateEnd(&zs);
        if (rc == Z_BUF_ERROR) fail(name, "is truncated (the gzip stream ends early)");
        fail(name, "has corrupt gzip data (" + msg + ")");
    }
    inflateEnd(&zs);
    out.resize(produced);
    return out;
}

KernelImage parse_kernel(const std::vector<uint8_t>& file, const std::string& name,
                         const RamRange& ram) {
    if (file.empty()) fail(name, "is empty");
    if (is_gzip(file)) {
        std::vector<uint8_t> raw = gunzip(file, name, ram.size);
        if (raw.empty()) fail(name, "decompresses to nothing");
        KernelImage k = is_linux_image(raw) ? parse_linux_image(raw, name, ram)
                        : is_elf(raw)       ? parse_elf(raw, name, ram)
                                            : parse_raw(raw, name, ram);
        k.was_gzip = true;
        return k;
    }
    if (is_elf(file)) return parse_elf(file, name, ram);
    if (is_linux_image(file)) return parse_linux_image(file, name, ram);
    return parse_raw(file, name, ram);
}

KernelImage load_kernel_file(const std::string& path, const RamRange& ram) {
    // A gzip kernel may be far smaller than the RAM it expands into, so
    // the file limit is the RAM size either way.
    return parse_kernel(read_guest_file(path, "kernel", ram.size), path, ram);
}

LoadSegment place_initrd(std::vector<uint8_t> data, const std::string& name, const RamRange& ram,
                         uint64_t kernel_end) {
    uint64_t start = ram.base + std::min<uint64_t>(ram.size / 2, 128 * kMiB);
    if (start < kernel_end) start = align_up(kernel_end, k2MiB);
    if (!ram.holds(start, data.size()))
        throw MachineError("initrd '" + name + "' (" + std::to_string(data.size()) +
                           " bytes) does not fit in RAM after the kernel (free from " + hex(start) +
                           " to " + hex(ram.end()) + ")");
    return LoadSegment{start, std::move(data), 0};
}

uint64_t place_dtb(uint64_t dtb_size, const std::string& name, const RamRange& ram,
                   uint64_t used_end) {
    // Linux wants the DTB 8-byte aligned, at most 2 MiB and not crossing a
    // 2 MiB boundary: a 2 MiB aligned start satisfies all of it.
    if (dtb_size > k2MiB) throw MachineError("DTB '" + name + "' is larger than 2 MiB");
    uint64_t addr = align_up(std::max(used_end, ram.base), k2MiB);
    if (!ram.holds(addr, dtb_size))
        throw MachineError("DTB '" + name +
                           "' does not fit in RAM after the kernel and initrd (needs " +
                           std::to_string(dtb_size) + " bytes at " + hex(addr) + ")");
    return addr;
}

void write_segments(Bus& bus, const std::vector<LoadSegment>& segs, const std::string& name) {
    for (const LoadSegment& s : segs) {
        uint8_t* p = bus.ram_ptr(s.addr, s.data.size() + s.zero_fill);
        if (!p)
            throw MachineError("'" + name + "': segment at " + hex(s.addr) +
                               " does not lie in guest memory");
        std::memcpy(p, s.data.data(), s.data.size());
        std::memset(p + s.data.size(), 0, s.zero_fill);
        bus.notify_write(s.addr, s.data.size() + s.zero_fill);
    }
}

} // namespace kestrel
