// Out-of-line fault paths of the load/store helpers.
#include "cpu/a64/ldst_util.hpp"

namespace kestrel::a64 {

void alignment_fault(Cpu& c, uint64_t va, bool write) {
    GuestException e;
    e.ec = c.s.el == 0 ? ExcClass::DataAbortLower : ExcClass::DataAbortSame;
    e.iss = 0x21 | (write ? (1u << 6) : 0); // DFSC alignment fault, WnR
    e.far = va;
    e.far_valid = true;
    c.raise(e);
}

void sp_alignment_fault(Cpu& c) {
    GuestException e;
    e.ec = ExcClass::SPAlign;
    c.raise(e);
}

void probe_write(Cpu& c, uint64_t va, unsigned size) {
    uint64_t last = va + size - 1;
    for (uint64_t page = va & kTlbPageMask; page <= (last & kTlbPageMask); page += kTlbPageSize) {
        uint64_t at = page < va ? va : page;
        uint64_t pa = c.translate(at, AccessType::Write, 1);
        if (!c.bus.find(pa)) {
            // Nothing at that address: fault now, as the store would later.
            GuestException e;
            e.ec = c.s.el == 0 ? ExcClass::DataAbortLower : ExcClass::DataAbortSame;
            e.iss = 0x10 | (1u << 6); // synchronous external abort, WnR
            e.far = at;
            e.far_valid = true;
            c.raise(e);
        }
        if (page == (last & kTlbPageMask)) break; // also stops at the top of the address space
    }
}

} // namespace kestrel::a64
