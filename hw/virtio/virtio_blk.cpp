#include "hw/virtio/virtio_blk.hpp"

#include <algorithm>
#include <cstring>

namespace kestrel {

namespace {
constexpr uint64_t kFSegMax = 1ull << 2, kFRo = 1ull << 5, kFBlkSize = 1ull << 6,
                   kFFlush = 1ull << 9;
constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8;
constexpr uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupported = 2;
constexpr uint64_t kSector = 512;

struct ReqHeader {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
} // namespace

uint64_t VirtioBlk::features() const {
    return kVirtioFVersion1 | kFSegMax | kFBlkSize | kFFlush | (be_->read_only() ? kFRo : 0);
}

uint64_t VirtioBlk::config_read(uint64_t offset, unsigned size) {
    uint8_t cfg[24] = {};
    uint64_t capacity = be_->size() / kSector;
    uint32_t seg_max = kSegMax, blk_size = kSector;
    std::memcpy(cfg + 0, &capacity, 8);
    std::memcpy(cfg + 12, &seg_max, 4);
    std::memcpy(cfg + 20, &blk_size, 4);
    return read_config_bytes(cfg, sizeof cfg, offset, size);
}

uint8_t VirtioBlk::handle(const VirtqElement& e, uint32_t& data_written) {
    data_written = 0;
    ReqHeader h;
    if (VirtQueue::copy_out(e, &h, sizeof h) != sizeof h) return kStatusIoErr;
    uint64_t out_data = e.out_bytes() - sizeof h;
    uint64_t in_data = e.in_bytes() - 1; // the last writable byte is the status
    uint64_t capacity = be_->size() / kSector;
    switch (h.type) {
    case kTypeIn: {
        if (in_data % kSector || h.sector > capacity || in_data / kSector > capacity - h.sector)
            return kStatusIoErr;
        bounce_.resize(in_data);
        if (!be_->read(h.sector * kSector, bounce_.data(), in_data)) return kStatusIoErr;
        VirtQueue::copy_in(e, bounce_.data(), in_data);
        data_written = static_cast<uint32_t>(in_data);
        return kStatusOk;
    }
    case kTypeOut: {
        if (be_->read_only()) return kStatusIoErr;
        if (out_data % kSector || h.sector > capacity || out_data / kSector > capacity - h.sector)
            return kStatusIoErr;
        bounce_.resize(out_data);
        VirtQueue::copy_out(e, bounce_.data(), out_data, sizeof h);
        return be_->write(h.sector * kSector, bounce_.data(), out_data) ? kStatusOk : kStatusIoErr;
    }
    case kTypeFlush: return be_->flush() ? kStatusOk : kStatusIoErr;
    case kTypeGetId: {
        char id[20] = "kestrel-disk";
        size_t n = std::min<uint64_t>(in_data, sizeof id);
        VirtQueue::copy_in(e, id, n);
        data_written = static_cast<uint32_t>(n);
        return kStatusOk;
    }
    default: return kStatusUnsupported;
    }
}

bool VirtioBlk::process(unsigned, VirtQueue& vq) {
    for (;;) {
        VirtqElement e;
        auto r = vq.pop(e);
        if (r == VirtQueue::PopResult::Empty) return true;
        if (r == VirtQueue::PopResult::Malformed) return false;
        if (e.in_bytes() < 1 || e.out_bytes() < sizeof(ReqHeader)) return false;
        uint32_t written;
        uint8_t status = handle(e, written);
        VirtQueue::copy_in(e, &status, 1, e.in_bytes() - 1);
        vq.push(e, written + 1);
    }
}

} // namespace kestrel
