// A core with RAM for instruction-level tests: decodes one instruction word
// through the table and runs its handler, as the executor would. The MMU is
// on with an identity map of Normal memory, read/write at EL1 and EL0, so
// unaligned accesses behave as under an operating system (with the MMU off
// data memory is Device, where they fault).
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/cpu_model.hpp"
#include "cpu/decoder.hpp"
#include "tests/common/identity_map.hpp"

#include <cstring>
#include <optional>

namespace kestrel::test {

struct LdstFixture {
    static constexpr uint64_t kRamBase = 0x40000000;
    static constexpr uint64_t kRamSize = 0x20000;
    static constexpr uint64_t kCodeAddr = kRamBase + 0x10000; // where exec() runs instructions
    static constexpr uint64_t kData = kRamBase + 0x1000;      // a scratch buffer
    static constexpr uint64_t kUnmapped = 0x7000000000ull;    // no device or RAM there
    static constexpr uint64_t kTables = 0x30000000;           // the level-1 table

    Bus bus;
    uint8_t* ram;
    Cpu cpu;
    uint64_t features;

    LdstFixture()
        : ram(bus.add_ram(kRamBase, kRamSize, "ram")), cpu(0, *find_cpu_model("max"), bus),
          features(cpu.model.features | feature_bit(Feature::FP)) {
        cpu.sys.cpacr_el1 = 3u << 20; // FP/SIMD enabled at EL0 and EL1
        bus.add_ram(kTables, 0x1000, "page-tables");
        IdentityMap m = map();
        m.clear();
        m.map_all(IdentityMap::kNormalEl0Rw); // kUnmapped too: no RAM there, external abort
        m.enable(cpu);
    }

    // The identity map, to remap blocks (flush the TLB afterwards).
    IdentityMap map() { return IdentityMap(bus, kTables); }
    void mmu_off() {
        cpu.sys.sctlr_el1 &= ~1ull;
        cpu.tlb_flush_all();
    }

    // Runs one instruction at kCodeAddr (or pc); unallocated encodings
    // raise UNDEFINED like the executor's placeholder does.
    void exec(uint32_t insn, uint64_t pc = kCodeAddr) {
        cpu.s.pc = pc;
        const InsnDesc* d = a64_decode(insn, features);
        if (!d) cpu.undefined();
        d->fn(cpu, insn);
    }
    // Runs one instruction expected to fault; returns the exception.
    std::optional<GuestException> exec_fault(uint32_t insn, uint64_t pc = kCodeAddr) {
        try {
            exec(insn, pc);
        } catch (const GuestException& e) {
            return e;
        }
        return std::nullopt;
    }

    uint8_t* host(uint64_t pa) { return ram + (pa - kRamBase); }
    template <typename T> T peek(uint64_t pa) {
        T v;
        std::memcpy(&v, host(pa), sizeof(T));
        return v;
    }
    template <typename T> void poke(uint64_t pa, T v) { std::memcpy(host(pa), &v, sizeof(T)); }

    uint64_t& x(unsigned n) { return cpu.s.x[n]; }
};

} // namespace kestrel::test
