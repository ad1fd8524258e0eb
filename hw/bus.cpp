#include "hw/bus.hpp"

#include <algorithm>
#include <cstring>
#include <sys/mman.h>

namespace kestrel {

Bus::Bus() = default;

Bus::~Bus() {
    for (auto& r : regions_)
        if (r.host && !r.device) munmap(r.host, r.size);
}

void Bus::insert(BusRegion r) {
    if (r.size == 0) throw BusError("region '" + r.name + "' has zero size");
    if (r.base + r.size < r.base) throw BusError("region '" + r.name + "' wraps the address space");
    for (const auto& o : regions_) {
        if (r.base < o.base + o.size && o.base < r.base + r.size)
            throw BusError("region '" + r.name + "' overlaps '" + o.name + "'");
    }
    auto it = std::lower_bound(regions_.begin(), regions_.end(), r.base,
                               [](const BusRegion& a, uint64_t b) { return a.base < b; });
    regions_.insert(it, std::move(r));
    last_hit_ = 0;
}

uint8_t* Bus::add_ram(uint64_t base, uint64_t size, const std::string& name, bool read_only) {
    // mmap gives zeroed pages that the host only backs once touched.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw BusError("cannot allocate " + std::to_string(size) + " bytes for " + name);
    BusRegion r;
    r.base = base;
    r.size = size;
    r.host = static_cast<uint8_t*>(p);
    r.read_only = read_only;
    r.name = name;
    code_maps_.push_back(std::make_unique<std::vector<uint8_t>>((size + 4095) / 4096, 0));
    r.code_pages = code_maps_.back().get();
    try {
        insert(r);
    } catch (...) {
        munmap(p, size);
        throw;
    }
    return static_cast<uint8_t*>(p);
}

void Bus::add_device(uint64_t base, uint64_t size, Device* device) {
    BusRegion r;
    r.base = base;
    r.size = size;
    r.device = device;
    r.name = device->name();
    insert(std::move(r));
}

const BusRegion* Bus::find(uint64_t pa) const {
    if (last_hit_ < regions_.size() && regions_[last_hit_].contains(pa))
        return &regions_[last_hit_];
    auto it = std::upper_bound(regions_.begin(), regions_.end(), pa,
                               [](uint64_t a, const BusRegion& b) { return a < b.base; });
    if (it == regions_.begin()) return nullptr;
    --it;
    if (!it->contains(pa)) return nullptr;
    last_hit_ = static_cast<size_t>(it - regions_.begin());
    return &*it;
}

uint8_t* Bus::ram_ptr(uint64_t pa, uint64_t len) const {
    const BusRegion* r = find(pa);
    if (!r || !r->host) return nullptr;
    if (len > r->size - (pa - r->base)) return nullptr;
    return r->host + (pa - r->base);
}

MemResult Bus::read(uint64_t pa, unsigned size, uint64_t& value) {
    const BusRegion* r = find(pa);
    value = 0;
    if (!r || size > r->size - (pa - r->base)) return MemResult::Unmapped;
    if (r->host) {
        std::memcpy(&value, r->host + (pa - r->base), size);
        return MemResult::Ok;
    }
    return r->device->read(pa - r->base, size, value);
}

MemResult Bus::write(uint64_t pa, unsigned size, uint64_t value) {
    const BusRegion* r = find(pa);
    if (!r || size > r->size - (pa - r->base)) return MemResult::Unmapped;
    if (r->host) {
        if (r->read_only) return MemResult::Ok; // writes to ROM are ignored
        std::memcpy(r->host + (pa - r->base), &value, size);
        notify_write(pa, size);
        return MemResult::Ok;
    }
    return r->device->write(pa - r->base, size, value);
}

bool Bus::write_block(uint64_t pa, const void* src, uint64_t len) {
    uint8_t* p = ram_ptr(pa, len);
    if (!p) return false;
    std::memcpy(p, src, len);
    notify_write(pa, len);
    return true;
}

bool Bus::read_block(uint64_t pa, void* dst, uint64_t len) const {
    uint8_t* p = ram_ptr(pa, len);
    if (!p) return false;
    std::memcpy(dst, p, len);
    return true;
}

void Bus::mark_code_page(uint64_t pa) {
    const BusRegion* r = find(pa);
    if (r && r->code_pages) (*r->code_pages)[(pa - r->base) >> 12] = 1;
}

bool Bus::is_code_page(uint64_t pa) const {
    const BusRegion* r = find(pa);
    return r && r->code_pages && (*r->code_pages)[(pa - r->base) >> 12];
}

void Bus::clear_code_page(uint64_t pa) {
    const BusRegion* r = find(pa);
    if (r && r->code_pages) (*r->code_pages)[(pa - r->base) >> 12] = 0;
}

void Bus::notify_write(uint64_t pa, uint64_t len) {
    if (len == 0) return;
    for (uint64_t page = pa & ~4095ull; page < pa + len; page += 4096) {
        if (is_code_page(page)) {
            clear_code_page(page);
            if (on_code_write) on_code_write(page);
        }
    }
}

void Bus::reset_devices() {
    for (auto& r : regions_)
        if (r.device) r.device->reset();
}

} // namespace kestrel
