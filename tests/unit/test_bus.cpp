// The physical bus: region placement, RAM, ROM and device dispatch.
#include "hw/bus.hpp"

#include <doctest/doctest.h>

using namespace kestrel;

namespace {

struct EchoDevice : Device {
    uint64_t last_offset = ~0ull, last_value = 0;
    unsigned last_size = 0;
    const char* name() const override { return "echo"; }
    MemResult read(uint64_t offset, unsigned size, uint64_t& value) override {
        last_offset = offset;
        last_size = size;
        value = 0x1000 + offset;
        return MemResult::Ok;
    }
    MemResult write(uint64_t offset, unsigned size, uint64_t value) override {
        last_offset = offset;
        last_size = size;
        last_value = value;
        return MemResult::Ok;
    }
};

} // namespace

TEST_CASE("bus: overlapping regions are rejected") {
    Bus bus;
    bus.add_ram(0x1000, 0x2000, "a");
    CHECK_THROWS_AS(bus.add_ram(0x2000, 0x1000, "b"), BusError);
    CHECK_THROWS_AS(bus.add_ram(0x0, 0x1001, "c"), BusError);
    EchoDevice d;
    CHECK_THROWS_AS(bus.add_device(0x2fff, 0x10, &d), BusError);
    // Touching but not overlapping is fine.
    CHECK_NOTHROW(bus.add_ram(0x3000, 0x1000, "d"));
    CHECK_NOTHROW(bus.add_device(0x0, 0x1000, &d));
    CHECK_THROWS_AS(bus.add_ram(0x5000, 0, "empty"), BusError);
}

TEST_CASE("bus: unmapped accesses report Unmapped and read 0") {
    Bus bus;
    bus.add_ram(0x1000, 0x1000, "ram");
    uint64_t v = 0xdead;
    CHECK(bus.read(0x5000, 4, v) == MemResult::Unmapped);
    CHECK(v == 0);
    CHECK(bus.write(0x5000, 4, 1) == MemResult::Unmapped);
    // An access that starts inside but runs past the end of a region.
    CHECK(bus.read(0x1ffe, 4, v) == MemResult::Unmapped);
    CHECK(bus.find(0x2000) == nullptr);
    CHECK(bus.ram_ptr(0x1ff0, 0x20) == nullptr);
}

TEST_CASE("bus: RAM reads back what was written, little-endian") {
    Bus bus;
    bus.add_ram(0x40000000, 0x10000, "ram");
    CHECK(bus.write(0x40000010, 8, 0x1122334455667788ull) == MemResult::Ok);
    uint64_t v = 0;
    CHECK(bus.read(0x40000010, 8, v) == MemResult::Ok);
    CHECK(v == 0x1122334455667788ull);
    CHECK(bus.read(0x40000010, 1, v) == MemResult::Ok);
    CHECK(v == 0x88);
    CHECK(bus.read(0x40000012, 2, v) == MemResult::Ok);
    CHECK(v == 0x5566);
    const uint8_t blob[3] = {1, 2, 3};
    CHECK(bus.write_block(0x4000fffd, blob, 3));
    CHECK_FALSE(bus.write_block(0x4000fffe, blob, 3));
    uint8_t back[3] = {};
    CHECK(bus.read_block(0x4000fffd, back, 3));
    CHECK(back[2] == 3);
}

TEST_CASE("bus: read-only regions ignore writes") {
    Bus bus;
    uint8_t* rom = bus.add_ram(0x0, 0x1000, "rom", true);
    rom[4] = 0x5a;
    CHECK(bus.write(0x4, 1, 0xff) == MemResult::Ok);
    uint64_t v = 0;
    CHECK(bus.read(0x4, 1, v) == MemResult::Ok);
    CHECK(v == 0x5a);
}

TEST_CASE("bus: device accesses get the offset within the device") {
    Bus bus;
    EchoDevice d;
    bus.add_device(0x9000000, 0x1000, &d);
    uint64_t v = 0;
    CHECK(bus.read(0x9000018, 4, v) == MemResult::Ok);
    CHECK(v == 0x1018);
    CHECK(d.last_offset == 0x18);
    CHECK(bus.write(0x9000044, 2, 0xabcd) == MemResult::Ok);
    CHECK(d.last_offset == 0x44);
    CHECK(d.last_size == 2);
    CHECK(d.last_value == 0xabcd);
}
