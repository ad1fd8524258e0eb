#include "hw/pl011.hpp"

namespace kestrel {

MemResult Pl011::read(uint64_t offset, unsigned, uint64_t& value) {
    value = 0;
    if (offset == 0x18) value = 0x90; // FR: TXFE | RXFE
    return MemResult::Ok;
}

MemResult Pl011::write(uint64_t offset, unsigned, uint64_t value) {
    if (offset == 0 && out_) {
        std::fputc(static_cast<int>(value & 0xff), out_);
        std::fflush(out_);
    }
    return MemResult::Ok;
}

void Pl011::reset() {}

} // namespace kestrel
