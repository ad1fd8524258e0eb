// The software TLB: direct-mapped per translation regime (mmu_idx), holding
// host addends for RAM pages so loads and stores skip translation on a hit.
//
// An entry only caches what the regime is allowed to do: a tag is set for
// read, write or execute only when the walk granted that access, so a hit is
// always a permitted access. Pages and blocks larger than 4 KiB are entered
// 4 KiB at a time; the TLB remembers the span of large mappings so a flush
// by address still removes every piece of a block.
#pragma once
#include <cstdint>

namespace kestrel {

enum class AccessType : uint8_t { Read, Write, Exec };

constexpr uint64_t kTlbPageSize = 4096;
constexpr uint64_t kTlbOffsetMask = kTlbPageSize - 1;
constexpr uint64_t kTlbPageMask = ~kTlbOffsetMask;
constexpr unsigned kTlbEntries = 1024;
// Translation regimes, each with its own permissions.
enum MmuIdx : unsigned {
    kMmuIdxEl0 = 0,    // EL1&0 regime, EL0 permissions (also LDTR/STTR at EL1)
    kMmuIdxEl1 = 1,    // EL1&0 regime, EL1 permissions
    kMmuIdxEl1Pan = 2, // EL1 with PSTATE.PAN set
    kMmuIdxEl2 = 3,    // reserved for the EL2 regime
};
constexpr unsigned kNumMmuIdx = 4;
// Never equal to an address masked for a lookup (its low bits are set).
constexpr uint64_t kTlbNoTag = ~0ull;
// VA bits a TLBI by address compares: [55:12] (the top byte may be a tag).
constexpr uint64_t kTlbiVaMask = 0x00fffffffffff000ull;

struct TlbEntry {
    uint64_t tag_read = kTlbNoTag; // virtual page when readable on the fast path
    uint64_t tag_write = kTlbNoTag;
    uint64_t tag_exec = kTlbNoTag;
    uint64_t addend = 0;  // host address = va + addend
    uint64_t pa_page = 0; // physical page
    uint64_t vpage = kTlbNoTag;
    bool global = true; // nG == 0: survives ASID switches
};

class Tlb {
  public:
    TlbEntry& entry(unsigned mmu_idx, uint64_t va) {
        return e_[mmu_idx][(va >> 12) & (kTlbEntries - 1)];
    }

    // Records the entry just filled for va: a non-global one for
    // flush_nonglobal, and that va belongs to a mapping of 2^block_shift
    // bytes, so that a flush by address anywhere in that mapping drops its
    // 4 KiB pieces.
    void note_block(unsigned mmu_idx, uint64_t va, unsigned block_shift) {
        used_ |= 1u << mmu_idx;
        if (!entry(mmu_idx, va).global) {
            if (nonglobal_count_ < kTrackedNonGlobal)
                nonglobal_[nonglobal_count_++] =
                    static_cast<uint16_t>(mmu_idx * kTlbEntries + ((va >> 12) & (kTlbEntries - 1)));
            else
                nonglobal_overflow_ = true;
        }
        if (block_shift <= 12) return;
        uint64_t mask = ~((1ull << block_shift) - 1) & kTlbiVaMask;
        uint64_t addr = va & mask;
        if (!has_large_[mmu_idx]) {
            has_large_[mmu_idx] = true;
            large_mask_[mmu_idx] = mask;
            large_addr_[mmu_idx] = addr;
            return;
        }
        // Widen the tracked span until it covers both mappings.
        mask &= large_mask_[mmu_idx];
        while (((large_addr_[mmu_idx] ^ addr) & mask) != 0)
            mask <<= 1;
        large_mask_[mmu_idx] = mask & kTlbiVaMask;
        large_addr_[mmu_idx] = addr & large_mask_[mmu_idx];
    }

    // Bumped by every flush: anything cached from an earlier translation
    // (the executor's jump cache) is stale once it changes.
    uint64_t generation() const { return generation_; }

    void flush() {
        generation_++;
        for (unsigned i = 0; i < kNumMmuIdx; i++)
            if (used_ & (1u << i)) flush_idx(i);
        used_ = 0;
        nonglobal_count_ = 0;
        nonglobal_overflow_ = false;
    }
    // Drops entries of the current ASID; global entries stay. Linux switches
    // ASIDs around every user access on cores without PAN, so only the
    // entries filled since the last such flush are visited (all of them
    // when there were too many to track).
    void flush_nonglobal() {
        generation_++;
        if (nonglobal_overflow_) {
            for (unsigned i = 0; i < kNumMmuIdx; i++) {
                if (!(used_ & (1u << i))) continue;
                for (auto& x : e_[i])
                    if (!x.global) x = TlbEntry{};
            }
        } else {
            // A slot refilled since with a global entry is left alone.
            for (unsigned n = 0; n < nonglobal_count_; n++) {
                TlbEntry& x = e_[nonglobal_[n] / kTlbEntries][nonglobal_[n] % kTlbEntries];
                if (!x.global) x = TlbEntry{};
            }
        }
        nonglobal_count_ = 0;
        nonglobal_overflow_ = false;
    }
    // Drops every entry translating va (bits 55:12), global or not.
    void flush_va(uint64_t va) {
        generation_++;
        for (unsigned i = 0; i < kNumMmuIdx; i++) {
            if (!(used_ & (1u << i))) continue;
            if (has_large_[i] && ((va ^ large_addr_[i]) & large_mask_[i]) == 0) {
                flush_idx(i);
                continue;
            }
            TlbEntry& x = entry(i, va);
            if (((x.vpage ^ va) & kTlbiVaMask) == 0) x = TlbEntry{};
        }
    }
    // Drops fast-path writes to a physical page (it now holds translated code).
    void protect_code_page(uint64_t pa_page) {
        for (unsigned i = 0; i < kNumMmuIdx; i++) {
            if (!(used_ & (1u << i))) continue;
            for (auto& x : e_[i])
                if (x.pa_page == pa_page) x.tag_write = kTlbNoTag;
        }
    }

  private:
    void flush_idx(unsigned i) {
        for (auto& x : e_[i])
            x = TlbEntry{};
        has_large_[i] = false;
    }
    TlbEntry e_[kNumMmuIdx][kTlbEntries];
    uint64_t large_addr_[kNumMmuIdx] = {};
    uint64_t large_mask_[kNumMmuIdx] = {}; // a zero mask covers everything
    bool has_large_[kNumMmuIdx] = {};
    unsigned used_ = ~0u; // regimes that may hold entries
    uint64_t generation_ = 0;
    // Slots (mmu_idx * kTlbEntries + index) filled with non-global entries
    // since the last flush_nonglobal/flush.
    static constexpr unsigned kTrackedNonGlobal = 128;
    static_assert(kNumMmuIdx * kTlbEntries <= 65536);
    uint16_t nonglobal_[kTrackedNonGlobal] = {};
    unsigned nonglobal_count_ = 0;
    bool nonglobal_overflow_ = false;
};

} // namespace kestrel
