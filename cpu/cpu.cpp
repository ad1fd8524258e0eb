#include "cpu/cpu.hpp"

#include <cstdio>

namespace kestrel {

Cpu::Cpu(unsigned idx, const CpuModel& m, Bus& b) : model(m), bus(b), index(idx) {
    // Aff0 = core number within a cluster of 16, Aff1 = cluster (as the
    // common virt board does); bit 31 is RES1.
    mpidr = (1ull << 31) | ((idx / 16) << 8) | (idx % 16);
    reset();
}

void Cpu::reset() {
    s = CpuState{};
    sys = SysRegState{};
    sys.sctlr_el1 = 0x30d00800; // RES1 bits, MMU and caches off
    sys.oslsr_el1 = 0x8;        // OSLK clear, OSLM = 0b10
    s.daif = 0x3c0;             // all masked at reset
    s.el = 1;
    s.spsel = 1;
    run_state = CpuRunState::Running;
    exit_code = 0;
    tlb.flush();
    update_mmu_idx();
}

void Cpu::update_mmu_idx() {
    // 0: EL0, 1: EL1, 2: EL1 with PAN, 3: EL2; +3 offset not used yet.
    unsigned idx;
    if (s.el == 0)
        idx = 0;
    else if (s.el == 1)
        idx = s.pan ? 2 : 1;
    else
        idx = 3;
    mmu_idx_ = idx;
}

uint64_t Cpu::translate(uint64_t va, AccessType, unsigned) {
    // Stage 1 translation is off: flat mapping. Addresses beyond the
    // implemented physical address size fault as the architecture requires.
    constexpr unsigned kPaBits = 48;
    if (va >> kPaBits) {
        GuestException e;
        e.far = va;
        e.far_valid = true;
        e.ec = ExcClass::DataAbortSame;
        e.iss = 0x00; // address size fault, level 0
        throw e;
    }
    return va;
}

void Cpu::fill_tlb(uint64_t va, uint64_t pa, AccessType type) {
    const BusRegion* r = bus.find(pa);
    if (!r || !r->host) return; // MMIO goes through the slow path every time
    TlbEntry& e = tlb.entry(mmu_idx_, va);
    uint64_t vpage = va & kTlbPageMask;
    uint64_t ppage = pa & kTlbPageMask;
    if (e.pa_page != ppage || (e.tag_read != vpage && e.tag_write != vpage && e.tag_exec != vpage))
        e = TlbEntry{};
    e.pa_page = ppage;
    e.addend = reinterpret_cast<uint64_t>(r->host + (ppage - r->base)) - vpage;
    switch (type) {
    case AccessType::Read: e.tag_read = vpage; break;
    case AccessType::Write:
        if (!r->read_only && !bus.is_code_page(ppage)) e.tag_write = vpage;
        break;
    case AccessType::Exec: e.tag_exec = vpage; break;
    }
}

void Cpu::external_abort(uint64_t va, AccessType type, unsigned, MemResult) {
    GuestException e;
    e.far = va;
    e.far_valid = true;
    if (type == AccessType::Exec) {
        e.ec = s.el == 0 ? ExcClass::InsnAbortLower : ExcClass::InsnAbortSame;
        e.iss = 0x10; // synchronous external abort
    } else {
        e.ec = s.el == 0 ? ExcClass::DataAbortLower : ExcClass::DataAbortSame;
        e.iss = 0x10 | (type == AccessType::Write ? (1u << 6) : 0);
    }
    throw e;
}

uint64_t Cpu::load_slow(uint64_t va, unsigned size, AccessType type) {
    if ((va & kTlbOffsetMask) + size > kTlbPageSize) {
        // Crosses a page: assemble from bytes so each page is translated.
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) v |= load_slow(va + i, 1, type) << (8 * i);
        return v;
    }
    uint64_t pa = translate(va, type, size);
    uint64_t v;
    MemResult r = bus.read(pa, size, v);
    if (r != MemResult::Ok) external_abort(va, type, size, r);
    fill_tlb(va, pa, type);
    return v;
}

void Cpu::store_slow(uint64_t va, unsigned size, uint64_t v, AccessType type) {
    if ((va & kTlbOffsetMask) + size > kTlbPageSize) {
        // Translate both pages before writing anything, so a fault on the
        // second page leaves memory untouched.
        unsigned first = static_cast<unsigned>(kTlbPageSize - (va & kTlbOffsetMask));
        translate(va, type, first);
        translate(va + first, type, size - first);
        for (unsigned i = 0; i < size; i++) store_slow(va + i, 1, (v >> (8 * i)) & 0xff, type);
        return;
    }
    uint64_t pa = translate(va, type, size);
    MemResult r = bus.write(pa, size, v);
    if (r != MemResult::Ok) external_abort(va, type, size, r);
    fill_tlb(va, pa, type);
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
    VReg r;
    r.lo = load<uint64_t>(va);
    r.hi = load<uint64_t>(va + 8);
    return r;
}

void Cpu::store128(uint64_t va, VReg v) {
    // Check both halves are writable before the first store lands.
    if (((va + 8) & kTlbPageMask) != (va & kTlbPageMask)) {
        translate(va, AccessType::Write, 8);
        translate(va + 8, AccessType::Write, 8);
    }
    store<uint64_t>(va, v.lo);
    store<uint64_t>(va + 8, v.hi);
}

const uint8_t* Cpu::code_page(uint64_t va, uint64_t& pa_page_out) {
    TlbEntry& e = tlb.entry(mmu_idx_, va);
    uint64_t vpage = va & kTlbPageMask;
    if (e.tag_exec != vpage) {
        uint64_t pa = translate(va, AccessType::Exec, 4);
        const BusRegion* r = bus.find(pa);
        if (!r || !r->host) {
            GuestException ex;
            ex.ec = s.el == 0 ? ExcClass::InsnAbortLower : ExcClass::InsnAbortSame;
            ex.iss = 0x10;
            ex.far = va;
            ex.far_valid = true;
            throw ex;
        }
        fill_tlb(va, pa, AccessType::Exec);
    }
    pa_page_out = e.pa_page;
    return reinterpret_cast<const uint8_t*>(vpage + e.addend);
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

uint64_t Cpu::pstate_to_spsr() const {
    uint64_t v = s.nzcv | s.daif;
    v |= static_cast<uint64_t>(s.el) << 2;
    v |= s.spsel;
    if (s.pan) v |= 1u << 22;
    if (s.uao) v |= 1u << 23;
    if (s.ss) v |= 1u << 21;
    if (s.il) v |= 1u << 20;
    return v;
}

void Cpu::spsr_to_pstate(uint64_t spsr) {
    s.nzcv = static_cast<uint32_t>(spsr) & 0xf0000000u;
    s.daif = static_cast<uint32_t>(spsr) & 0x3c0u;
    s.el = (spsr >> 2) & 3;
    s.spsel = spsr & 1;
    s.pan = (spsr >> 22) & 1;
    s.uao = (spsr >> 23) & 1;
    s.ss = (spsr >> 21) & 1;
    s.il = (spsr >> 20) & 1;
    update_mmu_idx();
}

} // namespace kestrel
