// PL031 RTC registers against a controllable clock.
#include "hw/pl031.hpp"

#include <doctest/doctest.h>

using namespace kestrel;

TEST_CASE("PL031 counts host seconds, loads, matches and interrupts") {
    int64_t host = 1'700'000'000;
    bool irq = false;
    Pl031 rtc([&](bool l) { irq = l; }, [&] { return host; });
    uint64_t v;
    rtc.read(0x000, 4, v);
    CHECK(v == 1'700'000'000u);
    host += 5;
    rtc.read(0x000, 4, v);
    CHECK(v == 1'700'000'005u);
    rtc.write(0x008, 4, 1000); // LR sets the counter
    rtc.read(0x000, 4, v);
    CHECK(v == 1000);
    host += 2;
    rtc.read(0x000, 4, v);
    CHECK(v == 1002);
    rtc.read(0x00c, 4, v);
    CHECK(v == 1);
    rtc.write(0x004, 4, 1004); // match in 2 s
    rtc.write(0x010, 4, 1);    // unmask
    CHECK(rtc.poll() == 2);
    CHECK_FALSE(irq);
    host += 2;
    rtc.poll();
    CHECK(irq);
    rtc.read(0x018, 4, v);
    CHECK(v == 1);
    rtc.write(0x01c, 4, 1); // clear
    CHECK_FALSE(irq);
    rtc.read(0xfe0, 4, v);
    CHECK(v == 0x31);
    rtc.read(0xffc, 4, v);
    CHECK(v == 0xb1);
    rtc.read(0x800, 4, v); // reserved: reads as zero
    CHECK(v == 0);
    rtc.reset();
    CHECK_FALSE(irq);
    rtc.read(0x000, 4, v);
    CHECK(v == static_cast<uint64_t>(host));
}
