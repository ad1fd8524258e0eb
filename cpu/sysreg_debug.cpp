// Self-hosted debug registers a kernel touches: OS lock, MDSCR_EL1 and the
// breakpoint/watchpoint registers for the counts ID_AA64DFR0_EL1
// advertises. They are stored but do not yet raise debug exceptions.
#include "cpu/sysreg_access.hpp"

#include <array>
#include <utility>
#include <vector>

namespace kestrel {

namespace {

// MDSCR_EL1.TDCC traps EL0 access to the debug communications channel.
bool dcc_allowed(const Cpu& c) {
    return !(c.sys.mdscr_el1 & (1u << 12));
}

void write_oslar(Cpu& c, uint64_t v) {
    // OSLSR_EL1.OSLK (bit 1) follows OSLAR_EL1.OSLK.
    c.sys.oslsr_el1 = (c.sys.oslsr_el1 & ~2ull) | ((v & 1) << 1);
}

// MDSCR_EL1 bits of Armv8.0 self-hosted debug: SS, TDCC, KDE, HDE, MDE,
// TXfull/RXfull kept as stored.
constexpr uint64_t kMdscrWritable = (1u << 0) | (1u << 6) | (1u << 12) | (1u << 13) | (1u << 14) |
                                    (1u << 15) | (1u << 29) | (1u << 30);

constexpr unsigned kMaxPoints = 16;
constexpr const char* kBvr[kMaxPoints] = {
    "DBGBVR0_EL1",  "DBGBVR1_EL1",  "DBGBVR2_EL1",  "DBGBVR3_EL1", "DBGBVR4_EL1",  "DBGBVR5_EL1",
    "DBGBVR6_EL1",  "DBGBVR7_EL1",  "DBGBVR8_EL1",  "DBGBVR9_EL1", "DBGBVR10_EL1", "DBGBVR11_EL1",
    "DBGBVR12_EL1", "DBGBVR13_EL1", "DBGBVR14_EL1", "DBGBVR15_EL1"};
constexpr const char* kBcr[kMaxPoints] = {
    "DBGBCR0_EL1",  "DBGBCR1_EL1",  "DBGBCR2_EL1",  "DBGBCR3_EL1", "DBGBCR4_EL1",  "DBGBCR5_EL1",
    "DBGBCR6_EL1",  "DBGBCR7_EL1",  "DBGBCR8_EL1",  "DBGBCR9_EL1", "DBGBCR10_EL1", "DBGBCR11_EL1",
    "DBGBCR12_EL1", "DBGBCR13_EL1", "DBGBCR14_EL1", "DBGBCR15_EL1"};
constexpr const char* kWvr[kMaxPoints] = {
    "DBGWVR0_EL1",  "DBGWVR1_EL1",  "DBGWVR2_EL1",  "DBGWVR3_EL1", "DBGWVR4_EL1",  "DBGWVR5_EL1",
    "DBGWVR6_EL1",  "DBGWVR7_EL1",  "DBGWVR8_EL1",  "DBGWVR9_EL1", "DBGWVR10_EL1", "DBGWVR11_EL1",
    "DBGWVR12_EL1", "DBGWVR13_EL1", "DBGWVR14_EL1", "DBGWVR15_EL1"};
constexpr const char* kWcr[kMaxPoints] = {
    "DBGWCR0_EL1",  "DBGWCR1_EL1",  "DBGWCR2_EL1",  "DBGWCR3_EL1", "DBGWCR4_EL1",  "DBGWCR5_EL1",
    "DBGWCR6_EL1",  "DBGWCR7_EL1",  "DBGWCR8_EL1",  "DBGWCR9_EL1", "DBGWCR10_EL1", "DBGWCR11_EL1",
    "DBGWCR12_EL1", "DBGWCR13_EL1", "DBGWCR14_EL1", "DBGWCR15_EL1"};

// Whether breakpoint / watchpoint n exists on the core (BRPs and WRPs
// fields of ID_AA64DFR0_EL1 hold the count minus one).
bool has_bp(const Cpu& c, unsigned n) {
    return n <= ((c.model.id_aa64dfr0 >> 12) & 0xf);
}
bool has_wp(const Cpu& c, unsigned n) {
    return n <= ((c.model.id_aa64dfr0 >> 20) & 0xf);
}

template <unsigned N> uint64_t rd_bvr(Cpu& c) {
    if (!has_bp(c, N)) c.undefined();
    return c.sys.dbgbvr[N];
}
template <unsigned N> void wr_bvr(Cpu& c, uint64_t v) {
    if (!has_bp(c, N)) c.undefined();
    c.sys.dbgbvr[N] = v;
}
template <unsigned N> uint64_t rd_bcr(Cpu& c) {
    if (!has_bp(c, N)) c.undefined();
    return c.sys.dbgbcr[N];
}
template <unsigned N> void wr_bcr(Cpu& c, uint64_t v) {
    if (!has_bp(c, N)) c.undefined();
    c.sys.dbgbcr[N] = v & 0x00ff3fe7u; // BT, LBN, SSC, HMC, BAS, PMC, E
}
template <unsigned N> uint64_t rd_wvr(Cpu& c) {
    if (!has_wp(c, N)) c.undefined();
    return c.sys.dbgwvr[N];
}
template <unsigned N> void wr_wvr(Cpu& c, uint64_t v) {
    if (!has_wp(c, N)) c.undefined();
    c.sys.dbgwvr[N] = v & ~3ull;
}
template <unsigned N> uint64_t rd_wcr(Cpu& c) {
    if (!has_wp(c, N)) c.undefined();
    return c.sys.dbgwcr[N];
}
template <unsigned N> void wr_wcr(Cpu& c, uint64_t v) {
    if (!has_wp(c, N)) c.undefined();
    c.sys.dbgwcr[N] = v & 0x1f1fffffu; // MASK, WT, LBN, SSC, HMC, BAS, LSC, PAC, E
}

template <size_t... I>
constexpr std::array<SysRegDesc, 4 * sizeof...(I)> make_points(std::index_sequence<I...>) {
    return {SysRegDesc{kBvr[I], sysreg_enc(2, 0, 0, I, 4), 1, rd_bvr<I>, wr_bvr<I>}...,
            SysRegDesc{kBcr[I], sysreg_enc(2, 0, 0, I, 5), 1, rd_bcr<I>, wr_bcr<I>}...,
            SysRegDesc{kWvr[I], sysreg_enc(2, 0, 0, I, 6), 1, rd_wvr<I>, wr_wvr<I>}...,
            SysRegDesc{kWcr[I], sysreg_enc(2, 0, 0, I, 7), 1, rd_wcr<I>, wr_wcr<I>}...};
}

constexpr auto kPoints = make_points(std::make_index_sequence<kMaxPoints>{});

const SysRegDesc kDebug[] = {
    {"MDCCINT_EL1", sysreg_enc(2, 0, 0, 2, 0), 1,
     SYSREG_RW_MASK(mdccint_el1, (1u << 29) | (1u << 30))},
    {"MDSCR_EL1", sysreg_enc(2, 0, 0, 2, 2), 1, SYSREG_RW_MASK(mdscr_el1, kMdscrWritable)},
    {"MDCCSR_EL0", sysreg_enc(2, 3, 0, 1, 0), 0, SYSREG_RO(0), false, dcc_allowed},
    {"MDRAR_EL1", sysreg_enc(2, 0, 1, 0, 0), 1, SYSREG_RO(0)},
    {"OSLAR_EL1", sysreg_enc(2, 0, 1, 0, 4), 1, nullptr, write_oslar},
    {"OSLSR_EL1", sysreg_enc(2, 0, 1, 1, 4), 1, SYSREG_RO(c.sys.oslsr_el1)},
    {"OSDLR_EL1", sysreg_enc(2, 0, 1, 3, 4), 1, SYSREG_RW_MASK(osdlr_el1, 1)},
    {"DBGPRCR_EL1", sysreg_enc(2, 0, 1, 4, 4), 1, SYSREG_RAZ_WI},
    // Claim tags: SET reads the implemented tags, CLR reads the set ones.
    {"DBGCLAIMSET_EL1", sysreg_enc(2, 0, 7, 8, 6), 1, [](Cpu&) -> uint64_t { return 0xff; },
     [](Cpu& c, uint64_t v) { c.sys.dbgclaim |= v & 0xff; }},
    {"DBGCLAIMCLR_EL1", sysreg_enc(2, 0, 7, 9, 6), 1,
     [](Cpu& c) -> uint64_t { return c.sys.dbgclaim; },
     [](Cpu& c, uint64_t v) { c.sys.dbgclaim &= ~(v & 0xff); }},
    {"DBGAUTHSTATUS_EL1", sysreg_enc(2, 0, 7, 14, 6), 1, SYSREG_RO(0)},
};

} // namespace

std::span<const SysRegDesc> debug_sysregs() {
    static const std::vector<SysRegDesc> table = [] {
        std::vector<SysRegDesc> t(std::begin(kDebug), std::end(kDebug));
        t.insert(t.end(), kPoints.begin(), kPoints.end());
        return t;
    }();
    return table;
}

} // namespace kestrel
