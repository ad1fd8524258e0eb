// The physical address space: RAM regions with host pointers and MMIO devices.
#pragma once
#include "hw/device.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace kestrel {

struct BusRegion {
    uint64_t base = 0;
    uint64_t size = 0;
    uint8_t* host = nullptr; // non-null for RAM/ROM: the fast path
    Device* device = nullptr;
    bool read_only = false;
    std::string name;
    // RAM only: one byte per 4 KiB page, non-zero when the page holds
    // translated code (writes to it must invalidate translation blocks).
    std::vector<uint8_t>* code_pages = nullptr;
    bool contains(uint64_t pa) const { return pa - base < size; }
};

class BusError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Bus {
  public:
    Bus();
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    // Allocates zeroed host memory for a RAM region. Throws BusError on overlap.
    uint8_t* add_ram(uint64_t base, uint64_t size, const std::string& name, bool read_only = false);
    // The caller keeps ownership of the device. Throws BusError on overlap.
    void add_device(uint64_t base, uint64_t size, Device* device);

    // The region holding pa, or nullptr.
    const BusRegion* find(uint64_t pa) const;
    // Host pointer for [pa, pa+len) when it lies inside one RAM region.
    uint8_t* ram_ptr(uint64_t pa, uint64_t len) const;

    MemResult read(uint64_t pa, unsigned size, uint64_t& value);
    MemResult write(uint64_t pa, unsigned size, uint64_t value);

    // Copy to/from guest physical memory (RAM only); false when out of RAM.
    bool write_block(uint64_t pa, const void* src, uint64_t len);
    bool read_block(uint64_t pa, void* dst, uint64_t len) const;

    const std::vector<BusRegion>& regions() const { return regions_; }

    // Code page tracking: the translation cache marks pages it translated;
    // any write to such a page (CPU slow path, DMA, loader) calls
    // on_code_write, which invalidates the page's blocks and unmarks it.
    void mark_code_page(uint64_t pa);
    bool is_code_page(uint64_t pa) const;
    void clear_code_page(uint64_t pa);
    void notify_write(uint64_t pa, uint64_t len);
    std::function<void(uint64_t pa_page)> on_code_write;
    void reset_devices();

  private:
    void insert(BusRegion r);
    std::vector<BusRegion> regions_; // sorted by base, never overlapping
    mutable size_t last_hit_ = 0;
    std::vector<std::unique_ptr<std::vector<uint8_t>>> code_maps_;
};

} // namespace kestrel
