#include "accel/tcg/tb_cache.hpp"

#include "cpu/log.hpp"

#include <cstring>

namespace kestrel {

namespace {

void undefined_insn(Cpu& c, uint32_t) {
    c.undefined();
}

// B.cond, CBZ/CBNZ and TBZ/TBNZ: they only set the PC, to the target or
// to the next instruction (Arm ARM A64 "Branches, exception generating and
// system instructions" encodings).
bool is_conditional_branch(uint32_t insn) {
    return (insn & 0xff000010u) == 0x54000000u || (insn & 0x7e000000u) == 0x34000000u ||
           (insn & 0x7e000000u) == 0x36000000u;
}

unsigned fast_index(uint64_t pa) {
    return static_cast<unsigned>((pa >> 2) ^ (pa >> 16));
}

} // namespace

TbCache::TbCache(Bus& bus, uint64_t feature_mask, bool extended_blocks)
    : bus_(bus), features_(feature_mask), extended_(extended_blocks), fast_(kFastEntries, nullptr) {
    bus_.on_code_write = [this](uint64_t pa_page) { invalidate_page(pa_page); };
}

TbCache::~TbCache() {
    bus_.on_code_write = nullptr;
}

void TbCache::attach(Cpu* cpu) {
    cpus_.push_back(cpu);
    if (jump_cores_ <= cpu->index) {
        jump_cores_ = cpu->index + 1;
        jump_.resize(size_t{jump_cores_} * kJumpEntries);
    }
}

TranslationBlock* TbCache::get(Cpu& cpu) {
    const uint64_t pc = cpu.s.pc;
    stats_.lookups++;
    if (cpu.index < jump_cores_) [[likely]] {
        JumpEntry& j = jump_[size_t{cpu.index} * kJumpEntries + jump_index(pc)];
        // An empty entry (va ~0) may match an odd PC: check tb first.
        if (j.va == pc && j.tb && still_fetched(cpu, pc, *j.tb)) {
            stats_.jump_hits++;
            return j.tb;
        }
        TranslationBlock* tb = lookup_slow(cpu, pc);
        j = JumpEntry{pc, tb};
        return tb;
    }
    return lookup_slow(cpu, pc);
}

TranslationBlock* TbCache::link(Cpu& cpu, TranslationBlock& from) {
    TranslationBlock* tb = get(cpu);
    // Conditional branches have two successors; a third (indirect branches)
    // replaces the older one.
    from.links[from.next_link] =
        BlockLink{cpu.s.pc, epoch_, tb, cpu.tlb.generation(), core_regime(cpu)};
    from.next_link ^= 1;
    return tb;
}

TranslationBlock* TbCache::lookup_slow(Cpu& cpu, uint64_t pc) {
    if (pc & 3) {
        GuestException e;
        e.ec = ExcClass::PCAlign;
        e.far = pc;
        e.far_valid = true;
        throw e;
    }
    uint64_t pa_page;
    const uint8_t* page = cpu.code_page(pc, pa_page);
    uint64_t pa = pa_page | (pc & kTlbOffsetMask);
    TranslationBlock*& slot = fast_[fast_index(pa) & (kFastEntries - 1)];
    if (slot && slot->pa == pa && slot->valid) {
        stats_.fast_hits++;
        return slot;
    }
    auto it = blocks_.find(pa);
    if (it != blocks_.end()) {
        stats_.map_hits++;
        slot = it->second.get();
        return slot;
    }
    slot = translate(page, pa, pc);
    return slot;
}

TranslationBlock* TbCache::translate(const uint8_t* page, uint64_t pa, uint64_t va) {
    auto tb = std::make_unique<TranslationBlock>();
    tb->pa = pa;
    uint64_t off = pa & kTlbOffsetMask;
    while (off < kTlbPageSize && tb->ops.size() < kMaxBlockInsns) {
        uint32_t insn;
        std::memcpy(&insn, page + off, 4);
        off += 4;
        const InsnDesc* d = a64_decode(insn, features_);
        if (!d) {
            tb->ops.push_back({undefined_insn, insn});
            tb->last_sets_pc = true; // it always raises
            break;
        }
        tb->ops.push_back({d->fn, insn});
        if (d->flags & kInsnEndsBlock) {
            if (extended_ && tb->num_exits < kMaxBlockExits && off < kTlbPageSize &&
                tb->ops.size() < kMaxBlockInsns && is_conditional_branch(insn)) {
                tb->exits[tb->num_exits++] = static_cast<uint8_t>(tb->ops.size() - 1);
                continue;
            }
            tb->last_sets_pc = true;
            break;
        }
    }
    uint64_t pa_page = pa & kTlbPageMask;
    if (!bus_.is_code_page(pa_page)) {
        bus_.mark_code_page(pa_page);
        for (Cpu* c : cpus_)
            c->tlb.protect_code_page(pa_page);
    }
    if (log_enabled(kLogInAsm))
        log_translated_block(va, pa, page + (pa & kTlbOffsetMask), 4 * tb->ops.size());
    by_page_[pa_page].push_back(pa);
    translations_++;
    TranslationBlock* raw = tb.get();
    blocks_[pa] = std::move(tb);
    return raw;
}

void TbCache::invalidate_page(uint64_t pa_page) {
    auto it = by_page_.find(pa_page);
    if (it == by_page_.end()) return;
    for (uint64_t pa : it->second) {
        auto b = blocks_.find(pa);
        if (b == blocks_.end()) continue;
        b->second->valid = false;
        retired_.push_back(std::move(b->second));
        blocks_.erase(b);
    }
    by_page_.erase(it);
}

void TbCache::flush() {
    for (auto& [pa, tb] : blocks_) {
        tb->valid = false;
        bus_.clear_code_page(pa);
        retired_.push_back(std::move(tb));
    }
    blocks_.clear();
    by_page_.clear();
}

void TbCache::collect_retired() {
    std::fill(fast_.begin(), fast_.end(), nullptr);
    std::fill(jump_.begin(), jump_.end(), JumpEntry{});
    epoch_++;
    stats_.collections++;
    retired_.clear();
}

} // namespace kestrel
