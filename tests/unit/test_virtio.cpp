// virtio-mmio transport, virtio-blk and virtio-rng driven the way a guest
// driver does, including rings a malicious guest could write.
#include "hw/virtio/virtio_blk.hpp"
#include "hw/virtio/virtio_mmio.hpp"
#include "hw/virtio/virtio_rng.hpp"

#include <cstdio>
#include <cstring>
#include <doctest/doctest.h>
#include <unistd.h>

using namespace kestrel;

namespace {

constexpr uint64_t kRam = 0x40000000, kRamSize = 1 << 20;
constexpr uint64_t kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000,
                   kData = kRam + 0x10000;

struct TempImage {
    std::string path;
    explicit TempImage(size_t sectors) {
        char t[] = "/tmp/kestrel-blk-XXXXXX";
        int fd = mkstemp(t);
        REQUIRE(fd >= 0);
        path = t;
        std::vector<uint8_t> data(sectors * 512);
        for (size_t i = 0; i < data.size(); i++)
            data[i] = static_cast<uint8_t>(i / 512 + i);
        REQUIRE(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        close(fd);
    }
    ~TempImage() { unlink(path.c_str()); }
};

struct Driver {
    Bus bus;
    uint8_t* ram;
    std::unique_ptr<VirtioMmio> dev;
    bool irq = false;
    uint16_t avail_idx = 0;

    explicit Driver(std::unique_ptr<VirtioDevice> d) {
        ram = bus.add_ram(kRam, kRamSize, "ram");
        dev = std::make_unique<VirtioMmio>(bus, std::move(d), [this](bool l) { irq = l; });
    }
    uint32_t rd(uint64_t off) {
        uint64_t v;
        dev->read(off, 4, v);
        return static_cast<uint32_t>(v);
    }
    void wr(uint64_t off, uint32_t v) { dev->write(off, 4, v); }
    void setup(unsigned qsize = 8) {
        wr(0x70, 0);
        wr(0x70, 1 | 2); // ACKNOWLEDGE | DRIVER
        wr(0x24, 1);
        wr(0x20, 1); // VERSION_1
        wr(0x70, 1 | 2 | 8);
        wr(0x30, 0);
        wr(0x38, qsize);
        wr(0x80, static_cast<uint32_t>(kDesc));
        wr(0x84, 0);
        wr(0x90, static_cast<uint32_t>(kAvail));
        wr(0xa0, static_cast<uint32_t>(kUsed));
        wr(0x44, 1);
        wr(0x70, 1 | 2 | 4 | 8); // DRIVER_OK
    }
    void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
        uint8_t* d = ram + (kDesc - kRam) + 16 * i;
        std::memcpy(d, &addr, 8);
        std::memcpy(d + 8, &len, 4);
        std::memcpy(d + 12, &flags, 2);
        std::memcpy(d + 14, &next, 2);
    }
    void make_available(uint16_t head) {
        uint8_t* a = ram + (kAvail - kRam);
        std::memcpy(a + 4 + 2 * (avail_idx % 8), &head, 2);
        avail_idx++;
        std::memcpy(a + 2, &avail_idx, 2);
        wr(0x50, 0);
    }
    uint16_t used_idx() {
        uint16_t v;
        std::memcpy(&v, ram + (kUsed - kRam) + 2, 2);
        return v;
    }
    uint32_t used_len(unsigned i) {
        uint32_t v;
        std::memcpy(&v, ram + (kUsed - kRam) + 4 + 8 * i + 4, 4);
        return v;
    }
    uint8_t* at(uint64_t gpa) { return ram + (gpa - kRam); }
    // A three-part blk request: header, data, status.
    void blk_request(uint32_t type, uint64_t sector, uint32_t len) {
        uint8_t hdr[16] = {};
        std::memcpy(hdr, &type, 4);
        std::memcpy(hdr + 8, &sector, 8);
        std::memcpy(at(kData), hdr, 16);
        desc(0, kData, 16, 1, 1);
        desc(1, kData + 0x100, len, type == 0 ? 3 : 1, 2);
        desc(2, kData + 0x100 + len, 1, 2, 0);
        make_available(0);
    }
};

} // namespace

TEST_CASE("virtio-mmio identifies itself and negotiates features") {
    TempImage img(16);
    Driver d(std::make_unique<VirtioBlk>(std::make_shared<BlockBackend>(img.path, false)));
    CHECK(d.rd(0x000) == 0x74726976);
    CHECK(d.rd(0x004) == 2);
    CHECK(d.rd(0x008) == 2);
    d.wr(0x14, 1);
    CHECK((d.rd(0x10) & 1) == 1); // VERSION_1 in the high word
    uint64_t cap;
    d.dev->read(0x100, 8, cap);
    CHECK(cap == 16);
}

