// PL031 real-time clock: a seconds counter that follows host wall-clock time.
#pragma once
#include "hw/device.hpp"

#include <cstdint>
#include <functional>

namespace kestrel {

// Guest-visible state (saved by savevm). The counter is kept as an offset
// from host time so it keeps running while saved.
struct Pl031State {
    int64_t offset = 0; // DR = host seconds + offset
    uint32_t mr = 0;
    uint32_t lr = 0;
    uint32_t imsc = 0;
    uint32_t ris = 0;
    bool operator==(const Pl031State&) const = default;
};

class Pl031 : public Device {
  public:
    using Clock = std::function<int64_t()>; // host seconds since the epoch
    Pl031(std::function<void(bool)> irq, Clock clock = {});
    const char* name() const override { return "pl031"; }
    MemResult read(uint64_t offset, unsigned size, uint64_t& value) override;
    MemResult write(uint64_t offset, unsigned size, uint64_t value) override;
    void reset() override;
    // Checks the match register; returns seconds until the next match (or -1).
    int64_t poll();
    Pl031State& state() { return st_; }
    void update_irq();

  private:
    uint32_t now() const;
    std::function<void(bool)> irq_;
    Clock clock_;
    Pl031State st_;
};

} // namespace kestrel
