// The system register lookup and the special-purpose registers (PSTATE
// fields, stack pointers, exception return state, FP control).
#include "cpu/sysreg.hpp"

#include "cpu/fp/softfloat.hpp"
#include "cpu/sysreg_access.hpp"
#include "cpu/sysreg_icc.hpp"

#include <cstdlib>
#include <vector>

namespace kestrel {

namespace {

bool uma_allowed(const Cpu& c) {
    return c.sys.sctlr_el1 & (1u << 9);
} // SCTLR_EL1.UMA

uint64_t read_fpcr(Cpu& c) {
    c.check_fp_enabled();
    return c.s.fpcr;
}
// Writable FPCR bits: AHP, DN, FZ and RMode; FZ16 only with FP16. The
// trap-enable bits (IOE..IDE) are RAZ/WI because none of the models traps
// FP exceptions (cortex-a57/a72 do not); Len/Stride are RES0 without AArch32.
uint32_t fpcr_write_mask(const Cpu& c) {
    uint32_t m = fp::kFpcrAHP | fp::kFpcrDN | fp::kFpcrFZ | (3u << fp::kFpcrRModeShift);
    if (c.model.has(Feature::FP16)) m |= fp::kFpcrFZ16;
    return m;
}

void write_fpcr(Cpu& c, uint64_t v) {
    c.check_fp_enabled();
    c.s.fpcr = static_cast<uint32_t>(v) & fpcr_write_mask(c);
}
uint64_t read_fpsr(Cpu& c) {
    c.check_fp_enabled();
    return c.s.fpsr;
}
void write_fpsr(Cpu& c, uint64_t v) {
    c.check_fp_enabled();
    c.s.fpsr = static_cast<uint32_t>(v) & 0xf800009fu;
}

uint64_t read_pan(Cpu& c) {
    if (!c.model.has(Feature::PAN)) c.undefined();
    return static_cast<uint64_t>(c.s.pan) << 22;
}
void write_pan(Cpu& c, uint64_t v) {
    if (!c.model.has(Feature::PAN)) c.undefined();
    c.s.pan = (v >> 22) & 1;
    c.update_mmu_idx();
}

// SP_EL0 is not accessible by MRS/MSR while it is the current stack pointer.
uint64_t read_sp_el0(Cpu& c) {
    if (c.s.spsel == 0) c.undefined();
    return c.s.sp_el[0];
}
void write_sp_el0(Cpu& c, uint64_t v) {
    if (c.s.spsel == 0) c.undefined();
    c.s.sp_el[0] = v;
}

const SysRegDesc kSpecial[] = {
    {"NZCV", sysreg_enc(3, 3, 4, 2, 0), 0, [](Cpu& c) -> uint64_t { return c.s.nzcv; },
     [](Cpu& c, uint64_t v) { c.s.nzcv = static_cast<uint32_t>(v) & 0xf0000000u; }},
    {"DAIF", sysreg_enc(3, 3, 4, 2, 1), 0, [](Cpu& c) -> uint64_t { return c.s.daif; },
     [](Cpu& c, uint64_t v) { c.s.daif = static_cast<uint32_t>(v) & 0x3c0u; }, true, uma_allowed},
    {"SPSel", sysreg_enc(3, 0, 4, 2, 0), 1, [](Cpu& c) -> uint64_t { return c.s.spsel; },
     [](Cpu& c, uint64_t v) { c.s.spsel = v & 1; }, true},
    {"CurrentEL", sysreg_enc(3, 0, 4, 2, 2), 1, SYSREG_RO(static_cast<uint64_t>(c.s.el) << 2)},
    {"PAN", sysreg_enc(3, 0, 4, 2, 3), 1, read_pan, write_pan, true},
    {"SP_EL0", sysreg_enc(3, 0, 4, 1, 0), 1, read_sp_el0, write_sp_el0},
    {"SP_EL1", sysreg_enc(3, 4, 4, 1, 0), 2, [](Cpu& c) -> uint64_t { return c.s.sp_el[1]; },
     [](Cpu& c, uint64_t v) { c.s.sp_el[1] = v; }},
    {"ELR_EL1", sysreg_enc(3, 0, 4, 0, 1), 1, SYSREG_RW(elr_el1)},
    // SPSR_EL1: M[4:0], F, I, A, D, IL, SS, PAN, UAO, N, Z, C, V as stored.
    {"SPSR_EL1", sysreg_enc(3, 0, 4, 0, 0), 1, SYSREG_RW_MASK(spsr_el1, 0xf0f003dfull)},
    {"FPCR", sysreg_enc(3, 3, 4, 4, 0), 0, read_fpcr, write_fpcr},
    {"FPSR", sysreg_enc(3, 3, 4, 4, 1), 0, read_fpsr, write_fpsr},
};

// Every table find_sysreg consults. A new area adds its span here.
using SysRegTable = std::span<const SysRegDesc> (*)();
constexpr SysRegTable kTables[] = {special_sysregs, el1_sysregs,   id_sysregs, debug_sysregs,
                                   pmu_sysregs,     timer_sysregs, icc_sysregs};

} // namespace

std::span<const SysRegDesc> special_sysregs() {
    return kSpecial;
}

const SysRegDesc* find_sysreg(uint32_t enc) {
    // Indexed by the 16-bit encoding: MRS/MSR look registers up at run time,
    // often enough (the kernel reads timers, DAIF, ...) that a hash lookup shows.
    constexpr uint32_t kEncodings = 1u << 16;
    static const std::vector<const SysRegDesc*> table = [] {
        std::vector<const SysRegDesc*> t(kEncodings, nullptr);
        for (SysRegTable tab : kTables)
            for (const auto& d : tab()) {
                if (d.enc >= kEncodings || t[d.enc]) abort(); // two tables claim one encoding
                t[d.enc] = &d;
            }
        return t;
    }();
    return enc < kEncodings ? table[enc] : nullptr;
}

const SysRegDesc* find_sysreg(std::string_view name) {
    for (SysRegTable table : kTables)
        for (const auto& d : table())
            if (name == d.name) return &d;
    return nullptr;
}

} // namespace kestrel
