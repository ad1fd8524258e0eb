#include "cpu/sysreg.hpp"

#include "cpu/cpu.hpp"
#include "cpu/sysreg_icc.hpp"

#include <chrono>
#include <unordered_map>

namespace kestrel {

uint64_t guest_counter_ticks() {
    using namespace std::chrono;
    static const auto start = steady_clock::now();
    auto ns = duration_cast<nanoseconds>(steady_clock::now() - start).count();
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * kCounterFrequencyHz / 1'000'000'000);
}

namespace {

#define SYSREG_RW(name_, field_)                                                                    \
    [](Cpu& c) -> uint64_t { return c.sys.field_; }, [](Cpu& c, uint64_t v) { c.sys.field_ = v; }
#define SYSREG_RO(expr_) []([[maybe_unused]] Cpu & c) -> uint64_t { return (expr_); }, nullptr

bool uct_allowed(const Cpu& c) { return c.sys.sctlr_el1 & (1ull << 15); }
bool el0_counter_allowed(const Cpu& c) { return c.sys.cntkctl_el1 & 3; }

const SysRegDesc kSysRegs[] = {
    // Special-purpose registers
    {"NZCV", sysreg_enc(3, 3, 4, 2, 0), 0, [](Cpu& c) -> uint64_t { return c.s.nzcv; },
     [](Cpu& c, uint64_t v) { c.s.nzcv = static_cast<uint32_t>(v) & 0xf0000000u; }},
    {"DAIF", sysreg_enc(3, 3, 4, 2, 1), 1, [](Cpu& c) -> uint64_t { return c.s.daif; },
     [](Cpu& c, uint64_t v) { c.s.daif = static_cast<uint32_t>(v) & 0x3c0u; }, true},
    {"SPSel", sysreg_enc(3, 0, 4, 2, 0), 1, [](Cpu& c) -> uint64_t { return c.s.spsel; },
     [](Cpu& c, uint64_t v) { c.s.spsel = v & 1; }, true},
    {"CurrentEL", sysreg_enc(3, 0, 4, 2, 2), 1, SYSREG_RO(static_cast<uint64_t>(c.s.el) << 2)},
    {"SP_EL0", sysreg_enc(3, 0, 4, 1, 0), 1, [](Cpu& c) -> uint64_t { return c.s.sp_el[0]; },
     [](Cpu& c, uint64_t v) { c.s.sp_el[0] = v; }},
    {"ELR_EL1", sysreg_enc(3, 0, 4, 0, 1), 1, SYSREG_RW(ELR_EL1, elr_el1)},
    {"SPSR_EL1", sysreg_enc(3, 0, 4, 0, 0), 1, SYSREG_RW(SPSR_EL1, spsr_el1)},
    {"FPCR", sysreg_enc(3, 3, 4, 4, 0), 0, [](Cpu& c) -> uint64_t { return c.s.fpcr; },
     [](Cpu& c, uint64_t v) { c.s.fpcr = static_cast<uint32_t>(v) & 0x07ff9f00u; }},
    {"FPSR", sysreg_enc(3, 3, 4, 4, 1), 0, [](Cpu& c) -> uint64_t { return c.s.fpsr; },
     [](Cpu& c, uint64_t v) { c.s.fpsr = static_cast<uint32_t>(v) & 0xf800009fu; }},
    // Identification
    {"MIDR_EL1", sysreg_enc(3, 0, 0, 0, 0), 1, SYSREG_RO(c.model.midr)},
    {"MPIDR_EL1", sysreg_enc(3, 0, 0, 0, 5), 1, SYSREG_RO(c.mpidr)},
    {"REVIDR_EL1", sysreg_enc(3, 0, 0, 0, 6), 1, SYSREG_RO(c.model.revidr)},
    {"ID_AA64PFR0_EL1", sysreg_enc(3, 0, 0, 4, 0), 1, SYSREG_RO(c.model.id_aa64pfr0)},
    {"ID_AA64PFR1_EL1", sysreg_enc(3, 0, 0, 4, 1), 1, SYSREG_RO(c.model.id_aa64pfr1)},
    {"ID_AA64DFR0_EL1", sysreg_enc(3, 0, 0, 5, 0), 1, SYSREG_RO(c.model.id_aa64dfr0)},
    {"ID_AA64ISAR0_EL1", sysreg_enc(3, 0, 0, 6, 0), 1, SYSREG_RO(c.model.id_aa64isar0)},
    {"ID_AA64ISAR1_EL1", sysreg_enc(3, 0, 0, 6, 1), 1, SYSREG_RO(c.model.id_aa64isar1)},
    {"ID_AA64MMFR0_EL1", sysreg_enc(3, 0, 0, 7, 0), 1, SYSREG_RO(c.model.id_aa64mmfr0)},
    {"ID_AA64MMFR1_EL1", sysreg_enc(3, 0, 0, 7, 1), 1, SYSREG_RO(c.model.id_aa64mmfr1)},
    {"ID_AA64MMFR2_EL1", sysreg_enc(3, 0, 0, 7, 2), 1, SYSREG_RO(c.model.id_aa64mmfr2)},
    {"CTR_EL0", sysreg_enc(3, 3, 0, 0, 1), 0, SYSREG_RO(c.model.ctr_el0), false, uct_allowed},
    {"DCZID_EL0", sysreg_enc(3, 3, 0, 0, 7), 0, SYSREG_RO(c.model.dczid)},
    // Thread ID
    {"TPIDR_EL0", sysreg_enc(3, 3, 13, 0, 2), 0, SYSREG_RW(TPIDR_EL0, tpidr_el0)},
    {"TPIDRRO_EL0", sysreg_enc(3, 3, 13, 0, 3), 0, SYSREG_RW(TPIDRRO_EL0, tpidrro_el0)},
    {"TPIDR_EL1", sysreg_enc(3, 0, 13, 0, 4), 1, SYSREG_RW(TPIDR_EL1, tpidr_el1)},
    // EL1 control
    {"SCTLR_EL1", sysreg_enc(3, 0, 1, 0, 0), 1, SYSREG_RW(SCTLR_EL1, sctlr_el1), true},
    {"VBAR_EL1", sysreg_enc(3, 0, 12, 0, 0), 1, SYSREG_RW(VBAR_EL1, vbar_el1)},
    {"ESR_EL1", sysreg_enc(3, 0, 5, 2, 0), 1, SYSREG_RW(ESR_EL1, esr_el1)},
    {"FAR_EL1", sysreg_enc(3, 0, 6, 0, 0), 1, SYSREG_RW(FAR_EL1, far_el1)},
    // Generic timer
    {"CNTFRQ_EL0", sysreg_enc(3, 3, 14, 0, 0), 0, SYSREG_RO(kCounterFrequencyHz)},
    {"CNTPCT_EL0", sysreg_enc(3, 3, 14, 0, 1), 0, SYSREG_RO(guest_counter_ticks()), false, el0_counter_allowed},
    {"CNTVCT_EL0", sysreg_enc(3, 3, 14, 0, 2), 0, SYSREG_RO(guest_counter_ticks() - c.sys.cntvoff_el2),
     false, el0_counter_allowed},
};

} // namespace

const SysRegDesc* find_sysreg(uint32_t enc) {
    static const std::unordered_map<uint32_t, const SysRegDesc*> map = [] {
        std::unordered_map<uint32_t, const SysRegDesc*> m;
        for (const auto& d : kSysRegs) m.emplace(d.enc, &d);
        for (const auto& d : icc_sysregs()) m.emplace(d.enc, &d);
        return m;
    }();
    auto it = map.find(enc);
    return it == map.end() ? nullptr : it->second;
}

const SysRegDesc* find_sysreg(std::string_view name) {
    for (const auto& d : kSysRegs)
        if (name == d.name) return &d;
    for (const auto& d : icc_sysregs())
        if (name == d.name) return &d;
    return nullptr;
}

} // namespace kestrel
