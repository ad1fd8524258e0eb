#include "hw/pl031.hpp"

#include <ctime>

namespace kestrel {

namespace {
const uint8_t kIds[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
}

Pl031::Pl031(std::function<void(bool)> irq, Clock clock)
    : irq_(std::move(irq)), clock_(std::move(clock)) {
    if (!clock_) clock_ = [] { return static_cast<int64_t>(std::time(nullptr)); };
    reset();
}

uint32_t Pl031::now() const {
    return static_cast<uint32_t>(clock_() + st_.offset);
}

void Pl031::reset() {
    st_ = Pl031State{};
    update_irq();
}

void Pl031::update_irq() {
    if (irq_) irq_((st_.ris & st_.imsc & 1) != 0);
}

int64_t Pl031::poll() {
    uint32_t t = now();
    if (t == st_.mr && !(st_.ris & 1)) {
        st_.ris |= 1;
        update_irq();
    }
    return st_.imsc & 1 ? static_cast<int64_t>(static_cast<uint32_t>(st_.mr - t)) : -1;
}

MemResult Pl031::read(uint64_t off, unsigned size, uint64_t& v) {
    v = 0;
    if (size != 4) return MemResult::Ok;
    if (off >= 0xfe0 && off < 0x1000) {
        v = kIds[(off - 0xfe0) / 4];
        return MemResult::Ok;
    }
    switch (off) {
    case 0x000: v = now(); break;
    case 0x004: v = st_.mr; break;
    case 0x008: v = st_.lr; break;
    case 0x00c: v = 1; break; // the counter always runs
    case 0x010: v = st_.imsc; break;
    case 0x014: v = st_.ris; break;
    case 0x018: v = st_.ris & st_.imsc; break;
    default: break;
    }
    return MemResult::Ok;
}

MemResult Pl031::write(uint64_t off, unsigned size, uint64_t v) {
    if (size != 4) return MemResult::Ok;
    uint32_t x = static_cast<uint32_t>(v);
    switch (off) {
    case 0x004:
        st_.mr = x;
        poll();
        break;
    case 0x008:
        st_.lr = x;
        st_.offset = static_cast<int64_t>(x) - clock_();
        poll();
        break;
    case 0x010:
        st_.imsc = x & 1;
        update_irq();
        break;
    case 0x01c:
        st_.ris &= ~(x & 1);
        update_irq();
        break;
    default: break;
    }
    return MemResult::Ok;
}

} // namespace kestrel
