// A core on a bus with test RAM, and instruction encoders, for unit tests of
// the system architecture.
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/decoder.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace kestrel::test {

constexpr uint64_t kRamBase = 0x4000'0000;
constexpr uint64_t kRamSize = 16ull << 20;

struct TestCore {
    Bus bus;
    std::unique_ptr<Cpu> cpu;
    explicit TestCore(const std::string& model = "cortex-a57") {
        bus.add_ram(kRamBase, kRamSize, "ram");
        cpu = std::make_unique<Cpu>(0, *find_cpu_model(model), bus);
    }
    Cpu& c() { return *cpu; }
    void w64(uint64_t pa, uint64_t v) { bus.write(pa, 8, v); }
    void w32(uint64_t pa, uint32_t v) { bus.write(pa, 4, v); }
    uint64_t r64(uint64_t pa) {
        uint64_t v = 0;
        bus.read(pa, 8, v);
        return v;
    }
};

// Executes one instruction word at the core's PC as the executor would:
// decode, run, advance the PC, and take an exception it raises.
inline void exec(Cpu& c, uint32_t insn) {
    const InsnDesc* d = a64_decode(insn, c.model.features);
    try {
        if (!d) c.undefined();
        d->fn(c, insn);
        if (!(d->flags & kInsnEndsBlock)) c.s.pc += 4;
    } catch (const GuestException& e) {
        c.take_exception(e);
    }
}

// Encoders (Arm ARM A64 encodings).
constexpr uint32_t mrs(unsigned rt, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                       unsigned op2) {
    return 0xd5200000u | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt;
}
constexpr uint32_t msr(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                       unsigned rt) {
    return 0xd5000000u | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt;
}
constexpr uint32_t sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt) {
    return 0xd5080000u | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt;
}
constexpr uint32_t svc(unsigned imm) {
    return 0xd4000001u | (imm << 5);
}
constexpr uint32_t hvc(unsigned imm) {
    return 0xd4000002u | (imm << 5);
}
constexpr uint32_t brk(unsigned imm) {
    return 0xd4200000u | (imm << 5);
}
constexpr uint32_t hlt(unsigned imm) {
    return 0xd4400000u | (imm << 5);
}
constexpr uint32_t movz(unsigned rd, unsigned imm16) {
    return 0xd2800000u | (imm16 << 5) | rd;
}
constexpr uint32_t kEret = 0xd69f03e0u;
constexpr uint32_t kWfi = 0xd503207fu;
constexpr uint32_t kWfe = 0xd503205fu;
constexpr uint32_t kNop = 0xd503201fu;
constexpr uint32_t kUdf = 0x00000000u;

} // namespace kestrel::test
