// The software TLB's flushes: by ASID (non-global entries only), tracked
// or by a full scan once too many non-global entries were filled.
#include "cpu/tlb.hpp"

#include <doctest/doctest.h>
#include <memory>

using namespace kestrel;

namespace {

// Fills the entry for va as the MMU does: tags, then note_block.
void fill(Tlb& t, unsigned idx, uint64_t va, bool global) {
    TlbEntry& e = t.entry(idx, va);
    e = TlbEntry{};
    e.vpage = va & kTlbPageMask;
    e.tag_read = e.tag_write = e.vpage;
    e.global = global;
    t.note_block(idx, va, 12);
}

bool present(Tlb& t, unsigned idx, uint64_t va) {
    return t.entry(idx, va).tag_read == (va & kTlbPageMask);
}

void check_flush_nonglobal(unsigned nonglobal_pages) {
    auto t = std::make_unique<Tlb>();
    t->flush();
    // Global pages at even page numbers, non-global ones at odd, in two
    // regimes, so no two share a slot.
    for (unsigned i = 0; i < nonglobal_pages; i++) {
        fill(*t, kMmuIdxEl1, 0x1000ull * (2 * i), true);
        fill(*t, i % 2 ? kMmuIdxEl0 : kMmuIdxEl1, 0x1000ull * (2 * i + 1), false);
    }
    uint64_t gen = t->generation();
    t->flush_nonglobal();
    CHECK(t->generation() != gen);
    for (unsigned i = 0; i < nonglobal_pages; i++) {
        CHECK(present(*t, kMmuIdxEl1, 0x1000ull * (2 * i)));
        CHECK_FALSE(present(*t, i % 2 ? kMmuIdxEl0 : kMmuIdxEl1, 0x1000ull * (2 * i + 1)));
    }
    // Filled again after the flush: a second flush drops them again.
    fill(*t, kMmuIdxEl0, 0x3000, false);
    REQUIRE(present(*t, kMmuIdxEl0, 0x3000));
    t->flush_nonglobal();
    CHECK_FALSE(present(*t, kMmuIdxEl0, 0x3000));
    CHECK(present(*t, kMmuIdxEl1, 0x2000));
}

} // namespace

TEST_CASE("an ASID flush drops the non-global entries and keeps the global ones") {
    SUBCASE("a few non-global entries (tracked)") {
        check_flush_nonglobal(10);
    }
    SUBCASE("more than are tracked (full scan)") {
        check_flush_nonglobal(400);
    }
}

TEST_CASE("a non-global slot refilled with a global entry survives an ASID flush") {
    auto t = std::make_unique<Tlb>();
    t->flush();
    fill(*t, kMmuIdxEl1, 0x5000, false);
    // Same slot (1024 entries, 4 KiB pages), another address, global.
    const uint64_t alias = 0x5000 + kTlbEntries * kTlbPageSize;
    fill(*t, kMmuIdxEl1, alias, true);
    t->flush_nonglobal();
    CHECK(present(*t, kMmuIdxEl1, alias));
}
