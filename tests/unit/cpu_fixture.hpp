// A small machine for instruction tests: one core of a chosen model on a
// bus with RAM, running instruction words either one at a time through the
// decoder or as a program through the translation-block cache.
#pragma once
#include "accel/tcg/tb_cache.hpp"
#include "cpu/cpu.hpp"
#include "cpu/cpu_model.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <vector>

namespace kestrel::test {

inline CpuModel model_or_throw(const char* name) {
    auto m = find_cpu_model(name);
    if (!m) throw std::runtime_error("unknown CPU model");
    return *m;
}

class CpuFixture {
    Bus bus_; // declared first: the core and the cache refer to it
    uint8_t* ram_;

  public:
    static constexpr uint64_t kRamBase = 0x40000000;
    static constexpr uint64_t kRamSize = 1 << 20;
    static constexpr uint64_t kCodeBase = kRamBase + 0x1000;

    explicit CpuFixture(const char* model = "cortex-a57")
        : ram_(bus_.add_ram(kRamBase, kRamSize, "ram")), cpu(0, model_or_throw(model), bus_),
          tbs_(bus_, cpu.model.features) {
        tbs_.attach(&cpu);
        cpu.s.el = 1;
    }

    Cpu cpu;

    Bus& bus() { return bus_; }
    uint8_t* ram() { return ram_; }

    // Registers, by number (31 = XZR), and flags.
    uint64_t x(unsigned n) const { return cpu.xr(n); }
    void set_x(unsigned n, uint64_t v) { cpu.set_xr(n, v); }
    uint32_t nzcv() const { return cpu.s.nzcv >> 28; } // 4 bits: N Z C V
    void set_nzcv(uint32_t f) { cpu.s.nzcv = (f & 15) << 28; }

    // Decodes and executes one instruction at kCodeBase. Returns the
    // exception it raised (an unallocated encoding raises UNDEFINED), or
    // nothing when it completed.
    std::optional<GuestException> exec(uint32_t insn) {
        cpu.s.pc = kCodeBase;
        const InsnDesc* d = a64_decode(insn, cpu.model.features);
        try {
            if (!d) cpu.undefined();
            d->fn(cpu, insn);
        } catch (const GuestException& e) {
            return e;
        }
        return std::nullopt;
    }
    // True when the word raises UNDEFINED (EC 0) on this model.
    bool undefined(uint32_t insn) {
        auto e = exec(insn);
        return e && e->ec == ExcClass::Unknown;
    }
    // The name of the table entry the word decodes to, or nullptr.
    const char* decoded_name(uint32_t insn) const {
        const InsnDesc* d = a64_decode(insn, cpu.model.features);
        return d ? d->name : nullptr;
    }

    // Writes a program at kCodeBase and runs it through the translation
    // cache until the PC reaches its end. Returns the first exception, or
    // nothing when the program ran to its end.
    std::optional<GuestException> run(std::initializer_list<uint32_t> code,
                                      unsigned max_blocks = 1000) {
        std::vector<uint32_t> words(code);
        bus_.write_block(kCodeBase, words.data(), words.size() * 4);
        const uint64_t end = kCodeBase + words.size() * 4;
        cpu.s.pc = kCodeBase;
        try {
            for (unsigned b = 0; b < max_blocks && cpu.s.pc != end; b++) {
                TranslationBlock* tb = tbs_.get(cpu);
                const uint64_t base = cpu.s.pc;
                const size_t n = tb->ops.size();
                size_t i = 0;
                for (; i < n && base + 4 * i != end; i++) {
                    cpu.s.pc = base + 4 * i;
                    tb->ops[i].fn(cpu, tb->ops[i].insn);
                }
                if (i < n || !tb->last_sets_pc) cpu.s.pc = base + 4 * i;
            }
        } catch (const GuestException& e) {
            return e;
        }
        if (cpu.s.pc != end) throw std::runtime_error("program did not reach its end");
        return std::nullopt;
    }

  private:
    TbCache tbs_;
};

} // namespace kestrel::test
