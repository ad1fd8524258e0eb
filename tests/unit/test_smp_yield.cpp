// WFE and YIELD end a core's time slice when other cores share the
// machine, so a core spinning on a lock lets the lock holder run.
#include "cpu_fixture.hpp"

#include <doctest/doctest.h>

using namespace kestrel;
using namespace kestrel::test;

namespace {
constexpr uint32_t kWfe = 0xd503205f, kYield = 0xd503203f, kNop = 0xd503201f, kSev = 0xd503209f;
} // namespace

TEST_CASE("WFE and YIELD end the time slice on a multi-core machine") {
    CpuFixture f, other;
    std::vector<Cpu*> both{&f.cpu, &other.cpu};
    f.cpu.siblings = &both;
    for (uint32_t insn : {kWfe, kYield}) {
        f.cpu.exit_request = false;
        CHECK_FALSE(f.exec(insn).has_value());
        CHECK(f.cpu.exit_request.load());
        CHECK(f.cpu.run_state == CpuRunState::Running);
    }
    CHECK(std::string(f.decoded_name(kYield)) == "YIELD");
    // Other hints keep running.
    for (uint32_t insn : {kNop, kSev}) {
        f.cpu.exit_request = false;
        CHECK_FALSE(f.exec(insn).has_value());
        CHECK_FALSE(f.cpu.exit_request.load());
    }
}

TEST_CASE("WFE and YIELD on a single core do not interrupt its slice") {
    CpuFixture f;
    std::vector<Cpu*> one{&f.cpu};
    for (std::vector<Cpu*>* sib : {static_cast<std::vector<Cpu*>*>(nullptr), &one}) {
        f.cpu.siblings = sib;
        for (uint32_t insn : {kWfe, kYield}) {
            f.cpu.exit_request = false;
            CHECK_FALSE(f.exec(insn).has_value());
            CHECK_FALSE(f.cpu.exit_request.load());
        }
    }
}
