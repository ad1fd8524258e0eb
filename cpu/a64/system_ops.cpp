// SYS instructions: data and instruction cache maintenance (NOPs apart from
// their permission checks, and DC ZVA), address translation (AT) and TLB
// maintenance (TLBI).
#include "cpu/a64/groups.hpp"
#include "cpu/a64/insn_util.hpp"

namespace kestrel::a64 {
namespace {

constexpr uint32_t op(unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

// SCTLR_EL1 bits that let EL0 use cache maintenance and DC ZVA.
bool uci(const Cpu& c) {
    return c.sys.sctlr_el1 & (1u << 26);
}
bool dze(const Cpu& c) {
    return c.sys.sctlr_el1 & (1u << 14);
}

// Cache maintenance by VA: may raise Translation, Access flag and (from
// EL0, or for an invalidate that needs write access) Permission faults,
// reported as data aborts with CM = 1.
void cache_maint_check(Cpu& c, uint64_t va, bool needs_write) {
    WalkResult w = walk_stage1(c.bus, c.stage1_config(), va, false);
    if (w.fault != FaultKind::None) c.raise_abort(va, AccessType::Read, w.fault, w.level, true);
    Stage1Perms p = stage1_permissions(w, c.s.el == 0, false, false);
    bool ok = needs_write ? p.write : (c.s.el != 0 || p.read);
    if (!ok) c.raise_abort(va, AccessType::Read, FaultKind::Permission, w.level, true);
}

// DC ZVA: zeroes the naturally aligned block DCZID_EL0.BS describes.
void dc_zva(Cpu& c, uint64_t va) {
    unsigned block = 4u << (c.model.dczid & 0xf);
    uint64_t base = va & ~static_cast<uint64_t>(block - 1);
    // Device memory takes an alignment fault, whatever the address; with
    // the MMU off all data memory is Device-nGnRnE, so DC ZVA always faults.
    Cpu::Translation t = c.translate_for(base, AccessType::Write, c.mmu_idx());
    if (attr_is_device(t.walk.attr)) c.raise_abort(va, AccessType::Write, FaultKind::Alignment, 0);
    for (unsigned off = 0; off < block; off += 8)
        c.store<uint64_t>(base + off, 0);
}

void sys(Cpu& c, uint32_t i) {
    const uint32_t what = op(bits(i, 16, 3), bits(i, 12, 4), bits(i, 8, 4), bits(i, 5, 3));
    const uint64_t x = c.xr(bits(i, 0, 5));
    const bool el0 = c.s.el == 0;
    // EL0 may use these when SCTLR_EL1 allows; otherwise they trap to EL1.
    auto el0_gate = [&](bool allowed) {
        if (el0 && !allowed) c.raise_sysreg_trap(i);
    };
    auto el1_only = [&] {
        if (el0) c.undefined();
    };
    switch (what) {
    // Instruction cache: translation blocks follow code writes, so these
    // have nothing to do.
    case op(0, 7, 1, 0): // IC IALLUIS
    case op(0, 7, 5, 0): // IC IALLU
        el1_only();
        break;
    case op(3, 7, 5, 1): // IC IVAU
        el0_gate(uci(c));
        cache_maint_check(c, x, false);
        break;
    // Data cache by VA.
    case op(3, 7, 4, 1): // DC ZVA
        el0_gate(dze(c));
        dc_zva(c, x);
        break;
    case op(3, 7, 10, 1): // DC CVAC
    case op(3, 7, 11, 1): // DC CVAU
    case op(3, 7, 14, 1): // DC CIVAC
        el0_gate(uci(c));
        cache_maint_check(c, x, false);
        break;
    case op(0, 7, 6, 1): // DC IVAC: invalidation needs write permission
        el1_only();
        cache_maint_check(c, x, true);
        break;
    // Data cache by set/way.
    case op(0, 7, 6, 2):  // DC ISW
    case op(0, 7, 10, 2): // DC CSW
    case op(0, 7, 14, 2): // DC CISW
        el1_only();
        break;
    // Address translation into PAR_EL1.
    case op(0, 7, 8, 0):
        el1_only();
        c.address_translate(x, false, false);
        break; // AT S1E1R
    case op(0, 7, 8, 1):
        el1_only();
        c.address_translate(x, false, true);
        break; // AT S1E1W
    case op(0, 7, 8, 2):
        el1_only();
        c.address_translate(x, true, false);
        break; // AT S1E0R
    case op(0, 7, 8, 3):
        el1_only();
        c.address_translate(x, true, true);
        break; // AT S1E0W
    // TLB maintenance; the IS forms reach every core. The operand holds
    // VA[55:12] in bits 43:0 and the ASID in bits 63:48.
    case op(0, 8, 3, 0):
        el1_only();
        c.tlbi_all(true);
        break; // VMALLE1IS
    case op(0, 8, 7, 0):
        el1_only();
        c.tlbi_all(false);
        break; // VMALLE1
    case op(0, 8, 3, 2):
        el1_only();
        c.tlbi_asid(true);
        break; // ASIDE1IS
    case op(0, 8, 7, 2):
        el1_only();
        c.tlbi_asid(false);
        break;           // ASIDE1
    case op(0, 8, 3, 1): // VAE1IS
    case op(0, 8, 3, 3): // VAAE1IS
    case op(0, 8, 3, 5): // VALE1IS
    case op(0, 8, 3, 7): // VAALE1IS
        el1_only();
        c.tlbi_va((x & ((1ull << 44) - 1)) << 12, true);
        break;
    case op(0, 8, 7, 1): // VAE1
    case op(0, 8, 7, 3): // VAAE1
    case op(0, 8, 7, 5): // VALE1
    case op(0, 8, 7, 7): // VAALE1
        el1_only();
        c.tlbi_va((x & ((1ull << 44) - 1)) << 12, false);
        break;
    default: c.undefined();
    }
}

constexpr InsnDesc kInsns[] = {
    // TLB maintenance may change the mapping of the next instruction, so
    // every SYS operation ends its block.
    {"SYS", "sysop", P("1101010100 0 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5"),
     [](Cpu& c, uint32_t i) {
         sys(c, i);
         c.s.pc += 4;
     },
     Feature::Base, kInsnEndsBlock | kInsnSystem | kInsnNoDifftest},
};

} // namespace

std::span<const InsnDesc> system_op_insns() {
    return kInsns;
}

} // namespace kestrel::a64
