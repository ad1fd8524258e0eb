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

struct TranslationBlock {
    uint64_t pa = 0;           // physical address of the first instruction
    bool valid = true;         // cleared when its page is written
    bool last_sets_pc = false; // the final op is a branch or ends the block itself
    std::vector<DecodedOp> ops;
};

// Blocks never cross a 4 KiB page, so a block's meaning depends only on
// its physical address: handlers read PC and EL at run time.
constexpr unsigned kMaxBlockInsns = 128;

} // namespace kestrel
