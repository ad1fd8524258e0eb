// Kernel, initrd and DTB placement. Inputs are built here: arm64 Image
// headers per Documentation/arm64/booting.rst, ELF64 files per the ELF
// specification, gzip through zlib.
#include "machine/virt/loader.hpp"
#include "temp_files.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <elf.h>
#include <zlib.h>

using namespace kestrel;

namespace {

const RamRange kRam{0x40000000, 128ull << 20};

void put64(std::vector<uint8_t>& d, size_t off, uint64_t v) {
    for (unsigned i = 0; i < 8; i++)
        d[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

std::vector<uint8_t> make_image(uint64_t text_offset, uint64_t image_size,
                                size_t file_size = 4096) {
    std::vector<uint8_t> d(file_size, 0);
    d[0] = 'M'; // Debian's vmlinuz starts with an EFI "MZ" stub
    d[1] = 'Z';
    put64(d, 8, text_offset);
    put64(d, 16, image_size);
    put64(d, 24, 0xa); // LE, 4K pages, anywhere
    d[56] = 'A';
    d[57] = 'R';
    d[58] = 'M';
    d[59] = 0x64;
    for (size_t i = 64; i < file_size; i++)
        d[i] = static_cast<uint8_t>(i * 7);
    return d;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::vector<uint8_t> out(compressBound(in.size()) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

struct ElfSeg {
    uint64_t vaddr, paddr;
    std::vector<uint8_t> data;
    uint64_t memsz;
};

std::vector<uint8_t> make_elf(uint64_t entry, const std::vector<ElfSeg>& segs,
                              uint16_t machine = EM_AARCH64) {
    std::vector<uint8_t> f(sizeof(Elf64_Ehdr) + segs.size() * sizeof(Elf64_Phdr), 0);
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = machine;
    eh.e_version = EV_CURRENT;
    eh.e_entry = entry;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = static_cast<uint16_t>(segs.size());
    std::memcpy(f.data(), &eh, sizeof eh);
    for (size_t i = 0; i < segs.size(); i++) {
        Elf64_Phdr ph{};
        ph.p_type = PT_LOAD;
        ph.p_flags = PF_R | PF_X;
        ph.p_offset = f.size();
        ph.p_vaddr = segs[i].vaddr;
        ph.p_paddr = segs[i].paddr;
        ph.p_filesz = segs[i].data.size();
        ph.p_memsz = segs[i].memsz;
        ph.p_align = 0x1000;
        std::memcpy(f.data() + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr), &ph, sizeof ph);
        f.insert(f.end(), segs[i].data.begin(), segs[i].data.end());
    }
    return f;
}

// The message of the MachineError fn throws ("" if none).
template <typename F> std::string error_of(F fn) {
    try {
        fn();
    } catch (const MachineError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("loader: arm64 Image goes to a 2 MiB aligned base plus text_offset") {
    auto img = make_image(0x80000, 0x300000);
    KernelImage k = parse_kernel(img, "Image", kRam);
    CHECK(k.format == KernelFormat::LinuxImage);
    CHECK(k.entry == 0x40080000);
    CHECK(k.end == 0x40080000 + 0x300000); // image_size, not the file size
    REQUIRE(k.segments.size() == 1);
    CHECK(k.segments[0].addr == 0x40080000);
    CHECK(k.segments[0].data == img);

    // Debian's kernels: text_offset 0.
    KernelImage d = parse_kernel(make_image(0, 0x200000), "vmlinuz", kRam);
    CHECK(d.entry == 0x40000000);

    // RAM not 2 MiB aligned: the next 2 MiB boundary.
    KernelImage u =
        parse_kernel(make_image(0x1000, 0x200000), "Image", RamRange{0x40100000, 64ull << 20});
    CHECK(u.entry == 0x40201000);

    // image_size 0 marks an old kernel that assumes text_offset 0x80000.
    KernelImage old = parse_kernel(make_image(0, 0), "old", kRam);
    CHECK(old.entry == 0x40080000);
}

TEST_CASE("loader: an Image that needs more than the RAM is refused by name") {
    auto img = make_image(0x80000, 200ull << 20);
    std::string msg = error_of([&] { parse_kernel(img, "big-Image", kRam); });
    CHECK(contains(msg, "big-Image"));
    CHECK(contains(msg, "RAM"));
    auto be = make_image(0, 0x200000);
    put64(be, 24, 1); // big-endian kernel
    CHECK(contains(error_of([&] { parse_kernel(be, "be-Image", kRam); }), "big-endian"));
}

TEST_CASE("loader: gzip-compressed Image is inflated, then placed like an Image") {
    auto img = make_image(0, 0x200000, 100000);
    auto gz = gzip(img);
    REQUIRE(gz.size() < img.size());
    KernelImage k = parse_kernel(gz, "vmlinuz", kRam);
    CHECK(k.was_gzip);
    CHECK(k.format == KernelFormat::LinuxImage);
    CHECK(k.entry == 0x40000000);
    REQUIRE(k.segments.size() == 1);
    CHECK(k.segments[0].data == img);

    // gzip of something that is not an Image: a raw blob.
    std::vector<uint8_t> blob(1000, 0x42);
    KernelImage r = parse_kernel(gzip(blob), "blob.gz", kRam);
    CHECK(r.format == KernelFormat::Raw);
    CHECK(r.was_gzip);
    CHECK(r.entry == 0x40080000);
}

TEST_CASE("loader: truncated and corrupt gzip give errors naming the file") {
    auto gz = gzip(make_image(0, 0x200000, 100000));
    std::vector<uint8_t> cut(gz.begin(), gz.begin() + static_cast<long>(gz.size() / 2));
    std::string msg = error_of([&] { parse_kernel(cut, "cut.gz", kRam); });
    CHECK(contains(msg, "cut.gz"));
    CHECK(contains(msg, "truncated"));
    std::vector<uint8_t> bad = gz;
    for (size_t i = 20; i < 60 && i < bad.size(); i++)
        bad[i] ^= 0xff;
    msg = error_of([&] { parse_kernel(bad, "bad.gz", kRam); });
    CHECK(contains(msg, "bad.gz"));
    // A gzip bomb bigger than the RAM is stopped at the RAM size.
    std::vector<uint8_t> zeros(3u << 20, 0);
    msg = error_of([&] { parse_kernel(gzip(zeros), "bomb.gz", RamRange{0x40000000, 2u << 20}); });
    CHECK(contains(msg, "bomb.gz"));
    CHECK(contains(msg, "more than"));
}

TEST_CASE("loader: ELF segments load by physical address, bss is zeroed") {
    std::vector<uint8_t> text = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<uint8_t> data = {9, 9, 9, 9};
    // Linked high (virtual) but with physical addresses in RAM, like a kernel vmlinux.
    auto elf =
        make_elf(0xffff000000080004ull, {{0xffff000000080000ull, 0x40080000, text, text.size()},
                                         {0xffff000000090000ull, 0x40090000, data, 0x100}});
    KernelImage k = parse_kernel(elf, "vmlinux", kRam);
    CHECK(k.format == KernelFormat::Elf);
    CHECK(k.entry == 0x40080004);
    REQUIRE(k.segments.size() == 2);
    CHECK(k.segments[1].addr == 0x40090000);
    CHECK(k.segments[1].zero_fill == 0x100 - 4);
    CHECK(k.end == 0x40090100);

    Bus bus;
    uint8_t* ram = bus.add_ram(kRam.base, kRam.size, "ram");
    std::memset(ram + 0x90000, 0xaa, 0x200);
    write_segments(bus, k.segments, "vmlinux");
    CHECK(ram[0x80000] == 1);
    CHECK(ram[0x80007] == 8);
    CHECK(ram[0x90003] == 9);
    CHECK(ram[0x90004] == 0);    // bss
    CHECK(ram[0x900ff] == 0);    // last bss byte
    CHECK(ram[0x90100] == 0xaa); // untouched beyond memsz

    // Bare-metal style: virtual == physical.
    auto flat = make_elf(0x40100000, {{0x40100000, 0x40100000, text, 0x1000}});
    KernelImage f = parse_kernel(flat, "flat.elf", kRam);
    CHECK(f.entry == 0x40100000);
}

TEST_CASE("loader: bad ELF files are refused with the file name") {
    std::vector<uint8_t> text(16, 0);
    auto x86 = make_elf(0x40080000, {{0x40080000, 0x40080000, text, 16}}, EM_X86_64);
    std::string msg = error_of([&] { parse_kernel(x86, "x86.elf", kRam); });
    CHECK(contains(msg, "x86.elf"));
    CHECK(contains(msg, "AArch64"));

    auto outside = make_elf(0x1000, {{0x1000, 0x1000, text, 16}});
    msg = error_of([&] { parse_kernel(outside, "low.elf", kRam); });
    CHECK(contains(msg, "low.elf"));
    CHECK(contains(msg, "outside"));

    auto good = make_elf(0x40080000, {{0x40080000, 0x40080000, std::vector<uint8_t>(256, 1), 256}});
    std::vector<uint8_t> cut(good.begin(), good.begin() + 100); // program header cut
    msg = error_of([&] { parse_kernel(cut, "cut.elf", kRam); });
    CHECK(contains(msg, "cut.elf"));
    CHECK(contains(msg, "truncated"));
    std::vector<uint8_t> cut_data(good.begin(), good.begin() + 200); // segment data cut
    msg = error_of([&] { parse_kernel(cut_data, "cut2.elf", kRam); });
    CHECK(contains(msg, "cut2.elf"));
    CHECK(contains(msg, "truncated"));

    std::vector<uint8_t> header_only(good.begin(), good.begin() + 20);
    CHECK(contains(error_of([&] { parse_kernel(header_only, "tiny.elf", kRam); }), "tiny.elf"));

    auto no_entry = make_elf(0x50000000, {{0x40080000, 0x40080000, text, 16}});
    CHECK(contains(error_of([&] { parse_kernel(no_entry, "entry.elf", kRam); }), "entry"));
    auto empty = make_elf(0x40080000, {});
    CHECK(contains(error_of([&] { parse_kernel(empty, "none.elf", kRam); }), "loadable"));
}

TEST_CASE("loader: raw binaries load at RAM base + 0x80000") {
    std::vector<uint8_t> blob = {0x00, 0x00, 0x20, 0xd4};
    KernelImage k = parse_kernel(blob, "test.bin", kRam);
    CHECK(k.format == KernelFormat::Raw);
    CHECK(k.entry == 0x40080000);
    CHECK(k.end == 0x40080004);
    std::vector<uint8_t> huge((1u << 20), 0);
    CHECK(contains(error_of([&] {
                       parse_kernel(huge, "huge.bin", RamRange{0x40000000, 1u << 20});
                   }),
                   "huge.bin"));
}

TEST_CASE("loader: file problems name the file") {
    test::TempDir dir;
    std::string missing = dir.path("missing-kernel");
    std::string msg = error_of([&] { load_kernel_file(missing, kRam); });
    CHECK(contains(msg, missing));
    std::string empty = dir.file("empty", {});
    msg = error_of([&] { load_kernel_file(empty, kRam); });
    CHECK(contains(msg, empty));
    CHECK(contains(msg, "empty"));
    std::string big = dir.file("big", std::vector<uint8_t>(8192, 1));
    msg = error_of([&] { read_guest_file(big, "initrd", 4096); });
    CHECK(contains(msg, big));
    CHECK(contains(msg, "too large"));
    msg = error_of([&] { read_guest_file(dir.path(""), "kernel", 4096); });
    CHECK(contains(msg, "not a regular file"));
    std::string ok = dir.file("ok.bin", {1, 2, 3, 4});
    KernelImage k = load_kernel_file(ok, kRam);
    CHECK(k.segments[0].data.size() == 4);
}

TEST_CASE("loader: initrd and DTB placement") {
    // Default: RAM base + min(RAM / 2, 128 MiB).
    LoadSegment i = place_initrd(std::vector<uint8_t>(5000, 1), "initrd", kRam, 0x40300000);
    CHECK(i.addr == 0x44000000);
    CHECK(i.addr % 4096 == 0);
    // A kernel reaching past that pushes the initrd up to the next 2 MiB.
    LoadSegment j = place_initrd(std::vector<uint8_t>(5000, 1), "initrd", kRam, 0x44100001);
    CHECK(j.addr == 0x44200000);
    std::string msg = error_of(
        [&] { place_initrd(std::vector<uint8_t>(100u << 20, 0), "fat.cpio", kRam, 0x40300000); });
    CHECK(contains(msg, "fat.cpio"));

    uint64_t dtb = place_dtb(0x2000, "dtb", kRam, 0x44001388);
    CHECK(dtb == 0x44200000);
    CHECK(dtb % (2u << 20) == 0);
    CHECK(
        contains(error_of([&] { place_dtb(3u << 20, "huge.dtb", kRam, 0x40000000); }), "huge.dtb"));
    CHECK(contains(error_of([&] { place_dtb(0x1000, "late.dtb", kRam, kRam.end() - 0x10); }),
                   "late.dtb"));
}
