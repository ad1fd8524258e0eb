// The register bank helper and the PL011 UART built on it.
#include "cpu/log.hpp"
#include "hw/pl011.hpp"
#include "hw/register_bank.hpp"
#include "temp_files.hpp"

#include <doctest/doctest.h>
#include <vector>

using namespace kestrel;

namespace {

uint64_t rd(Device& d, uint64_t off, unsigned size = 4) {
    uint64_t v = 0xdeadbeef;
    REQUIRE(d.read(off, size, v) == MemResult::Ok);
    return v;
}
void wr(Device& d, uint64_t off, uint64_t v, unsigned size = 4) {
    REQUIRE(d.write(off, size, v) == MemResult::Ok);
}

// Restores the global log settings a test changed.
struct LogCapture {
    std::FILE* f = std::tmpfile();
    LogCapture(uint32_t mask) {
        set_log_file(f);
        set_log_mask(mask);
    }
    ~LogCapture() {
        set_log_mask(0);
        set_log_file(nullptr);
        std::fclose(f);
    }
    std::string text() { return test::file_contents(f); }
};

} // namespace

TEST_CASE("register bank: masks, reset values and callbacks") {
    RegisterBank bank("dev");
    int side_effects = 0;
    uint64_t seen_old = 0, seen_new = 0, custom = 0;
    bank.add(reg("CTRL", 0x0).reset_to(0x30).masks(0xff, 0x0f).then([&](uint64_t o, uint64_t n) {
        side_effects++;
        seen_old = o;
        seen_new = n;
    }));
    bank.add(reg("COUNT", 0x4).reads([] { return uint64_t{0x1234}; }).read_only());
    bank.add(reg("CLEAR", 0x8).write_only().writes([&](uint64_t v) { custom = v; }));
    bank.add_constant("ID", 0x10, 0xab);
    uint64_t v = 0;
    bank.read(0x0, 4, v);
    CHECK(v == 0x30);
    bank.write(0x0, 4, 0xffffffff); // only the low nibble is writable
    bank.read(0x0, 4, v);
    CHECK(v == 0x3f);
    CHECK(side_effects == 1);
    CHECK(seen_old == 0x30);
    CHECK(seen_new == 0x3f);
    bank.read(0x4, 4, v);
    CHECK(v == 0x1234);
    bank.write(0x4, 4, 0); // read-only: ignored
    CHECK(bank.ignored_accesses() == 1);
    bank.write(0x8, 4, 0x55);
    CHECK(custom == 0x55);
    bank.read(0x8, 4, v); // write-only reads 0
    CHECK(v == 0);
    bank.read(0x10, 4, v);
    CHECK(v == 0xab);
    bank.read(0x2, 4, v); // not a register start
    CHECK(v == 0);
    bank.read(0x0, 8, v); // wider than the register
    CHECK(v == 0);
    CHECK(bank.ignored_accesses() == 4);
    bank.reset();
    CHECK(bank.get(0x0) == 0x30);
}

TEST_CASE("pl011: identification and reset values") {
    Pl011 u(nullptr);
    const uint64_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (unsigned i = 0; i < 8; i++)
        CHECK(rd(u, 0xfe0 + 4 * i) == ids[i]);
    CHECK(rd(u, Pl011::kFR) == 0x90); // TXFE | RXFE
    CHECK(rd(u, Pl011::kCR) == 0x300);
    CHECK(rd(u, Pl011::kIFLS) == 0x12);
    CHECK(rd(u, Pl011::kIMSC) == 0);
    CHECK(rd(u, Pl011::kRIS) == 0);
    CHECK(rd(u, Pl011::kLCR_H) == 0);
}

TEST_CASE("pl011: register widths") {
    Pl011 u(nullptr);
    wr(u, Pl011::kIBRD, 0x12345);
    CHECK(rd(u, Pl011::kIBRD) == 0x2345);
    wr(u, Pl011::kFBRD, 0xff);
    CHECK(rd(u, Pl011::kFBRD) == 0x3f);
    wr(u, Pl011::kILPR, 0x1ff);
    CHECK(rd(u, Pl011::kILPR) == 0xff);
    wr(u, Pl011::kDMACR, 0xff);
    CHECK(rd(u, Pl011::kDMACR) == 0x7);
    wr(u, Pl011::kCR, 0x301);
    CHECK(rd(u, Pl011::kCR) == 0x301);
    u.reset();
    CHECK(rd(u, Pl011::kIBRD) == 0);
    CHECK(rd(u, Pl011::kCR) == 0x300);
}

TEST_CASE("pl011: transmit writes the byte out and raises TX") {
    std::FILE* out = std::tmpfile();
    Pl011 u(out);
    wr(u, Pl011::kDR, 'h');
    wr(u, Pl011::kDR, 0x100 | 'i'); // bits above the data byte are not sent
    CHECK(test::file_contents(out) == "hi");
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntTx) != 0);
    CHECK((rd(u, Pl011::kFR) & (Pl011::kFrTxfe | Pl011::kFrTxff | Pl011::kFrBusy)) ==
          Pl011::kFrTxfe);
    wr(u, Pl011::kICR, Pl011::kIntTx);
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntTx) == 0);
    std::fclose(out);
}

