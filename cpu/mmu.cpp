// The core's side of address translation: walking on a TLB miss, permission
// and alignment checks, filling the soft TLB, TLB maintenance and AT.
#include "cpu/cpu.hpp"

namespace kestrel {

Stage1Config Cpu::stage1_config() const {
    Stage1Config c;
    c.sctlr = sys.sctlr_el1;
    c.tcr = sys.tcr_el1;
    c.ttbr0 = sys.ttbr0_el1;
    c.ttbr1 = sys.ttbr1_el1;
    c.mair = sys.mair_el1;
    c.pa_bits = pa_range_bits(static_cast<unsigned>(model.id_aa64mmfr0 & 0xf));
    return c;
}

namespace {

// Aborts are taken to EL1 from EL0 and EL1 (take_exception re-derives the
// class from the actual target EL, so an EL2 target later stays right).
ExcClass abort_class(const Cpu& c, AccessType type) {
    bool lower = c.s.el == 0;
    if (type == AccessType::Exec) return lower ? ExcClass::InsnAbortLower : ExcClass::InsnAbortSame;
    return lower ? ExcClass::DataAbortLower : ExcClass::DataAbortSame;
}

// Unaligned data accesses fault on Device memory. With the MMU off the
// walker reports data accesses as Device-nGnRnE (attribute 0x00), as the
// architecture says, so they must be aligned too (QEMU issue 1204; the
// QEMU 7.2 of Debian 12 lets them through). Instruction fetches are Normal.
bool strict_alignment(const WalkResult& w) {
    return attr_is_device(w.attr);
}

} // namespace

void Cpu::raise_abort(uint64_t va, AccessType type, FaultKind kind, int level, bool cache_maint) {
    GuestException e;
    e.far = va;
    e.far_valid = true;
    uint32_t fsc = fault_status_code(kind, level);
    e.ec = abort_class(*this, type);
    if (type == AccessType::Exec) {
        e.iss = fsc;
    } else {
        e.iss = fsc;
        // Cache maintenance faults report WnR = 1 and CM = 1.
        if (type == AccessType::Write || cache_maint) e.iss |= 1u << 6;
        if (cache_maint) e.iss |= 1u << 8;
    }
    throw e;
}

void Cpu::external_abort(uint64_t va, AccessType type, MemResult r) {
    GuestException e;
    e.far = va;
    e.far_valid = true;
    // EA: a device that answered with an error is a slave error (1); an
    // address nothing decodes is a decode error (0).
    uint32_t ea = r == MemResult::DeviceError ? (1u << 9) : 0;
    e.ec = abort_class(*this, type);
    if (type == AccessType::Exec) {
        e.iss = 0x10 | ea;
    } else {
        e.iss = 0x10 | ea | (type == AccessType::Write ? (1u << 6) : 0);
    }
    throw e;
}

Cpu::Translation Cpu::translate_for(uint64_t va, AccessType type, unsigned idx, bool unaligned) {
    Translation t;
    t.walk = walk_stage1(bus, stage1_config(), va, type == AccessType::Exec);
    if (t.walk.fault != FaultKind::None) raise_abort(va, type, t.walk.fault, t.walk.level);
    if (unaligned && type != AccessType::Exec && strict_alignment(t.walk))
        raise_abort(va, type, FaultKind::Alignment, 0);
    t.perms = stage1_permissions(t.walk, idx == kMmuIdxEl0, idx == kMmuIdxEl1Pan,
                                 sys.sctlr_el1 & (1u << 19));
    bool ok = type == AccessType::Read    ? t.perms.read
              : type == AccessType::Write ? t.perms.write
                                          : t.perms.exec;
    if (!ok) raise_abort(va, type, FaultKind::Permission, t.walk.level);
    t.pa = t.walk.pa;
    return t;
}

uint64_t Cpu::translate(uint64_t va, AccessType type, unsigned size) {
    const bool unaligned = va & (size - 1);
    if (unaligned && type != AccessType::Exec && alignment_check_enabled())
        raise_abort(va, type, FaultKind::Alignment, 0);
    return translate_for(va, type, mmu_idx_, unaligned).pa;
}

void Cpu::check_access_alignment(uint64_t va, unsigned size, AccessType type) {
    if (!(va & (size - 1))) return;
    if (alignment_check_enabled()) raise_abort(va, type, FaultKind::Alignment, 0);
    translate_for(va, type, mmu_idx_, true);
    // The part on the next page must not be Device memory either.
    if ((va & kTlbOffsetMask) + size > kTlbPageSize)
        translate_for((va | kTlbOffsetMask) + 1, type, mmu_idx_, true);
}

void Cpu::fill_tlb(unsigned idx, uint64_t va, const Translation& t) {
    const BusRegion* r = bus.find(t.pa);
    if (!r || !r->host) return; // MMIO goes through the slow path every time
    TlbEntry& e = tlb.entry(idx, va);
    uint64_t vpage = va & kTlbPageMask;
    uint64_t ppage = t.pa & kTlbPageMask;
    e = TlbEntry{};
    e.vpage = vpage;
    e.pa_page = ppage;
    e.global = t.walk.global;
    e.addend = reinterpret_cast<uint64_t>(r->host + (ppage - r->base)) - vpage;
    // The fast path only sees aligned accesses, so Device memory and
    // SCTLR_EL1.A need no special casing here.
    if (t.perms.read) e.tag_read = vpage;
    if (t.perms.write && !r->read_only && !bus.is_code_page(ppage)) e.tag_write = vpage;
    if (t.perms.exec) e.tag_exec = vpage;
    tlb.note_block(idx, va, t.walk.block_shift);
}

uint64_t Cpu::load_slow(uint64_t va, unsigned size, unsigned idx, unsigned align) {
    const bool unaligned = va & (align - 1);
    if (unaligned && alignment_check_enabled())
        raise_abort(va, AccessType::Read, FaultKind::Alignment, 0);
    if ((va & kTlbOffsetMask) + size > kTlbPageSize) {
        // Crosses a page: translate both pages first, then assemble bytes.
        unsigned first = static_cast<unsigned>(kTlbPageSize - (va & kTlbOffsetMask));
        Translation a = translate_for(va, AccessType::Read, idx, unaligned);
        Translation b = translate_for(va + first, AccessType::Read, idx);
        // The fault for the second page reports the access's address.
        if (unaligned && strict_alignment(b.walk))
            raise_abort(va, AccessType::Read, FaultKind::Alignment, 0);
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t byte;
            uint64_t pa = i < first ? a.pa + i : b.pa + (i - first);
            MemResult r = bus.read(pa, 1, byte);
            if (r != MemResult::Ok) external_abort(va + i, AccessType::Read, r);
            v |= byte << (8 * i);
        }
        return v;
    }
    Translation t = translate_for(va, AccessType::Read, idx, unaligned);
    uint64_t v;
    MemResult r = bus.read(t.pa, size, v);
    if (r != MemResult::Ok) external_abort(va, AccessType::Read, r);
    fill_tlb(idx, va, t);
    return v;
}

