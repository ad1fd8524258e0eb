// The translation-block cache, keyed by guest physical address and
// invalidated page by page when guest code is written.
#pragma once
#include "accel/tcg/translation_block.hpp"
#include "cpu/cpu.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace kestrel {

class TbCache {
  public:
    TbCache(Bus& bus, uint64_t feature_mask);
    ~TbCache();
    // Tracks these cores so their TLBs stop fast-path writes to code pages.
    void attach(Cpu* cpu);

    // The block at the core's current PC, translated if needed. Throws
    // GuestException when the PC cannot be fetched.
    TranslationBlock* get(Cpu& cpu);

    void invalidate_page(uint64_t pa_page);
    void flush();
    // Frees invalidated blocks; call only between blocks.
    void collect() {
        if (retired_.size() >= kCollectThreshold) collect_retired();
    }

    uint64_t translations() const { return translations_; }

  private:
    TranslationBlock* translate(const uint8_t* page, uint64_t pa, uint64_t va);
    TranslationBlock* lookup_slow(Cpu& cpu, uint64_t pc);
    void collect_retired();

    // Per core, the block last found for a virtual PC, valid while the
    // core's TLB generation and translation regime are unchanged: a hit
    // skips the TLB and the physical-address lookup.
    struct JumpEntry {
        uint64_t va = ~0ull;
        uint64_t tlb_generation = 0;
        TranslationBlock* tb = nullptr;
        unsigned mmu_idx = 0;
    };
    static constexpr unsigned kJumpEntries = 1 << 12;
    static constexpr size_t kCollectThreshold = 256;
    std::vector<std::vector<JumpEntry>> jump_; // indexed by Cpu::index

    Bus& bus_;
    uint64_t features_;
    std::vector<Cpu*> cpus_;
    std::unordered_map<uint64_t, std::unique_ptr<TranslationBlock>> blocks_;
    std::unordered_map<uint64_t, std::vector<uint64_t>> by_page_;
    std::vector<std::unique_ptr<TranslationBlock>> retired_;
    static constexpr unsigned kFastEntries = 1 << 14;
    std::vector<TranslationBlock*> fast_;
    uint64_t translations_ = 0;
};

} // namespace kestrel
