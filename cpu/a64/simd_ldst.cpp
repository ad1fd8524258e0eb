// Advanced SIMD structure loads and stores: LD1-LD4/ST1-ST4 multiple
// structures, single structure (one lane), and LD1R-LD4R replicate, each
// with optional post-index by immediate (Rm=31) or register.
//
// Loads gather into temporaries and commit the registers only after every
// access succeeded, and the base is written back last, so a fault leaves
// no register partially updated. Stores may have written some memory when
// a later access faults, which the architecture allows.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_util.hpp"

namespace kestrel::a64 {
namespace {

void writeback(Cpu& c, uint32_t i, uint64_t address, uint64_t imm_offset) {
    if (!bit(i, 23)) return; // no post-index
    unsigned rm = rm_of(i);
    uint64_t offset = rm == 31 ? imm_offset : c.xr(rm);
    c.set_xsp(rn_of(i), address + offset);
}

template <typename T>
void multiple_t(Cpu& c, uint64_t addr, unsigned t, unsigned rpt, unsigned selem, bool load,
                bool q) {
    const unsigned elements = (q ? 16 : 8) / sizeof(T);
    VReg regs[4];
    const unsigned nregs = rpt * selem;
    if (!load)
        for (unsigned k = 0; k < nregs; k++)
            regs[k] = c.s.v[(t + k) % 32];
    uint64_t a = addr;
    if (selem == 1) {
        // LD1/ST1: each register is a contiguous run of memory in lane order,
        // moved as doublewords of lanes that need only lane alignment.
        for (unsigned k = 0; k < nregs; k++) {
            for (unsigned h = 0; h < (q ? 2u : 1u); h++, a += 8) {
                uint64_t& half = h ? regs[k].hi : regs[k].lo;
                if (load)
                    half = c.load_elems<uint64_t>(a, sizeof(T));
                else
                    c.store_elems<uint64_t>(a, half, sizeof(T));
            }
        }
    } else {
        // Interleaved structures: element e of registers t..t+selem-1.
        for (unsigned e = 0; e < elements; e++) {
            for (unsigned s = 0; s < selem; s++, a += sizeof(T)) {
                if (load)
                    set_elem<T>(regs[s], e, c.load<T>(a));
                else
                    c.store<T>(a, elem<T>(regs[s], e));
            }
        }
    }
    if (load)
        for (unsigned k = 0; k < nregs; k++)
            write_vec(c, (t + k) % 32, regs[k], q);
}

void ldst_multiple(Cpu& c, uint32_t i) {
    const bool q = bit(i, 30), load = bit(i, 22);
    const unsigned opcode = bits(i, 12, 4), size = bits(i, 10, 2);
    unsigned rpt, selem;
    switch (opcode) {
    case 0x0:
        rpt = 1;
        selem = 4;
        break;
    case 0x2:
        rpt = 4;
        selem = 1;
        break;
    case 0x4:
        rpt = 1;
        selem = 3;
        break;
    case 0x6:
        rpt = 3;
        selem = 1;
        break;
    case 0x7:
        rpt = 1;
        selem = 1;
        break;
    case 0x8:
        rpt = 1;
        selem = 2;
        break;
    case 0xa:
        rpt = 2;
        selem = 1;
        break;
    default: c.undefined();
    }
    if (size == 3 && !q && selem != 1) c.undefined();
    c.check_fp_enabled();
    const uint64_t addr = c.xsp(rn_of(i));
    const unsigned t = rd_of(i);
    with_usize(size, [&]<typename T>() { multiple_t<T>(c, addr, t, rpt, selem, load, q); });
    writeback(c, i, addr, static_cast<uint64_t>(rpt * selem) * (q ? 16 : 8));
}

template <typename T>
void single_t(Cpu& c, uint64_t addr, unsigned t, unsigned selem, unsigned index, bool load,
              bool replicate, bool q) {
    if (replicate) {
        VReg regs[4];
        for (unsigned s = 0; s < selem; s++) {
            T x = c.load<T>(addr + s * sizeof(T));
            for (unsigned e = 0; e < 16 / sizeof(T); e++)
                set_elem<T>(regs[s], e, x);
        }
        for (unsigned s = 0; s < selem; s++)
            write_vec(c, (t + s) % 32, regs[s], q);
        return;
    }
    if (load) {
        T vals[4];
        for (unsigned s = 0; s < selem; s++)
            vals[s] = c.load<T>(addr + s * sizeof(T));
        for (unsigned s = 0; s < selem; s++)
            set_elem<T>(c.s.v[(t + s) % 32], index, vals[s]);
    } else {
        for (unsigned s = 0; s < selem; s++)
            c.store<T>(addr + s * sizeof(T), elem<T>(c.s.v[(t + s) % 32], index));
    }
}

void ldst_single(Cpu& c, uint32_t i) {
    const bool q = bit(i, 30), load = bit(i, 22), sflag = bit(i, 12);
    const unsigned opcode = bits(i, 13, 3), size = bits(i, 10, 2);
    const unsigned selem = (((opcode & 1) << 1) | bit(i, 21)) + 1;
    unsigned scale = opcode >> 1, index = 0;
    bool replicate = false;
    switch (scale) {
    case 3:
        if (!load || sflag) c.undefined();
        scale = size;
        replicate = true;
        break;
    case 0: index = (q << 3) | (sflag << 2) | size; break;
    case 1:
        if (size & 1) c.undefined();
        index = (q << 2) | (sflag << 1) | (size >> 1);
        break;
    default:
        if (size & 2) c.undefined();
        if (size & 1) {
            if (sflag) c.undefined();
            index = q;
            scale = 3;
        } else {
            index = (q << 1) | sflag;
        }
        break;
    }
    c.check_fp_enabled();
    const uint64_t addr = c.xsp(rn_of(i));
    const unsigned t = rd_of(i);
    with_usize(scale,
               [&]<typename T>() { single_t<T>(c, addr, t, selem, index, load, replicate, q); });
    writeback(c, i, addr, static_cast<uint64_t>(selem) << scale);
}

#define MULT(name, l, opc)                                                                         \
    {name,          "simd_ldst",      P("0 Q:1 0011000 " l " 000000 " opc " size:2 Rn:5 Rt:5"),    \
     ldst_multiple, Feature::AdvSIMD, kInsnMem},                                                   \
    {                                                                                              \
        name "_post", "simd_ldst", P("0 Q:1 0011001 " l " 0 Rm:5 " opc " size:2 Rn:5 Rt:5"),       \
            ldst_multiple, Feature::AdvSIMD, kInsnMem                                              \
    }
#define SINGLE(name, l, r, o0)                                                                     \
    {name,                                                                                         \
     "simd_ldst",                                                                                  \
     P("0 Q:1 0011010 " l " " r " 00000 scale:2 " o0 " S:1 size:2 Rn:5 Rt:5"),                     \
     ldst_single,                                                                                  \
     Feature::AdvSIMD,                                                                             \
     kInsnMem},                                                                                    \
    {                                                                                              \
        name "_post", "simd_ldst",                                                                 \
            P("0 Q:1 0011011 " l " " r " Rm:5 scale:2 " o0 " S:1 size:2 Rn:5 Rt:5"), ldst_single,  \
            Feature::AdvSIMD, kInsnMem                                                             \
    }
#define REPL(name, r, o0)                                                                          \
    {name,        "simd_ldst",      P("0 Q:1 0011010 1 " r " 00000 11 " o0 " 0 size:2 Rn:5 Rt:5"), \
     ldst_single, Feature::AdvSIMD, kInsnMem},                                                     \
    {                                                                                              \
        name "_post", "simd_ldst", P("0 Q:1 0011011 1 " r " Rm:5 11 " o0 " 0 size:2 Rn:5 Rt:5"),   \
            ldst_single, Feature::AdvSIMD, kInsnMem                                                \
    }

constexpr InsnDesc kInsns[] = {
    MULT("ST4_mult", "0", "0000"),
    MULT("ST1_mult_4", "0", "0010"),
    MULT("ST3_mult", "0", "0100"),
    MULT("ST1_mult_3", "0", "0110"),
    MULT("ST1_mult_1", "0", "0111"),
    MULT("ST2_mult", "0", "1000"),
    MULT("ST1_mult_2", "0", "1010"),
    MULT("LD4_mult", "1", "0000"),
    MULT("LD1_mult_4", "1", "0010"),
    MULT("LD3_mult", "1", "0100"),
    MULT("LD1_mult_3", "1", "0110"),
    MULT("LD1_mult_1", "1", "0111"),
    MULT("LD2_mult", "1", "1000"),
    MULT("LD1_mult_2", "1", "1010"),
    // Replicate forms first: they share the single-structure space (scale 3).
    REPL("LD1R", "0", "0"),
    REPL("LD2R", "1", "0"),
    REPL("LD3R", "0", "1"),
    REPL("LD4R", "1", "1"),
    SINGLE("ST1_single", "0", "0", "0"),
    SINGLE("ST2_single", "0", "1", "0"),
    SINGLE("ST3_single", "0", "0", "1"),
    SINGLE("ST4_single", "0", "1", "1"),
    SINGLE("LD1_single", "1", "0", "0"),
    SINGLE("LD2_single", "1", "1", "0"),
    SINGLE("LD3_single", "1", "0", "1"),
    SINGLE("LD4_single", "1", "1", "1"),
};

#undef MULT
#undef SINGLE
#undef REPL

} // namespace

std::span<const InsnDesc> simd_ldst_insns() {
    return kInsns;
}

} // namespace kestrel::a64