TEST_CASE("pl011: receive without FIFO holds one byte") {
    Pl011 u(nullptr);
    std::vector<bool> levels;
    u.irq.connect([&](bool l) { levels.push_back(l); });
    CHECK(u.can_receive());
    u.receive('a');
    CHECK_FALSE(u.can_receive());
    uint64_t fr = rd(u, Pl011::kFR);
    CHECK((fr & Pl011::kFrRxfe) == 0);
    CHECK((fr & Pl011::kFrRxff) != 0);
    // Raw status is set, but nothing is unmasked yet.
    CHECK((rd(u, Pl011::kRIS) & (Pl011::kIntRx | Pl011::kIntRt)) ==
          (Pl011::kIntRx | Pl011::kIntRt));
    CHECK(rd(u, Pl011::kMIS) == 0);
    CHECK_FALSE(u.irq.level());
    wr(u, Pl011::kIMSC, Pl011::kIntRx);
    CHECK(u.irq.level());
    CHECK(rd(u, Pl011::kMIS) == Pl011::kIntRx);
    CHECK(rd(u, Pl011::kDR) == 'a');
    CHECK_FALSE(u.irq.level());
    CHECK((rd(u, Pl011::kFR) & Pl011::kFrRxfe) != 0);
    CHECK((rd(u, Pl011::kRIS) & (Pl011::kIntRx | Pl011::kIntRt)) == 0);
    REQUIRE(levels.size() == 3); // initial low, raised, lowered
    CHECK(levels[1] == true);
    CHECK(levels[2] == false);
}

TEST_CASE("pl011: FIFO trigger level, full flag and overrun") {
    Pl011 u(nullptr);
    wr(u, Pl011::kLCR_H, Pl011::kLcrFen | 0x60); // 8 bits, FIFOs on
    // IFLS reset 0x12: receive trigger at half of 16 entries.
    for (int i = 0; i < 7; i++)
        u.receive(static_cast<uint8_t>('0' + i));
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntRx) == 0);
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntRt) != 0); // data waits: timeout
    u.receive('7');
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntRx) != 0);
    for (int i = 8; i < 16; i++)
        u.receive('x');
    CHECK((rd(u, Pl011::kFR) & Pl011::kFrRxff) != 0);
    CHECK_FALSE(u.can_receive());
    u.receive('!'); // lost
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntOe) != 0);
    CHECK((rd(u, Pl011::kRSR) & 0x8) != 0);
    wr(u, Pl011::kRSR, 0); // ECR clears the error flags
    CHECK(rd(u, Pl011::kRSR) == 0);
    CHECK(rd(u, Pl011::kDR) == '0');
    CHECK(rd(u, Pl011::kDR) == '1');
    // 14 left, still above the trigger.
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntRx) != 0);
    for (int i = 0; i < 7; i++)
        rd(u, Pl011::kDR);
    CHECK((rd(u, Pl011::kRIS) & Pl011::kIntRx) == 0); // 7 left, below 8
    // Turning the FIFOs off empties them.
    wr(u, Pl011::kLCR_H, 0x60);
    CHECK((rd(u, Pl011::kFR) & Pl011::kFrRxfe) != 0);
    CHECK(rd(u, Pl011::kDR) == 0);
}

TEST_CASE("pl011: ICR clears, MIS masks, interrupt line follows") {
    Pl011 u(nullptr);
    wr(u, Pl011::kIMSC, Pl011::kIntRt | Pl011::kIntTx);
    wr(u, Pl011::kDR, 'z');
    CHECK(u.irq.level());
    CHECK(rd(u, Pl011::kMIS) == Pl011::kIntTx);
    wr(u, Pl011::kICR, 0x7ff);
    CHECK_FALSE(u.irq.level());
    u.receive('q');
    CHECK(u.irq.level());
    CHECK(rd(u, Pl011::kMIS) == Pl011::kIntRt);
    wr(u, Pl011::kIMSC, 0);
    CHECK_FALSE(u.irq.level());
    CHECK(rd(u, Pl011::kRIS) != 0);
}

TEST_CASE("pl011: invalid accesses read 0, are ignored and logged") {
    LogCapture log(kLogGuestErrors);
    Pl011 u(nullptr);
    CHECK(rd(u, 0x100) == 0);
    wr(u, 0x100, 0xffff);
    wr(u, Pl011::kFR, 0);           // read-only
    CHECK(rd(u, Pl011::kICR) == 0); // write-only
    CHECK(rd(u, 0x2) == 0);         // misaligned
    CHECK(rd(u, Pl011::kFR) == 0x90);
    std::string text = log.text();
    CHECK(text.find("pl011") != std::string::npos);
    CHECK(text.find("0x100") != std::string::npos);
    CHECK(text.find("read-only") != std::string::npos);
}
