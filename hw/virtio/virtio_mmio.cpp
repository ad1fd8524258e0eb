#include "hw/virtio/virtio_mmio.hpp"

#include <algorithm>
#include <cstring>

namespace kestrel {

uint64_t read_config_bytes(const void* blob, size_t blob_len, uint64_t offset, unsigned size) {
    uint64_t v = 0;
    if (offset >= blob_len || size > 8) return 0;
    size_t n = std::min<size_t>(size, blob_len - offset);
    std::memcpy(&v, static_cast<const uint8_t*>(blob) + offset, n);
    return v;
}

VirtioMmio::VirtioMmio(Bus& bus, std::unique_ptr<VirtioDevice> dev, std::function<void(bool)> irq)
    : bus_(bus), dev_(std::move(dev)), irq_(std::move(irq)) {
    for (unsigned i = 0; i < dev_->num_queues(); i++)
        queues_.emplace_back(bus_);
    st_.queues.resize(queues_.size());
}

void VirtioMmio::reset() {
    dev_->reset();
    for (auto& q : queues_)
        q.reset();
    uint32_t gen = st_.config_generation;
    st_ = VirtioMmioState{};
    st_.config_generation = gen;
    st_.queues.resize(queues_.size());
    update_irq();
}

void VirtioMmio::update_irq() {
    if (irq_) irq_(st_.interrupt_status != 0);
}

void VirtioMmio::sync_to_state() {
    for (size_t i = 0; i < queues_.size(); i++)
        st_.queues[i] = queues_[i].cfg;
}

void VirtioMmio::sync_from_state() {
    st_.queues.resize(queues_.size());
    for (size_t i = 0; i < queues_.size(); i++)
        queues_[i].cfg = st_.queues[i];
    update_irq();
}

MemResult VirtioMmio::read(uint64_t off, unsigned size, uint64_t& v) {
    v = 0;
    if (off >= 0x100) {
        v = dev_->config_read(off - 0x100, size);
        return MemResult::Ok;
    }
    if (size != 4) return MemResult::Ok; // registers are 32-bit only
    VirtQueue* q = st_.queue_sel < queues_.size() ? &queues_[st_.queue_sel] : nullptr;
    switch (off) {
    case 0x000: v = kMagic; break;
    case 0x004: v = 2; break;
    case 0x008: v = dev_->device_id(); break;
    case 0x00c: v = kVendor; break;
    case 0x010:
        v = st_.device_features_sel < 2
                ? (dev_->features() >> (32 * st_.device_features_sel)) & 0xffffffff
                : 0;
        break;
    case 0x034: v = q ? q->cfg.num_max : 0; break;
    case 0x038: v = q ? q->cfg.num : 0; break;
    case 0x044: v = q ? q->cfg.ready : 0; break;
    case 0x060: v = st_.interrupt_status; break;
    case 0x070: v = st_.status; break;
    case 0x080: v = q ? q->cfg.desc & 0xffffffff : 0; break;
    case 0x084: v = q ? q->cfg.desc >> 32 : 0; break;
    case 0x090: v = q ? q->cfg.avail & 0xffffffff : 0; break;
    case 0x094: v = q ? q->cfg.avail >> 32 : 0; break;
    case 0x0a0: v = q ? q->cfg.used & 0xffffffff : 0; break;
    case 0x0a4: v = q ? q->cfg.used >> 32 : 0; break;
    case 0x0fc: v = st_.config_generation; break;
    default: break;
    }
    return MemResult::Ok;
}

MemResult VirtioMmio::write(uint64_t off, unsigned size, uint64_t v) {
    if (off >= 0x100) {
        dev_->config_write(off - 0x100, size, v);
        return MemResult::Ok;
    }
    if (size != 4) return MemResult::Ok;
    uint32_t x = static_cast<uint32_t>(v);
    VirtQueue* q = st_.queue_sel < queues_.size() ? &queues_[st_.queue_sel] : nullptr;
    // Queue layout may change only while the queue is not ready.
    auto set_addr = [&](uint64_t VirtqConfig::*field, bool high) {
        if (!q || q->cfg.ready) return;
        uint64_t& a = q->cfg.*field;
        a = high ? ((a & 0xffffffffull) | (static_cast<uint64_t>(x) << 32))
                 : ((a & ~0xffffffffull) | x);
    };
    switch (off) {
    case 0x014: st_.device_features_sel = x; break;
    case 0x020:
        if (st_.driver_features_sel < 2) {
            unsigned sh = 32 * st_.driver_features_sel;
            st_.driver_features =
                (st_.driver_features & ~(0xffffffffull << sh)) | (static_cast<uint64_t>(x) << sh);
            st_.driver_features &= dev_->features();
        }
        break;
    case 0x024: st_.driver_features_sel = x; break;
    case 0x030: st_.queue_sel = x; break;
    case 0x038:
        if (q && !q->cfg.ready && x <= q->cfg.num_max && (x & (x - 1)) == 0)
            q->cfg.num = static_cast<uint16_t>(x);
        break;
    case 0x044:
        if (q) {
            q->cfg.ready = x & 1;
            if (!q->cfg.ready) {
                q->cfg.last_avail = 0;
                q->cfg.used_idx = 0;
            }
        }
        break;
    case 0x050:
        if (x < queues_.size()) notify(x);
        break;
    case 0x064:
        st_.interrupt_status &= ~x;
        update_irq();
        break;
    case 0x070:
        if (x == 0) {
            reset();
        } else {
            st_.status = x;
        }
        break;
    case 0x080: set_addr(&VirtqConfig::desc, false); break;
    case 0x084: set_addr(&VirtqConfig::desc, true); break;
    case 0x090: set_addr(&VirtqConfig::avail, false); break;
    case 0x094: set_addr(&VirtqConfig::avail, true); break;
    case 0x0a0: set_addr(&VirtqConfig::used, false); break;
    case 0x0a4: set_addr(&VirtqConfig::used, true); break;
    default: break;
    }
    return MemResult::Ok;
}

void VirtioMmio::notify(unsigned qi) {
    constexpr uint32_t kDriverOk = 4;
    if (!(st_.status & kDriverOk) || (st_.status & kStatusNeedsReset)) return;
    VirtQueue& q = queues_[qi];
    uint16_t before = q.cfg.used_idx;
    if (!dev_->process(qi, q)) {
        st_.status |= kStatusNeedsReset;
        st_.interrupt_status |= 2; // configuration change tells the driver
        update_irq();
        return;
    }
    if (q.cfg.used_idx != before && !q.interrupts_suppressed()) {
        st_.interrupt_status |= 1;
        update_irq();
    }
}

} // namespace kestrel
