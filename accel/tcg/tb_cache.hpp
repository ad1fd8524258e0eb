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
    // extended_blocks: blocks go on past conditional branches (B.cond,
    // CB(N)Z, TB(N)Z), recording them as exits; whoever runs the blocks
    // must then honour TranslationBlock::exits (the executor does).
    TbCache(Bus& bus, uint64_t feature_mask, bool extended_blocks = false);
    ~TbCache();
    // Tracks these cores so their TLBs stop fast-path writes to code pages.
    void attach(Cpu* cpu);

    // The block at the core's current PC, translated if needed. Throws
    // GuestException when the PC cannot be fetched.
    TranslationBlock* get(Cpu& cpu);
    // The same, when the core has just run `from` to its end: follows the
    // link `from` recorded for this PC, else looks the block up and records
    // the link. `from` must not have been freed since it ran (no collect()
    // in between).
    TranslationBlock* next(Cpu& cpu, TranslationBlock& from) {
        const uint64_t pc = cpu.s.pc;
        for (BlockLink& l : from.links) {
            if (l.va != pc || l.epoch != epoch_ || !l.tb->valid) continue;
            if (l.tlb_generation == cpu.tlb.generation() && l.core_regime == core_regime(cpu))
                return l.tb;
            if (cpu.code_page_cached(pc, l.tb->pa & kTlbPageMask)) {
                l.tlb_generation = cpu.tlb.generation();
                l.core_regime = core_regime(cpu);
                return l.tb;
            }
        }
        return link(cpu, from);
    }

    void invalidate_page(uint64_t pa_page);
    void flush();
    // Frees invalidated blocks; call only between blocks. Returns true when
    // it freed them: block pointers held across the call are then invalid.
    bool collect() {
        if (retired_.size() < kCollectThreshold) [[likely]]
            return false;
        collect_retired();
        return true;
    }

    uint64_t translations() const { return translations_; }
    // How the executor found its blocks when no link led there, for
    // benchmarks.
    struct Stats {
        uint64_t lookups = 0;     // get() calls
        uint64_t jump_hits = 0;   // found in the per-core jump cache
        uint64_t fast_hits = 0;   // found in the physical-address table
        uint64_t map_hits = 0;    // found in the block map
        uint64_t collections = 0; // retired blocks freed
    };
    const Stats& stats() const { return stats_; }

  private:
    TranslationBlock* translate(const uint8_t* page, uint64_t pa, uint64_t va);
    TranslationBlock* lookup_slow(Cpu& cpu, uint64_t pc);
    // Identifies a core's TLB regime: a link's TLB check is remembered for one.
    static unsigned core_regime(const Cpu& cpu) { return cpu.index * kNumMmuIdx + cpu.mmu_idx(); }
    // True when a fetch at pc (where tb was found before) would find tb
    // again: tb is valid and the TLB still translates pc's page to tb's for
    // execution in the current regime, which is all lookup_slow checks.
    // Blocks depend only on their physical address, so neither a TLB
    // flush elsewhere nor a change of regime mapping the page the same way
    // makes a cached block stale.
    static bool still_fetched(Cpu& cpu, uint64_t pc, const TranslationBlock& tb) {
        return tb.valid && cpu.code_page_cached(pc, tb.pa & kTlbPageMask);
    }
    TranslationBlock* link(Cpu& cpu, TranslationBlock& from);
    void collect_retired();

    // Per core, the block last found for a virtual PC; a hit (checked with
    // still_fetched) skips the physical-address lookup.
    struct JumpEntry {
        uint64_t va = ~0ull;
        TranslationBlock* tb = nullptr;
    };
    // Kernel code spans megabytes: the index folds in the PC bits above the
    // table's span so that code a multiple of the span apart does not alias.
    static constexpr unsigned kJumpBits = 12;
    static constexpr unsigned kJumpEntries = 1u << kJumpBits;
    static unsigned jump_index(uint64_t pc) {
        return static_cast<unsigned>((pc >> 2) ^ (pc >> (2 + kJumpBits))) & (kJumpEntries - 1);
    }
    static constexpr size_t kCollectThreshold = 256;
    // kJumpEntries per core, core n's at n * kJumpEntries.
    std::vector<JumpEntry> jump_;
    unsigned jump_cores_ = 0;
    // Bumped whenever retired blocks are freed: links recorded before then
    // may point to freed blocks and are never followed.
    uint64_t epoch_ = 0;
    Stats stats_;

    Bus& bus_;
    uint64_t features_;
    bool extended_;
    std::vector<Cpu*> cpus_;
    std::unordered_map<uint64_t, std::unique_ptr<TranslationBlock>> blocks_;
    std::unordered_map<uint64_t, std::vector<uint64_t>> by_page_;
    std::vector<std::unique_ptr<TranslationBlock>> retired_;
    static constexpr unsigned kFastEntries = 1 << 14;
    std::vector<TranslationBlock*> fast_;
    uint64_t translations_ = 0;
};

} // namespace kestrel
