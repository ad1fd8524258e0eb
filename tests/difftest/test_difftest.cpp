// Self-checks of the differential-test machinery that need no qemu: the
// generator's promises, the Kestrel runner on hand-computed cases, and the
// comparator.
#include "cpu/cpu_model.hpp"
#include "tests/difftest/case_gen.hpp"
#include "tests/difftest/kestrel_runner.hpp"
#include "tests/difftest/report.hpp"

#include <csignal>
#include <cstring>
#include <doctest/doctest.h>
#include <string_view>
#include <vector>

using namespace kestrel;
using namespace kestrel::difftest;

namespace {

CpuModel model() {
    return *find_cpu_model("max");
}

const std::vector<uint8_t>& blank_prologue() {
    static const std::vector<uint8_t> page(DT_PROLOGUE_SIZE, 0);
    return page;
}

dt_case one_insn(uint32_t word) {
    dt_case c{};
    c.ninsns = 1;
    c.insn[0] = word;
    return c;
}

uint32_t field(const InsnDesc& d, uint32_t word, std::string_view name) {
    const InsnField* f = d.pat.field(name);
    REQUIRE(f);
    return (word >> f->lsb) & ((1u << f->width) - 1);
}

} // namespace

TEST_CASE("every generated case decodes to its own entry") {
    const CpuModel m = model();
    unsigned entries = 0;
    for (const InsnDesc& d : a64_table()) {
        if (!difftestable(d) || !m.has(d.feature)) continue;
        entries++;
        unsigned made = 0;
        for (uint64_t k = 0; k < 20; k++) {
            dt_case c;
            if (!generate_case(d, m.features, 1, case_seed_for(5, d.name, k), c)) continue;
            made++;
            INFO(d.name << " word " << std::hex << c.insn[0]);
            CHECK(c.ninsns == 1);
            CHECK(a64_decode(c.insn[0], m.features) == &d);
        }
        INFO(d.name);
        CHECK(made > 0);
    }
    CHECK(entries > 0);
}

TEST_CASE("generation is deterministic per seed") {
    const CpuModel m = model();
    const InsnDesc& d = a64_table()[0];
    dt_case a, b, c;
    REQUIRE(generate_case(d, m.features, 1, case_seed_for(9, d.name, 3), a));
    REQUIRE(generate_case(d, m.features, 1, case_seed_for(9, d.name, 3), b));
    REQUIRE(generate_case(d, m.features, 1, case_seed_for(9, d.name, 4), c));
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
    CHECK(std::memcmp(&a, &c, sizeof a) != 0);
}

TEST_CASE("memory instructions get a base inside the scratch buffer") {
    const CpuModel m = model();
    for (const InsnDesc& d : a64_table()) {
        if (!(d.flags & kInsnMem) || !difftestable(d) || !m.has(d.feature) || !d.pat.field("Rn"))
            continue;
        for (uint64_t k = 0; k < 10; k++) {
            dt_case c;
            if (!generate_case(d, m.features, 1, case_seed_for(6, d.name, k), c)) continue;
            uint32_t rn = field(d, c.insn[0], "Rn");
            uint64_t base = rn == 31 ? c.init.sp : c.init.x[rn];
            INFO(d.name << " base " << std::hex << base);
            CHECK(base >= DT_BUF_BASE + DT_BUF_BASE_OFFSET);
            CHECK(base < DT_BUF_BASE + DT_BUF_BASE_OFFSET + 256);
        }
    }
}

TEST_CASE("branch offsets stay small and never zero") {
    const CpuModel m = model();
    unsigned checked = 0;
    for (const InsnDesc& d : a64_table()) {
        if (!(d.flags & kInsnEndsBlock) || !difftestable(d) || (d.flags & kInsnMem)) continue;
        for (unsigned f = 0; f < d.pat.nfields; f++) {
            std::string_view name = d.pat.fields[f].name;
            if (name.substr(0, 3) != "imm") continue;
            const unsigned w = d.pat.fields[f].width;
            for (uint64_t k = 0; k < 20; k++) {
                dt_case c;
                if (!generate_case(d, m.features, 1, case_seed_for(7, d.name, k), c)) continue;
                int64_t v = static_cast<int64_t>(static_cast<uint64_t>(field(d, c.insn[0], name))
                                                 << (64 - w)) >>
                            (64 - w);
                INFO(d.name << " " << name << " = " << v);
                CHECK(v != 0);
                CHECK(v >= -64);
                CHECK(v <= 64);
                checked++;
            }
        }
    }
    CHECK(checked > 0);
}

TEST_CASE("kestrel runner: ADD X0, X1, #1 completes at the next pad") {
    KestrelRunner r(model(), blank_prologue().data(), 1);
    dt_case c = one_insn(0x91000420); // add x0, x1, #1
    c.init.x[1] = 41;
    c.init.x[0] = 7;
    dt_result res = r.run(c);
    CHECK(res.signo == SIGILL);
    CHECK(res.final.pc == DT_TEST_ADDR + 4);
    CHECK(res.final.x[0] == 42);
    CHECK(res.final.x[1] == 41);
    CHECK(res.ndiffs == 0);
}

TEST_CASE("kestrel runner: a branch lands on its pad, UDF stops at the test word") {
    KestrelRunner r(model(), blank_prologue().data(), 1);
    dt_result b = r.run(one_insn(0x14000003)); // b .+12
    CHECK(b.signo == SIGILL);
    CHECK(b.final.pc == DT_TEST_ADDR + 12);
    dt_result u = r.run(one_insn(0x00000000)); // udf #0
    CHECK(u.signo == SIGILL);
    CHECK(u.final.pc == DT_TEST_ADDR);
}

TEST_CASE("comparator: equal results agree, every kind of difference is reported") {
    dt_result a{};
    a.signo = SIGILL;
    a.final.pc = DT_TEST_ADDR + 4;
    dt_result b = a;
    CHECK(compare_results(a, b).empty());
    b.final.x[5] ^= 1;
    CHECK(compare_results(a, b).size() == 1);
    b = a;
    b.final.v[31][1] ^= 1;
    CHECK(compare_results(a, b).size() == 1);
    b = a;
    b.final.fpsr = 1;
    b.final.nzcv = 0x40000000;
    CHECK(compare_results(a, b).size() == 2);
    b = a;
    b.ndiffs = 1;
    b.diffs[0] = {16, 0, 5};
    CHECK(compare_results(a, b).size() == 2); // count and the word itself
    b = a;
    b.signo = SIGSEGV;
    CHECK(compare_results(a, b).size() == 1);
}
