// A core with Advanced SIMD and the crypto extensions enabled (as the
// shipped models advertise them), RAM for
// structure loads/stores, and helpers to run single instruction words.
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/decoder.hpp"
#include "hw/bus.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <memory>

namespace kestrel::test {

struct SimdFixture {
    static constexpr uint64_t kRamBase = 0x40000000;
    static constexpr uint64_t kRamSize = 1 << 20;
    static constexpr uint64_t kQC = 1u << 27;

    Bus bus;
    CpuModel model;
    std::unique_ptr<Cpu> cpu;

    SimdFixture() {
        bus.add_ram(kRamBase, kRamSize, "ram");
        model = *find_cpu_model("max");
        for (Feature f : {Feature::FP, Feature::AdvSIMD, Feature::AES, Feature::PMULL,
                          Feature::SHA1, Feature::SHA256})
            model.features |= feature_bit(f);
        cpu = std::make_unique<Cpu>(0, model, bus);
        cpu->sys.cpacr_el1 = 3u << 20; // FPEN: no trapping
    }

    // Executes one instruction word; fails the test when it does not decode.
    void exec(uint32_t insn) {
        const InsnDesc* d = a64_decode(insn, model.features);
        INFO("insn 0x" << std::hex << insn);
        REQUIRE(d != nullptr);
        d->fn(*cpu, insn);
    }
    // True when the word is UNDEFINED (unallocated or rejected by the handler).
    bool undefined(uint32_t insn) {
        const InsnDesc* d = a64_decode(insn, model.features);
        if (!d) return true;
        try {
            d->fn(*cpu, insn);
        } catch (const GuestException& e) {
            return e.ec == ExcClass::Unknown;
        }
        return false;
    }

    VReg& v(unsigned n) { return cpu->s.v[n]; }
    void set_v(unsigned n, uint64_t lo, uint64_t hi) { cpu->s.v[n] = VReg{lo, hi}; }
    uint64_t& x(unsigned n) { return cpu->s.x[n]; }
    uint32_t& fpsr() { return cpu->s.fpsr; }
    bool qc() const { return cpu->s.fpsr & kQC; }
};

} // namespace kestrel::test
