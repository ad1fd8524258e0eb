// Identification registers: MIDR/MPIDR/REVIDR, the ID register space
// (op0=3, op1=0, CRn=0, CRm=1..7, unallocated encodings RAZ), and the cache
// identification registers.
#include "cpu/sysreg_access.hpp"

#include <array>
#include <utility>

namespace kestrel {

namespace {

// The value of ID register (CRm, op2) for a model. The AArch32 ID
// registers (CRm 1..3) read as zero: EL0 and EL1 are AArch64-only.
uint64_t id_space_value(const Cpu& c, unsigned crm, unsigned op2) {
    const CpuModel& m = c.model;
    switch (crm * 8 + op2) {
    case 4 * 8 + 0: return m.id_aa64pfr0;
    case 4 * 8 + 1: return m.id_aa64pfr1;
    case 4 * 8 + 4: return m.id_aa64zfr0;
    case 5 * 8 + 0: return m.id_aa64dfr0;
    case 5 * 8 + 1: return m.id_aa64dfr1;
    case 6 * 8 + 0: return m.id_aa64isar0;
    case 6 * 8 + 1: return m.id_aa64isar1;
    case 6 * 8 + 2: return m.id_aa64isar2;
    case 7 * 8 + 0: return m.id_aa64mmfr0;
    case 7 * 8 + 1: return m.id_aa64mmfr1;
    case 7 * 8 + 2: return m.id_aa64mmfr2;
    default: return 0;
    }
}

constexpr const char* kIdNames[8][8] = {
    {},
    {"ID_PFR0_EL1", "ID_PFR1_EL1", "ID_DFR0_EL1", "ID_AFR0_EL1", "ID_MMFR0_EL1", "ID_MMFR1_EL1",
     "ID_MMFR2_EL1", "ID_MMFR3_EL1"},
    {"ID_ISAR0_EL1", "ID_ISAR1_EL1", "ID_ISAR2_EL1", "ID_ISAR3_EL1", "ID_ISAR4_EL1", "ID_ISAR5_EL1",
     "ID_MMFR4_EL1", "ID_ISAR6_EL1"},
    {"MVFR0_EL1", "MVFR1_EL1", "MVFR2_EL1", "ID_RAZ_3_3", "ID_PFR2_EL1", "ID_DFR1_EL1",
     "ID_MMFR5_EL1", "ID_RAZ_3_7"},
    {"ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1", "ID_RAZ_4_2", "ID_RAZ_4_3", "ID_AA64ZFR0_EL1",
     "ID_AA64SMFR0_EL1", "ID_RAZ_4_6", "ID_RAZ_4_7"},
    {"ID_AA64DFR0_EL1", "ID_AA64DFR1_EL1", "ID_RAZ_5_2", "ID_RAZ_5_3", "ID_AA64AFR0_EL1",
     "ID_AA64AFR1_EL1", "ID_RAZ_5_6", "ID_RAZ_5_7"},
    {"ID_AA64ISAR0_EL1", "ID_AA64ISAR1_EL1", "ID_AA64ISAR2_EL1", "ID_RAZ_6_3", "ID_RAZ_6_4",
     "ID_RAZ_6_5", "ID_RAZ_6_6", "ID_RAZ_6_7"},
    {"ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1", "ID_AA64MMFR2_EL1", "ID_RAZ_7_3", "ID_RAZ_7_4",
     "ID_RAZ_7_5", "ID_RAZ_7_6", "ID_RAZ_7_7"},
};

template <unsigned N> uint64_t read_id(Cpu& c) {
    return id_space_value(c, N / 8, N % 8);
}

// One read-only entry per encoding of CRm 1..7 (index 8..63).
template <size_t... I>
constexpr std::array<SysRegDesc, sizeof...(I)> make_id_space(std::index_sequence<I...>) {
    return {SysRegDesc{kIdNames[(I + 8) / 8][(I + 8) % 8],
                       sysreg_enc(3, 0, 0, (I + 8) / 8, (I + 8) % 8), 1, read_id<I + 8>,
                       nullptr}...};
}

constexpr auto kIdSpace = make_id_space(std::make_index_sequence<56>{});

// Cache geometry reported through CCSIDR_EL1 (Armv8.0 format), by CSSELR:
// L1 data 32 KiB 2-way, L1 instruction 48 KiB 3-way, L2 2 MiB 16-way,
// 64-byte lines, matching CLIDR_EL1 and CTR_EL0 of the models.
uint64_t read_ccsidr(Cpu& c) {
    switch (c.sys.csselr_el1 & 0xf) {
    case 0: return 0x701fe00a; // L1 D
    case 1: return 0x201fe012; // L1 I
    case 2: return 0x70ffe07a; // L2 unified
    default: return 0;         // no such cache: UNKNOWN, zero here
    }
}

// SCTLR_EL1.UCT gates EL0 reads of CTR_EL0.
bool uct_allowed(const Cpu& c) {
    return c.sys.sctlr_el1 & (1u << 15);
}

// DCZID_EL0.DZP reads 1 at EL0 while SCTLR_EL1.DZE forbids DC ZVA there.
uint64_t read_dczid(Cpu& c) {
    uint64_t v = c.model.dczid;
    if (c.s.el == 0 && !(c.sys.sctlr_el1 & (1u << 14))) v |= 1u << 4;
    return v;
}

const SysRegDesc kIdOther[] = {
    {"MIDR_EL1", sysreg_enc(3, 0, 0, 0, 0), 1, SYSREG_RO(c.model.midr)},
    {"MPIDR_EL1", sysreg_enc(3, 0, 0, 0, 5), 1, SYSREG_RO(c.mpidr)},
    {"REVIDR_EL1", sysreg_enc(3, 0, 0, 0, 6), 1, SYSREG_RO(c.model.revidr)},
    {"CCSIDR_EL1", sysreg_enc(3, 1, 0, 0, 0), 1, read_ccsidr, nullptr},
    {"CLIDR_EL1", sysreg_enc(3, 1, 0, 0, 1), 1, SYSREG_RO(c.model.clidr)},
    {"AIDR_EL1", sysreg_enc(3, 1, 0, 0, 7), 1, SYSREG_RO(0)},
    {"CSSELR_EL1", sysreg_enc(3, 2, 0, 0, 0), 1, SYSREG_RW_MASK(csselr_el1, 0xf)},
    {"CTR_EL0", sysreg_enc(3, 3, 0, 0, 1), 0, SYSREG_RO(c.model.ctr_el0), false, uct_allowed},
    {"DCZID_EL0", sysreg_enc(3, 3, 0, 0, 7), 0, read_dczid, nullptr},
};

} // namespace

std::span<const SysRegDesc> id_sysregs() {
    // The two tables as one span.
    static const auto table = [] {
        std::array<SysRegDesc, kIdSpace.size() + std::size(kIdOther)> a{};
        size_t n = 0;
        for (const auto& d : kIdSpace)
            a[n++] = d;
        for (const auto& d : kIdOther)
            a[n++] = d;
        return a;
    }();
    return table;
}

} // namespace kestrel
