#include "cpu/cpu.hpp"

#include "cpu/sysreg.hpp"

#include <cstdio>

namespace kestrel {

Cpu::Cpu(unsigned idx, const CpuModel& m, Bus& b) : model(m), bus(b), index(idx), timer(sys) {
    // Aff0 = core number within a cluster of 16, Aff1 = cluster (as the
    // common virt board does); bit 31 is RES1.
    mpidr = (1ull << 31) | ((idx / 16) << 8) | (idx % 16);
    reset();
}

void Cpu::reset() {
    s = CpuState{};
    sys = SysRegState{};
    sys.sctlr_el1 = 0x30d00800; // RES1 bits, MMU and caches off
    sys.oslsr_el1 = 0xa;        // OSLM = 0b10, OSLK set: the OS lock is locked at cold reset
    // FPEN resets to an UNKNOWN value; "no trap" keeps FP usable for code
    // that never programs CPACR_EL1.
    sys.cpacr_el1 = 3u << 20;
    sys.cntfrq_el0 = kCounterFrequencyHz;
    s.daif = 0x3c0; // all masked at reset
    s.el = 1;
    s.spsel = 1;
    run_state = CpuRunState::Running;
    exit_code = 0;
    tlb.flush();
    timer.reset();
    update_mmu_idx();
}

void Cpu::update_mmu_idx() {
    if (s.el == 0)
        mmu_idx_ = kMmuIdxEl0;
    else if (s.el == 1)
        mmu_idx_ = s.pan ? kMmuIdxEl1Pan : kMmuIdxEl1;
    else
        mmu_idx_ = kMmuIdxEl2;
}

uint64_t Cpu::load_sized(uint64_t va, unsigned size) {
    switch (size) {
    case 1: return load<uint8_t>(va);
    case 2: return load<uint16_t>(va);
    case 4: return load<uint32_t>(va);
    default: return load<uint64_t>(va);
    }
}

void Cpu::store_sized(uint64_t va, unsigned size, uint64_t v) {
    switch (size) {
    case 1: store<uint8_t>(va, static_cast<uint8_t>(v)); break;
    case 2: store<uint16_t>(va, static_cast<uint16_t>(v)); break;
    case 4: store<uint32_t>(va, static_cast<uint32_t>(v)); break;
    default: store<uint64_t>(va, v); break;
    }
}

VReg Cpu::load128(uint64_t va) {
    check_access_alignment(va, 16, AccessType::Read);
    VReg r;
    r.lo = load<uint64_t>(va);
    r.hi = load<uint64_t>(va + 8);
    return r;
}

void Cpu::store128(uint64_t va, VReg v) {
    check_access_alignment(va, 16, AccessType::Write);
    // Check both halves are writable before the first store lands.
    if (((va + 8) & kTlbPageMask) != (va & kTlbPageMask)) {
        translate(va, AccessType::Write, 8);
        translate(va + 8, AccessType::Write, 8);
    }
    store<uint64_t>(va, v.lo);
    store<uint64_t>(va + 8, v.hi);
}

uint32_t Cpu::fetch(uint64_t va, uint64_t& pa_out) {
    uint64_t page;
    const uint8_t* p = code_page(va, page);
    uint32_t w;
    std::memcpy(&w, p + (va & kTlbOffsetMask), 4);
    pa_out = page | (va & kTlbOffsetMask);
    return w;
}

void Cpu::undefined() {
    GuestException e;
    e.ec = ExcClass::Unknown;
    throw e;
}

} // namespace kestrel
