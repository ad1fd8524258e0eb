// The decoder table: every entry decodes its own encodings, and no earlier
// entry shadows a later one.
#include "cpu/decoder.hpp"

#include <doctest/doctest.h>
#include <random>
#include <string>

using namespace kestrel;

namespace {

// A random word matching the entry's fixed bits.
uint32_t instance_of(const InsnDesc& d, std::mt19937& rng) {
    return (static_cast<uint32_t>(rng()) & ~d.pat.mask) | d.pat.value;
}

} // namespace

TEST_CASE("pattern strings compile to masks and fields") {
    constexpr InsnPattern p = P("sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5");
    static_assert(p.mask == 0x7f800000u);
    static_assert(p.value == 0x11000000u);
    static_assert(p.nfields == 5);
    CHECK(p.field("imm12")->lsb == 10);
    CHECK(p.field("imm12")->width == 12);
    CHECK(p.field("Rd")->lsb == 0);
    CHECK(p.field("sf")->lsb == 31);
    CHECK(p.field("nope") == nullptr);
    constexpr InsnPattern q = P("x1x0 0000 0000 0000 0000 0000 0000 0000");
    static_assert(q.mask == 0x5fffffffu && q.value == 0x40000000u);
}

TEST_CASE("every table entry is reachable: no earlier entry shadows it") {
    auto table = a64_table();
    REQUIRE(table.size() > 0);
    const uint64_t all = ~0ull;
    std::mt19937 rng(1234);
    for (const InsnDesc& d : table) {
        // Fields may hold values the handler rejects, but the decoder must
        // pick this entry for at least most random instances of it.
        int hits = 0;
        const int tries = 64;
        for (int t = 0; t < tries; t++) {
            uint32_t insn = instance_of(d, rng);
            const InsnDesc* got = a64_decode(insn, all);
            if (got == &d) hits++;
        }
        INFO("entry " << d.name << " (" << d.group << ") decoded as itself " << hits << "/"
                      << tries);
        CHECK(hits > tries / 2);
    }
}

TEST_CASE("entries have unique names") {
    auto table = a64_table();
    for (size_t i = 0; i < table.size(); i++)
        for (size_t j = i + 1; j < table.size(); j++) {
            INFO(table[i].name);
            CHECK(std::string(table[i].name) != std::string(table[j].name));
        }
}

TEST_CASE("features gate encodings") {
    // With only the base feature set, an encoding that needs a missing
    // feature must not decode to that entry.
    for (const InsnDesc& d : a64_table()) {
        if (d.feature == Feature::Base) continue;
        const InsnDesc* got = a64_decode(d.pat.value, feature_bit(Feature::Base));
        INFO(d.name);
        CHECK(got != &d);
    }
}
