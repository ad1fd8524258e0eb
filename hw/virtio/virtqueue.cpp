#include "hw/virtio/virtqueue.hpp"

#include <algorithm>
#include <cstring>

namespace kestrel {

namespace {
constexpr uint16_t kDescFNext = 1;
constexpr uint16_t kDescFWrite = 2;
constexpr uint16_t kDescFIndirect = 4;
constexpr uint64_t kMaxChainBytes = 64ull << 20;

struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
} // namespace

uint64_t VirtqElement::in_bytes() const {
    uint64_t n = 0;
    for (const auto& s : segs)
        if (s.device_writable) n += s.len;
    return n;
}

uint64_t VirtqElement::out_bytes() const {
    uint64_t n = 0;
    for (const auto& s : segs)
        if (!s.device_writable) n += s.len;
    return n;
}

uint8_t* VirtQueue::ram(uint64_t gpa, uint64_t len) {
    return bus_.ram_ptr(gpa, len == 0 ? 1 : len);
}

VirtQueue::PopResult VirtQueue::pop(VirtqElement& out) {
    if (!cfg.ready || cfg.num == 0) return PopResult::Empty;
    uint8_t* avail = ram(cfg.avail, 4 + 2ull * cfg.num);
    uint8_t* desc_tab = ram(cfg.desc, 16ull * cfg.num);
    if (!avail || !desc_tab) return PopResult::Malformed;
    uint16_t avail_idx;
    std::memcpy(&avail_idx, avail + 2, 2);
    if (avail_idx == cfg.last_avail) return PopResult::Empty;
    if (static_cast<uint16_t>(avail_idx - cfg.last_avail) > cfg.num) return PopResult::Malformed;
    uint16_t head;
    std::memcpy(&head, avail + 4 + 2ull * (cfg.last_avail % cfg.num), 2);
    if (head >= cfg.num) return PopResult::Malformed;
    out.head = head;
    out.segs.clear();
    uint16_t i = head;
    uint64_t total = 0;
    for (unsigned steps = 0;; steps++) {
        if (steps >= cfg.num) return PopResult::Malformed; // a loop
        Desc d;
        std::memcpy(&d, desc_tab + 16ull * i, 16);
        if (d.flags & kDescFIndirect) return PopResult::Malformed; // not offered
        bool writable = d.flags & kDescFWrite;
        if (!writable && !out.segs.empty() && out.segs.back().device_writable)
            return PopResult::Malformed; // readable after writable
        total += d.len;
        if (total > kMaxChainBytes) return PopResult::Malformed;
        uint8_t* host = ram(d.addr, d.len);
        if (!host) return PopResult::Malformed;
        out.segs.push_back({host, d.addr, d.len, writable});
        if (!(d.flags & kDescFNext)) break;
        if (d.next >= cfg.num) return PopResult::Malformed;
        i = d.next;
    }
    cfg.last_avail++;
    return PopResult::Ok;
}

bool VirtQueue::push(const VirtqElement& e, uint32_t written) {
    uint8_t* used = ram(cfg.used, 4 + 8ull * cfg.num);
    if (!used || cfg.num == 0) return false;
    uint32_t id = e.head;
    uint8_t* slot = used + 4 + 8ull * (cfg.used_idx % cfg.num);
    std::memcpy(slot, &id, 4);
    std::memcpy(slot + 4, &written, 4);
    cfg.used_idx++;
    std::memcpy(used + 2, &cfg.used_idx, 2);
    // Device writes into guest RAM may land on pages holding translated code.
    for (const auto& s : e.segs)
        if (s.device_writable) bus_.notify_write(s.gpa, s.len);
    bus_.notify_write(cfg.used, 4 + 8ull * cfg.num);
    return true;
}

bool VirtQueue::interrupts_suppressed() {
    uint8_t* avail = ram(cfg.avail, 2);
    if (!avail) return false;
    uint16_t flags;
    std::memcpy(&flags, avail, 2);
    return flags & 1;
}

size_t VirtQueue::copy_out(const VirtqElement& e, void* dst, size_t len, size_t skip) {
    auto* d = static_cast<uint8_t*>(dst);
    size_t done = 0;
    for (const auto& s : e.segs) {
        if (s.device_writable || done == len) break;
        if (skip >= s.len) {
            skip -= s.len;
            continue;
        }
        size_t n = std::min<size_t>(s.len - skip, len - done);
        std::memcpy(d + done, s.host + skip, n);
        done += n;
        skip = 0;
    }
    return done;
}

size_t VirtQueue::copy_in(const VirtqElement& e, const void* src, size_t len, size_t skip) {
    const auto* p = static_cast<const uint8_t*>(src);
    size_t done = 0;
    for (const auto& s : e.segs) {
        if (!s.device_writable) continue;
        if (done == len) break;
        if (skip >= s.len) {
            skip -= s.len;
            continue;
        }
        size_t n = std::min<size_t>(s.len - skip, len - done);
        std::memcpy(s.host + skip, p + done, n);
        done += n;
        skip = 0;
    }
    return done;
}

} // namespace kestrel
