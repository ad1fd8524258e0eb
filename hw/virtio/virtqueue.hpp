// A split virtqueue (virtio 1.x) in guest memory. Every index, length and
// address the guest supplies is checked: a malformed ring makes pop() fail
// and the transport marks the device as needing a reset; nothing the guest
// writes can make the emulator touch memory outside guest RAM.
#pragma once
#include "hw/bus.hpp"

#include <cstdint>
#include <vector>

namespace kestrel {

struct VirtqSegment {
    uint8_t* host; // inside guest RAM
    uint64_t gpa;
    uint32_t len;
    bool device_writable;
};

struct VirtqElement {
    uint16_t head = 0;
    std::vector<VirtqSegment> segs;
    uint64_t in_bytes() const; // total device-writable length
    uint64_t out_bytes() const;
};

// Guest-visible configuration of one queue (saved with the transport).
struct VirtqConfig {
    uint16_t num = 0;
    uint16_t num_max = 256;
    bool ready = false;
    uint64_t desc = 0, avail = 0, used = 0;
    uint16_t last_avail = 0; // next avail entry to take
    uint16_t used_idx = 0;   // next used entry to fill
    bool operator==(const VirtqConfig&) const = default;
};

class VirtQueue {
  public:
    explicit VirtQueue(Bus& bus) : bus_(bus) {}
    VirtqConfig cfg;

    enum class PopResult { Empty, Ok, Malformed };
    // Takes the next available chain. Malformed: the guest broke the ring
    // rules (bad index, loop, buffer outside RAM, too long).
    PopResult pop(VirtqElement& out);
    // Returns a chain to the guest, with written bytes in its device-writable part.
    bool push(const VirtqElement& e, uint32_t written);
    // Whether the guest asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT).
    bool interrupts_suppressed();
    void reset() {
        uint16_t max = cfg.num_max;
        cfg = VirtqConfig{};
        cfg.num_max = max;
    }

    // Copies between a chain's segments and a flat buffer.
    static size_t copy_out(const VirtqElement& e, void* dst, size_t len, size_t skip = 0);
    static size_t copy_in(const VirtqElement& e, const void* src, size_t len, size_t skip = 0);

  private:
    uint8_t* ram(uint64_t gpa, uint64_t len);
    Bus& bus_;
};

} // namespace kestrel
