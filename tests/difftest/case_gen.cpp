#include "tests/difftest/case_gen.hpp"

#include "tests/fpcheck/fp_values.hpp"

#include <array>
#include <random>
#include <string_view>

namespace kestrel::difftest {

namespace {

using Rng = std::mt19937_64;

uint64_t pick(Rng& rng, uint64_t n) {
    return n ? rng() % n : 0;
}
bool chance(Rng& rng, unsigned one_in) {
    return pick(rng, one_in) == 0;
}

// Register operand fields are named R<lower case>...: Rd, Rn, Rm, Rt, Rt2, Ra, Rs.
bool is_register_field(std::string_view name) {
    return name.size() >= 2 && name[0] == 'R' && name[1] >= 'a' && name[1] <= 'z';
}
bool is_immediate_field(std::string_view name) {
    return name.substr(0, 3) == "imm";
}

uint64_t width_mask(unsigned w) {
    return w >= 64 ? ~0ull : (1ull << w) - 1;
}

// A field value: small fields uniformly, wide ones biased toward 0, 1,
// all-ones and the signed boundaries.
uint64_t edge_field(Rng& rng, unsigned w) {
    const uint64_t m = width_mask(w);
    if (w <= 3) return rng() & m;
    switch (pick(rng, 10)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m;
    case 3: return 1ull << (w - 1);
    case 4: return (1ull << (w - 1)) - 1;
    case 5: return pick(rng, 8);
    default: return rng() & m;
    }
}

uint64_t register_number(Rng& rng) {
    switch (pick(rng, 10)) {
    case 0: return 31;
    case 1: return 30;
    case 2: return 0;
    default: return pick(rng, 32);
    }
}

constexpr std::array<uint64_t, 20> kIntEdges = {
    0,
    1,
    2,
    ~0ull,
    ~0ull - 1,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0xffffffffull,
    0x80000000ull,
    0x7fffffffull,
    0x100000000ull,
    0xffffffff00000000ull,
    0xffffffff80000000ull,
    0x8000ull,
    0x7fffull,
    0xffffull,
    0x00000000ffff0000ull,
    0x8000000000000001ull,
    0x0000000080000001ull,
    0xfffffffffffff000ull,
};

uint64_t edge_value64(Rng& rng) {
    switch (pick(rng, 8)) {
    case 0:
    case 1: return kIntEdges[pick(rng, kIntEdges.size())];
    case 2: return pick(rng, 64);
    case 3: return static_cast<uint64_t>(-static_cast<int64_t>(pick(rng, 64)));
    case 4: return rng() & 0xffffffffull;
    case 5: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(rng())));
    default: return rng();
    }
}

// FP special values (zeros, infinities, quiet and signalling NaNs,
// denormals, min/max normal, integer-conversion boundaries).
constexpr std::array<uint64_t, 18> kF64 = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff4000000000000ull, 0x0000000000000001ull, 0x000fffffffffffffull,
    0x0010000000000000ull, 0x7fefffffffffffffull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3fe0000000000000ull, 0x4330000000000000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x41e0000000000000ull, 0x3ff8000000000000ull,
};
constexpr std::array<uint32_t, 18> kF32 = {
    0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7fa00000u,
    0x00000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu, 0x3f800000u, 0xbf800000u,
    0x3f000000u, 0x4f000000u, 0xcf000000u, 0x5f000000u, 0x4b000000u, 0x3fc00000u,
};
constexpr std::array<uint16_t, 14> kF16 = {
    0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7d00, 0x0001,
    0x03ff, 0x0400, 0x7bff, 0x3c00, 0xbc00, 0x3800, 0x3e00,
};

uint64_t edge_vector_half(Rng& rng) {
    switch (pick(rng, 6)) {
    case 0: return kF64[pick(rng, kF64.size())];
    case 1:
        return kF32[pick(rng, kF32.size())] | static_cast<uint64_t>(kF32[pick(rng, kF32.size())])
                                                  << 32;
    case 2: {
        uint64_t v = 0;
        for (int i = 0; i < 4; i++)
            v |= static_cast<uint64_t>(kF16[pick(rng, kF16.size())]) << (16 * i);
        return v;
    }
    case 3: return edge_value64(rng);
    default: return rng();
    }
}

// Floating-point entries (scalar FP and AdvSIMD FP groups) get registers
// whose lanes are edge-biased FP values of one format per 64-bit half, as
// the FP cross-check draws them (zeros, subnormals, extreme normals,
// infinities, NaNs, values near rounding and conversion boundaries).
bool is_fp_group(std::string_view group) {
    return group.substr(0, 3) == "fp_" || group.substr(0, 8) == "simd_fp_" ||
           group.substr(0, 12) == "simd_scalar_";
}

