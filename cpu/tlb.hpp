// The software TLB: direct-mapped per translation regime, holding host
// addends for RAM pages so loads and stores skip translation on a hit.
#pragma once
#include <cstdint>

namespace kestrel {

enum class AccessType : uint8_t { Read, Write, Exec };

constexpr uint64_t kTlbPageSize = 4096;
constexpr uint64_t kTlbOffsetMask = kTlbPageSize - 1;
constexpr uint64_t kTlbPageMask = ~kTlbOffsetMask;
constexpr unsigned kTlbEntries = 1024;
// Regimes: EL0, EL1, EL1 with PAN, EL2, and MMU-off variants.
constexpr unsigned kNumMmuIdx = 6;

struct TlbEntry {
    uint64_t tag_read = ~0ull; // virtual page, or ~0 when not readable on the fast path
    uint64_t tag_write = ~0ull;
    uint64_t tag_exec = ~0ull;
    uint64_t addend = 0;  // host address = va + addend
    uint64_t pa_page = 0; // physical page
};

class Tlb {
public:
    TlbEntry& entry(unsigned mmu_idx, uint64_t va) {
        return e_[mmu_idx][(va >> 12) & (kTlbEntries - 1)];
    }
    void flush() {
        for (auto& t : e_)
            for (auto& x : t) x = TlbEntry{};
    }
    void flush_va(uint64_t va) {
        for (auto& t : e_) {
            TlbEntry& x = t[(va >> 12) & (kTlbEntries - 1)];
            if ((x.tag_read & kTlbPageMask) == (va & kTlbPageMask) ||
                (x.tag_write & kTlbPageMask) == (va & kTlbPageMask) ||
                (x.tag_exec & kTlbPageMask) == (va & kTlbPageMask))
                x = TlbEntry{};
        }
    }
    // Drops fast-path writes to a physical page (it now holds translated code).
    void protect_code_page(uint64_t pa_page) {
        for (auto& t : e_)
            for (auto& x : t)
                if (x.pa_page == pa_page) x.tag_write = ~0ull;
    }

private:
    TlbEntry e_[kNumMmuIdx][kTlbEntries];
};

} // namespace kestrel