TEST_CASE("virtio-blk reads, writes and reports errors") {
    TempImage img(16);
    Driver d(std::make_unique<VirtioBlk>(std::make_shared<BlockBackend>(img.path, false)));
    d.setup();
    d.blk_request(0, 3, 1024); // read sectors 3-4
    CHECK(d.used_idx() == 1);
    CHECK(d.used_len(0) == 1025);
    CHECK(*d.at(kData + 0x100 + 1024) == 0); // status OK
    CHECK(*d.at(kData + 0x100) == static_cast<uint8_t>(3 + 3 * 512));
    CHECK(d.irq);
    d.wr(0x64, 1);
    CHECK_FALSE(d.irq);
    std::memset(d.at(kData + 0x100), 0xee, 512);
    d.blk_request(1, 15, 512); // write the last sector
    CHECK(*d.at(kData + 0x100 + 512) == 0);
    d.blk_request(0, 15, 512);
    CHECK(*d.at(kData + 0x100) == 0xee);
    d.blk_request(0, 16, 512); // past the end
    CHECK(*d.at(kData + 0x100 + 512) == 1);
    d.blk_request(0, 15, 1024); // runs past the end
    CHECK(*d.at(kData + 0x100 + 1024) == 1);
    d.blk_request(4, 0, 0 + 1); // flush (data descriptor of one readable byte is ignored)
    CHECK(d.used_idx() == 6);
}

TEST_CASE("read-only images refuse writes") {
    TempImage img(4);
    Driver d(std::make_unique<VirtioBlk>(std::make_shared<BlockBackend>(img.path, true)));
    CHECK((d.rd(0x10) & (1u << 5)) != 0); // VIRTIO_BLK_F_RO
    d.setup();
    d.blk_request(1, 0, 512);
    CHECK(*d.at(kData + 0x100 + 512) == 1);
}

TEST_CASE("missing images are clear errors") {
    CHECK_THROWS_WITH_AS(BlockBackend("/nonexistent/disk.img", false),
                         doctest::Contains("/nonexistent/disk.img"), std::runtime_error);
}

TEST_CASE("malicious rings put the device in NEEDS_RESET without touching host memory") {
    TempImage img(4);
    auto bad = [&](auto&& build) {
        Driver d(std::make_unique<VirtioBlk>(std::make_shared<BlockBackend>(img.path, false)));
        d.setup();
        build(d);
        CHECK((d.rd(0x70) & 0x40) != 0);
        CHECK(d.used_idx() == 0);
    };
    bad([](Driver& d) { d.make_available(9); }); // head out of range
    bad([](Driver& d) {
        d.desc(0, kData, 16, 1, 0);
        d.make_available(0);
    });                 // loop
    bad([](Driver& d) { // buffer outside RAM
        d.desc(0, 0x1000, 16, 0, 0);
        d.make_available(0);
    });
    bad([](Driver& d) { // buffer running off the end of RAM
        d.desc(0, kRam + kRamSize - 8, 0x100000, 2, 0);
        d.make_available(0);
    });
    bad([](Driver& d) { // next index out of range
        d.desc(0, kData, 16, 1, 200);
        d.make_available(0);
    });
    bad([](Driver& d) { // avail index jumps further than the ring
        uint16_t idx = 100;
        std::memcpy(d.at(kAvail) + 2, &idx, 2);
        d.wr(0x50, 0);
    });
    bad([](Driver& d) { // request without a status byte
        d.desc(0, kData, 16, 0, 0);
        d.make_available(0);
    });
    // Ring addresses outside RAM.
    Driver d(std::make_unique<VirtioBlk>(std::make_shared<BlockBackend>(img.path, false)));
    d.setup();
    d.wr(0x44, 0);
    d.wr(0x80, 0xfffff000);
    d.wr(0x84, 0xffffffff);
    d.wr(0x44, 1);
    d.make_available(0);
    CHECK((d.rd(0x70) & 0x40) != 0);
    // A reset recovers.
    d.wr(0x70, 0);
    CHECK(d.rd(0x70) == 0);
}

TEST_CASE("virtio-rng fills buffers") {
    Driver d(std::make_unique<VirtioRng>());
    CHECK(d.rd(0x008) == 4);
    d.setup();
    std::memset(d.at(kData), 0, 256);
    d.desc(0, kData, 256, 2, 0);
    d.make_available(0);
    CHECK(d.used_idx() == 1);
    CHECK(d.used_len(0) == 256);
    int nonzero = 0;
    for (int i = 0; i < 256; i++)
        nonzero += *d.at(kData + i) != 0;
    CHECK(nonzero > 200);
}
