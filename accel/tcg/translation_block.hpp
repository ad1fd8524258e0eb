// A translation block: guest instructions decoded once, run many times.
#pragma once
#include "cpu/decoder.hpp"

#include <cstdint>
#include <vector>

namespace kestrel {

struct DecodedOp {
    ExecFn fn;
    uint32_t insn;
};

struct TranslationBlock;

// A successor the core went to after this block, at virtual address va. It
// lets the executor go from block to block without a cache lookup, and is
// followed only while the cache has freed no block since it was recorded
// (epoch), the target is valid and the TLB still maps va's page to the
// target's physical page for execution (see TbCache::next).
struct BlockLink {
    uint64_t va = ~0ull;
    uint64_t epoch = ~0ull; // never the cache's: an unset link never matches, whatever the PC
    TranslationBlock* tb = nullptr;
    // The core, regime and TLB generation the TLB check last passed under:
    // while they are unchanged that TLB has not been flushed, so the check
    // still holds. Generations are per core, hence the core in the key.
    uint64_t tlb_generation = 0;
    unsigned core_regime = ~0u;
};

// Conditional branches a block may run past (see TbCache's extended blocks).
constexpr unsigned kMaxBlockExits = 6;

struct TranslationBlock {
    uint64_t pa = 0;           // physical address of the first instruction
    bool valid = true;         // cleared when its page is written
    bool last_sets_pc = false; // the final op is a branch or ends the block itself
    uint8_t next_link = 0;     // the link slot the next new successor replaces
    // Extended blocks only: indices of conditional branches before the last
    // op. After each the block goes on only when the branch was not taken
    // (the PC is the next op's); a plain block has none and runs all ops.
    uint8_t num_exits = 0;
    uint8_t exits[kMaxBlockExits] = {};
    // Two successors: the taken and fall-through sides of a conditional branch.
    BlockLink links[2];
    std::vector<DecodedOp> ops;
};

// Blocks never cross a 4 KiB page, so a block's meaning depends only on
// its physical address: handlers read PC and EL at run time.
constexpr unsigned kMaxBlockInsns = 128;

} // namespace kestrel
