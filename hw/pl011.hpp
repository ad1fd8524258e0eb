// PL011 UART (ARM PrimeCell UART, r1p5 register layout).
#pragma once
#include "hw/device.hpp"

#include <cstdio>
#include <deque>
#include <functional>

namespace kestrel {

class Pl011 : public Device {
public:
    // Output goes to out (nullptr: discarded).
    explicit Pl011(std::FILE* out) : out_(out) {}
    const char* name() const override { return "pl011"; }
    MemResult read(uint64_t offset, unsigned size, uint64_t& value) override;
    MemResult write(uint64_t offset, unsigned size, uint64_t value) override;
    void reset() override;

private:
    std::FILE* out_;
};

} // namespace kestrel