using fptest::FormatInfo;
using fptest::ValueGen;

// 64 bits of lanes of one format; related != nullptr derives each lane
// from the same lane of another register (equal, negated, nearby, scaled)
// so that two-operand lanes meet cancellation, ties and equal compares.
uint64_t fp_lanes(ValueGen& g, const FormatInfo& fi, const uint64_t* related) {
    uint64_t v = 0;
    const uint64_t mask = fi.n == 64 ? ~0ull : (1ull << fi.n) - 1;
    for (int at = 0; at < 64; at += fi.n) {
        uint64_t x = related ? g.related(fi, (*related >> at) & mask) : g.fp(fi);
        v |= (x & mask) << at;
    }
    return v;
}

void fp_vector(ValueGen& g, Rng& rng, const uint64_t* related, uint64_t out[2]) {
    for (int h = 0; h < 2; h++) {
        const uint64_t* rel = related ? &related[h] : nullptr;
        switch (pick(rng, 10)) {
        case 0:
        case 1:
        case 2:
        case 3: out[h] = fp_lanes(g, fptest::kSingleInfo, rel); break;
        case 4:
        case 5:
        case 6:
        case 7: out[h] = fp_lanes(g, fptest::kDoubleInfo, rel); break;
        case 8: out[h] = fp_lanes(g, fptest::kHalfInfo, rel); break;
        default: out[h] = edge_vector_half(rng); break;
        }
    }
}

// FPCR: only bits every implementation keeps (AHP, DN, FZ, RMode; FZ16
// with FP16), so a read-back never differs by implementation choice.
uint32_t random_fpcr(Rng& rng, uint64_t features) {
    if (chance(rng, 3)) return 0;
    uint32_t v = 0;
    if (chance(rng, 4)) v |= 1u << 26;
    if (chance(rng, 4)) v |= 1u << 25;
    if (chance(rng, 4)) v |= 1u << 24;
    if (chance(rng, 2)) v |= static_cast<uint32_t>(pick(rng, 4)) << 22;
    if ((features & feature_bit(Feature::FP16)) && chance(rng, 4)) v |= 1u << 19;
    return v;
}

// FPSR: the cumulative exception flags and QC.
uint32_t random_fpsr(Rng& rng) {
    if (chance(rng, 2)) return 0;
    return static_cast<uint32_t>(rng()) & 0x0800009fu;
}

// Branch offsets stay within this many words of the test address, never
// zero (a branch to itself would loop).
constexpr int kBranchReach = 24;

int64_t small_nonzero(Rng& rng) {
    int64_t v = static_cast<int64_t>(pick(rng, kBranchReach)) + 1;
    return chance(rng, 2) ? -v : v;
}

void random_state(Rng& rng, uint64_t features, bool fp_lanes_wanted, dt_state& s) {
    if (fp_lanes_wanted) {
        ValueGen g(rng());
        for (unsigned r = 0; r < 32; r++) {
            const bool relate = r > 0 && chance(rng, 3);
            fp_vector(g, rng, relate ? s.v[pick(rng, r)] : nullptr, s.v[r]);
        }
    } else {
        for (auto& v : s.v) {
            v[0] = edge_vector_half(rng);
            v[1] = chance(rng, 4) ? v[0] : edge_vector_half(rng);
        }
    }
    for (auto& x : s.x)
        x = edge_value64(rng);
    s.sp = edge_value64(rng);
    s.pc = DT_TEST_ADDR;
    s.nzcv = static_cast<uint32_t>(pick(rng, 16)) << 28;
    s.fpcr = random_fpcr(rng, features);
    s.fpsr = random_fpsr(rng);
    s.reserved = 0;
}

// Register fields of memory instructions are kept distinct (except that
// number 31 may repeat: SP as base, ZR as data), which avoids the
// CONSTRAINED UNPREDICTABLE overlaps of writeback and pair forms.
bool conflicts(const uint32_t* values, const std::string_view* names, unsigned n,
               std::string_view name, uint32_t v) {
    for (unsigned i = 0; i < n; i++) {
        if (values[i] != v) continue;
        if (v == 31 && ((names[i] == "Rn") != (name == "Rn"))) continue;
        return true;
    }
    return false;
}