void Cpu::store_slow(uint64_t va, unsigned size, uint64_t v, unsigned idx, unsigned align) {
    const bool unaligned = va & (align - 1);
    if (unaligned && alignment_check_enabled())
        raise_abort(va, AccessType::Write, FaultKind::Alignment, 0);
    if ((va & kTlbOffsetMask) + size > kTlbPageSize) {
        // Translate both pages before writing anything, so a fault on the
        // second page leaves memory untouched.
        unsigned first = static_cast<unsigned>(kTlbPageSize - (va & kTlbOffsetMask));
        Translation a = translate_for(va, AccessType::Write, idx, unaligned);
        Translation b = translate_for(va + first, AccessType::Write, idx);
        if (unaligned && strict_alignment(b.walk))
            raise_abort(va, AccessType::Write, FaultKind::Alignment, 0);
        // Nothing decodes at either physical page: the external abort comes
        // before any byte is written, as for an access within one page.
        if (!bus.find(a.pa)) external_abort(va, AccessType::Write, MemResult::Unmapped);
        if (!bus.find(b.pa)) external_abort(va + first, AccessType::Write, MemResult::Unmapped);
        for (unsigned i = 0; i < size; i++) {
            uint64_t pa = i < first ? a.pa + i : b.pa + (i - first);
            MemResult r = bus.write(pa, 1, (v >> (8 * i)) & 0xff);
            if (r != MemResult::Ok) external_abort(va + i, AccessType::Write, r);
        }
        return;
    }
    Translation t = translate_for(va, AccessType::Write, idx, unaligned);
    MemResult r = bus.write(t.pa, size, v);
    if (r != MemResult::Ok) external_abort(va, AccessType::Write, r);
    fill_tlb(idx, va, t);
}

const uint8_t* Cpu::code_page(uint64_t va, uint64_t& pa_page_out) {
    TlbEntry& e = tlb.entry(mmu_idx_, va);
    uint64_t vpage = va & kTlbPageMask;
    if (e.tag_exec != vpage) {
        Translation t = translate_for(va, AccessType::Exec, mmu_idx_);
        const BusRegion* r = bus.find(t.pa);
        if (!r || !r->host) external_abort(va, AccessType::Exec, MemResult::Unmapped);
        fill_tlb(mmu_idx_, va, t);
    }
    pa_page_out = e.pa_page;
    return reinterpret_cast<const uint8_t*>(vpage + e.addend);
}

void Cpu::tlbi_all(bool broadcast) {
    if (broadcast && siblings) {
        for (Cpu* c : *siblings)
            c->tlb.flush();
        return;
    }
    tlb.flush();
}

void Cpu::tlbi_asid(bool broadcast) {
    // Only the current ASID's non-global entries are ever cached (others
    // are dropped on an ASID switch), so dropping all non-global entries
    // covers any ASID operand.
    if (broadcast && siblings) {
        for (Cpu* c : *siblings)
            c->tlb.flush_nonglobal();
        return;
    }
    tlb.flush_nonglobal();
}

void Cpu::tlbi_va(uint64_t va, bool broadcast) {
    if (broadcast && siblings) {
        for (Cpu* c : *siblings)
            c->tlb.flush_va(va);
        return;
    }
    tlb.flush_va(va);
}

void Cpu::address_translate(uint64_t va, bool el0, bool write) {
    WalkResult w = walk_stage1(bus, stage1_config(), va, false);
    FaultKind fault = w.fault;
    if (fault == FaultKind::None) {
        // AT S1E1R/W ignore PSTATE.PAN (FEAT_PAN2's S1E1RP/WP honour it).
        Stage1Perms p = stage1_permissions(w, el0, false, sys.sctlr_el1 & (1u << 19));
        if (!(write ? p.write : p.read)) fault = FaultKind::Permission;
    }
    if (fault != FaultKind::None) {
        // F = 1, FST, and bit 11 RES1.
        sys.par_el1 =
            1 | (static_cast<uint64_t>(fault_status_code(fault, w.level)) << 1) | (1ull << 11);
        return;
    }
    uint8_t sh = attr_is_device(w.attr) ? 2 : w.sh;
    // PA, attributes, NS (Non-secure state: no EL3) and bit 11 RES1.
    sys.par_el1 = (w.pa & 0x0000fffffffff000ull) | (static_cast<uint64_t>(w.attr) << 56) |
                  (static_cast<uint64_t>(sh) << 7) | (1ull << 9) | (1ull << 11);
}

} // namespace kestrel