uint32_t draw_word(const InsnDesc& d, Rng& rng) {
    const bool mem = d.flags & kInsnMem;
    const bool branch = (d.flags & kInsnEndsBlock) && !mem;
    uint32_t word = d.pat.value | (static_cast<uint32_t>(rng()) & ~d.pat.mask);
    uint32_t reg_values[12];
    std::string_view reg_names[12];
    unsigned nregs = 0;
    for (unsigned i = 0; i < d.pat.nfields; i++) {
        const InsnField& f = d.pat.fields[i];
        uint64_t v;
        if (is_register_field(f.name)) {
            v = register_number(rng);
            for (int tries = 0;
                 mem && tries < 32 && conflicts(reg_values, reg_names, nregs, f.name, v); tries++)
                v = register_number(rng);
            reg_values[nregs] = static_cast<uint32_t>(v);
            reg_names[nregs++] = f.name;
        } else if (is_immediate_field(f.name) && branch) {
            v = static_cast<uint64_t>(small_nonzero(rng));
        } else if (is_immediate_field(f.name) && mem && f.width >= 14 && chance(rng, 2)) {
            // PC-relative literal offsets: mostly onto the code region.
            v = static_cast<uint64_t>(small_nonzero(rng) * 8);
        } else {
            v = edge_field(rng, f.width);
        }
        const uint32_t m = static_cast<uint32_t>(width_mask(f.width)) << f.lsb;
        word = (word & ~m) | ((static_cast<uint32_t>(v) << f.lsb) & m);
    }
    return word;
}

uint32_t field_value(const InsnDesc& d, uint32_t word, std::string_view name) {
    const InsnField* f = d.pat.field(name);
    return f ? static_cast<uint32_t>((word >> f->lsb) & width_mask(f->width)) : ~0u;
}

// Points base registers of memory instructions into the buffer, index
// registers at small offsets, and sometimes makes data registers equal the
// memory they will meet (compare-and-swap success paths).
void aim_memory_operands(const InsnDesc& d, uint32_t word, uint64_t buf_seed, Rng& rng,
                         dt_state& s) {
    uint64_t off = DT_BUF_BASE_OFFSET;
    switch (pick(rng, 4)) {
    case 0: off += pick(rng, 256); break;
    case 1: off += 8 * pick(rng, 32); break;
    default: off += 16 * pick(rng, 16); break;
    }
    const uint64_t base = DT_BUF_BASE + off;
    const uint64_t at_base = dt_pattern_word(buf_seed, off / 8);
    const bool equal_to_memory = chance(rng, 4);
    for (unsigned i = 0; i < d.pat.nfields; i++) {
        const InsnField& f = d.pat.fields[i];
        if (!is_register_field(f.name) || f.name == "Rn") continue;
        uint32_t r = field_value(d, word, f.name);
        if (r == 31) continue;
        if (f.name == "Rm")
            s.x[r] = chance(rng, 4) ? static_cast<uint64_t>(-static_cast<int64_t>(pick(rng, 16)))
                                    : pick(rng, 64);
        else if (equal_to_memory)
            s.x[r] = at_base;
    }
    uint32_t rn = field_value(d, word, "Rn");
    if (rn == 31)
        s.sp = base & ~15ull; // SP-based accesses stay 16-byte aligned
    else if (rn != ~0u)
        s.x[rn] = base;
}

// Register-indirect branch targets land on pads near the test address,
// sometimes misaligned to provoke the PC alignment fault.
void aim_branch_target(const InsnDesc& d, uint32_t word, Rng& rng, dt_state& s) {
    uint32_t rn = field_value(d, word, "Rn");
    if (rn == ~0u || rn == 31) return;
    uint64_t target = DT_TEST_ADDR + static_cast<uint64_t>(small_nonzero(rng) * 4);
    if (chance(rng, 8)) target += 1 + pick(rng, 3);
    s.x[rn] = target;
}

} // namespace

bool difftestable(const InsnDesc& d) {
    return !(d.flags & (kInsnSystem | kInsnNoDifftest));
}

uint64_t case_seed_for(uint64_t run_seed, const char* entry_name, uint64_t index) {
    uint64_t h = 0xcbf29ce484222325ull; // FNV-1a of the name
    for (const char* p = entry_name; *p; p++)
        h = (h ^ static_cast<unsigned char>(*p)) * 0x100000001b3ull;
    return dt_mix64(run_seed ^ dt_mix64(h) ^ dt_mix64(index + 0x1234567ull));
}

bool generate_case(const InsnDesc& d, uint64_t features, uint64_t buf_seed, uint64_t case_seed,
                   dt_case& out) {
    Rng rng(case_seed);
    out = dt_case{};
    uint32_t word = 0;
    bool found = false;
    for (int tries = 0; tries < 64 && !found; tries++) {
        word = draw_word(d, rng);
        found = a64_decode(word, features) == &d;
    }
    if (!found) return false;
    out.ninsns = 1;
    out.insn[0] = word;
    random_state(rng, features, is_fp_group(d.group), out.init);
    if (d.flags & kInsnMem)
        aim_memory_operands(d, word, buf_seed, rng, out.init);
    else if (d.flags & kInsnEndsBlock)
        aim_branch_target(d, word, rng, out.init);
    return true;
}

} // namespace kestrel::difftest
