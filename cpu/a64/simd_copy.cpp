// Advanced SIMD data movement: copy (DUP/INS/UMOV/SMOV), scalar DUP,
// EXT, permutes (ZIP/UZP/TRN), table lookup (TBL/TBX) and the modified
// immediate moves (MOVI/MVNI/ORR/BIC/FMOV immediate).
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_util.hpp"

namespace kestrel::a64 {
namespace {

// imm5 decode: element size and index, UNDEFINED when imm5<3:0> == 0.
struct Imm5 {
    unsigned size, index;
};
Imm5 decode_imm5(Cpu& c, uint32_t i) {
    uint32_t imm5 = bits(i, 16, 5);
    int size = imm5_size(imm5);
    if (size < 0) c.undefined();
    return {static_cast<unsigned>(size), imm5 >> (size + 1)};
}

void dup_elem(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    bool q = bit(i, 30);
    if (f.size == 3 && !q) c.undefined();
    c.check_fp_enabled();
    VReg src = c.s.v[rn_of(i)], r;
    with_usize(f.size, [&]<typename T>() {
        T x = elem<T>(src, f.index);
        for (unsigned e = 0; e < 16 / sizeof(T); e++)
            set_elem<T>(r, e, x);
    });
    write_vec(c, rd_of(i), r, q);
}

void dup_general(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    bool q = bit(i, 30);
    if (f.size == 3 && !q) c.undefined();
    c.check_fp_enabled();
    uint64_t x = c.xr(rn_of(i));
    VReg r;
    with_usize(f.size, [&]<typename T>() {
        for (unsigned e = 0; e < 16 / sizeof(T); e++)
            set_elem<T>(r, e, static_cast<T>(x));
    });
    write_vec(c, rd_of(i), r, q);
}

void dup_scalar(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    c.check_fp_enabled();
    VReg src = c.s.v[rn_of(i)];
    uint64_t x = 0;
    with_usize(f.size, [&]<typename T>() { x = elem<T>(src, f.index); });
    write_scalar(c, rd_of(i), x, 1u << f.size);
}

void ins_general(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    c.check_fp_enabled();
    uint64_t x = c.xr(rn_of(i));
    VReg& d = c.s.v[rd_of(i)];
    with_usize(f.size, [&]<typename T>() { set_elem<T>(d, f.index, static_cast<T>(x)); });
}

void ins_elem(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    c.check_fp_enabled();
    unsigned src_index = bits(i, 11, 4) >> f.size;
    VReg src = c.s.v[rn_of(i)];
    VReg& d = c.s.v[rd_of(i)];
    with_usize(f.size, [&]<typename T>() { set_elem<T>(d, f.index, elem<T>(src, src_index)); });
}

void umov(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    bool q = bit(i, 30);
    // Q=0: B/H/S into Wd; Q=1: D into Xd only.
    if (q ? f.size != 3 : f.size == 3) c.undefined();
    c.check_fp_enabled();
    VReg src = c.s.v[rn_of(i)];
    uint64_t x = 0;
    with_usize(f.size, [&]<typename T>() { x = elem<T>(src, f.index); });
    c.set_xr(rd_of(i), x);
}

void smov(Cpu& c, uint32_t i) {
    Imm5 f = decode_imm5(c, i);
    bool q = bit(i, 30);
    // Q=0: B/H into Wd; Q=1: B/H/S into Xd.
    if (f.size == 3 || (!q && f.size == 2)) c.undefined();
    c.check_fp_enabled();
    VReg src = c.s.v[rn_of(i)];
    int64_t x = 0;
    with_usize(f.size, [&]<typename T>() { x = static_cast<S<T>>(elem<T>(src, f.index)); });
    c.set_xr(rd_of(i), q ? static_cast<uint64_t>(x) : static_cast<uint32_t>(x));
}

void ext(Cpu& c, uint32_t i) {
    bool q = bit(i, 30);
    unsigned pos = bits(i, 11, 4);
    if (!q && pos >= 8) c.undefined();
    c.check_fp_enabled();
    uint8_t buf[32];
    unsigned n = q ? 16 : 8;
    std::memcpy(buf, &c.s.v[rn_of(i)], n);
    std::memcpy(buf + n, &c.s.v[rm_of(i)], n);
    VReg r;
    std::memcpy(&r, buf + pos, n);
    write_vec(c, rd_of(i), r, q);
}

// ZIP/UZP/TRN share one handler: bits 14:12 pick the operation.
void permute(Cpu& c, uint32_t i) {
    bool q = bit(i, 30);
    unsigned size = bits(i, 22, 2), opc = bits(i, 12, 3);
    if (size == 3 && !q) c.undefined();
    c.check_fp_enabled();
    VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)], r;
    unsigned part = opc >> 2; // 1 for the "2" variants
    with_usize(size, [&]<typename T>() {
        unsigned elements = (q ? 16 : 8) / sizeof(T);
        unsigned half = elements / 2;
        for (unsigned e = 0; e < elements; e++) {
            T x;
            switch (opc & 3) {
            case 1: { // UZP: even (or odd) elements of n:m
                unsigned s = 2 * e + part;
                x = s < elements ? elem<T>(n, s) : elem<T>(m, s - elements);
                break;
            }
            case 2: { // TRN
                unsigned p = e & ~1u;
                x = (e & 1) ? elem<T>(m, p + part) : elem<T>(n, p + part);
                break;
            }
            default: { // ZIP
                unsigned base = part * half + e / 2;
                x = (e & 1) ? elem<T>(m, base) : elem<T>(n, base);
                break;
            }
            }
            set_elem<T>(r, e, x);
        }
    });
    write_vec(c, rd_of(i), r, q);
}

void tbl_tbx(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    bool q = bit(i, 30), is_tbx = bit(i, 12);
    unsigned nregs = bits(i, 13, 2) + 1, rn = rn_of(i);
    uint8_t table[64];
    for (unsigned k = 0; k < nregs; k++)
        std::memcpy(table + 16 * k, &c.s.v[(rn + k) % 32], 16);
    VReg idx = c.s.v[rm_of(i)];
    VReg r = is_tbx ? c.s.v[rd_of(i)] : VReg{};
    unsigned n = q ? 16 : 8;
    for (unsigned e = 0; e < n; e++) {
        uint8_t x = elem<uint8_t>(idx, e);
        if (x < 16 * nregs)
            set_elem<uint8_t>(r, e, table[x]);
        else if (!is_tbx)
            set_elem<uint8_t>(r, e, 0);
    }
    write_vec(c, rd_of(i), r, q);
}

// AdvSIMDExpandImm: the 64-bit pattern of a modified immediate.
uint64_t expand_imm(unsigned op, unsigned cmode, uint64_t imm8) {
    auto rep32 = [](uint64_t x) { return x | (x << 32); };
    auto rep16 = [](uint64_t x) { return x * 0x0001000100010001ull; };
    switch (cmode >> 1) {
    case 0: return rep32(imm8);
    case 1: return rep32(imm8 << 8);
    case 2: return rep32(imm8 << 16);
    case 3: return rep32(imm8 << 24);
    case 4: return rep16(imm8);
    case 5: return rep16(imm8 << 8);
    case 6: return (cmode & 1) ? rep32((imm8 << 16) | 0xffff) : rep32((imm8 << 8) | 0xff);
    default: break;
    }
    if (!(cmode & 1)) {
        if (!op) return imm8 * 0x0101010101010101ull;
        uint64_t r = 0;
        for (unsigned b = 0; b < 8; b++)
            if ((imm8 >> b) & 1) r |= 0xffull << (8 * b);
        return r;
    }
    uint64_t a = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1, cdefgh = imm8 & 0x3f;
    if (!op) { // single precision a:NOT(b):bbbbb:cdefgh:Zeros(19)
        uint64_t f = (a << 31) | ((b ^ 1) << 30) | ((b ? 0x1full : 0) << 25) | (cdefgh << 19);
        return rep32(f);
    }
    // double precision a:NOT(b):bbbbbbbb:cdefgh:Zeros(48)
    return (a << 63) | ((b ^ 1) << 62) | ((b ? 0xffull : 0) << 54) | (cdefgh << 48);
}

void mod_imm(Cpu& c, uint32_t i) {
    bool q = bit(i, 30);
    unsigned op = bit(i, 29), cmode = bits(i, 12, 4);
    if (cmode == 0xf && op && !q) c.undefined(); // FMOV Dd is not a vector form
    c.check_fp_enabled();
    uint64_t imm8 = (bits(i, 16, 3) << 5) | bits(i, 5, 5);
    uint64_t imm = expand_imm(op, cmode, imm8);
    unsigned rd = rd_of(i);
    VReg r;
    // cmode 0xx1 and 10x1 are ORR (op=0) / BIC (op=1); the rest are moves.
    bool logical = (cmode & 1) && cmode < 12;
    if (logical) {
        r = c.s.v[rd];
        if (op) {
            r.lo &= ~imm;
            r.hi &= ~imm;
        } else {
            r.lo |= imm;
            r.hi |= imm;
        }
    } else {
        // MVNI: cmode other than 111x with op=1 inverts the pattern.
        bool invert = op && cmode < 14;
        r.lo = r.hi = invert ? ~imm : imm;
    }
    write_vec(c, rd, r, q);
}

constexpr InsnDesc kInsns[] = {
    {"DUP_elem", "simd_copy", P("0 Q:1 0 01110000 imm5:5 0 0000 1 Rn:5 Rd:5"), dup_elem,
     Feature::AdvSIMD},
    {"DUP_general", "simd_copy", P("0 Q:1 0 01110000 imm5:5 0 0001 1 Rn:5 Rd:5"), dup_general,
     Feature::AdvSIMD},
    {"SMOV", "simd_copy", P("0 Q:1 0 01110000 imm5:5 0 0101 1 Rn:5 Rd:5"), smov, Feature::AdvSIMD},
    {"UMOV", "simd_copy", P("0 Q:1 0 01110000 imm5:5 0 0111 1 Rn:5 Rd:5"), umov, Feature::AdvSIMD},
    {"INS_general", "simd_copy", P("0 1 0 01110000 imm5:5 0 0011 1 Rn:5 Rd:5"), ins_general,
     Feature::AdvSIMD},
    {"INS_elem", "simd_copy", P("0 1 1 01110000 imm5:5 0 imm4:4 1 Rn:5 Rd:5"), ins_elem,
     Feature::AdvSIMD},
    {"DUP_scalar", "simd_copy", P("01 0 11110000 imm5:5 0 0000 1 Rn:5 Rd:5"), dup_scalar,
     Feature::AdvSIMD},
    {"EXT", "simd_copy", P("0 Q:1 101110 00 0 Rm:5 0 imm4:4 0 Rn:5 Rd:5"), ext, Feature::AdvSIMD},
    {"TBL", "simd_copy", P("0 Q:1 001110 00 0 Rm:5 0 len:2 0 00 Rn:5 Rd:5"), tbl_tbx,
     Feature::AdvSIMD},
    {"TBX", "simd_copy", P("0 Q:1 001110 00 0 Rm:5 0 len:2 1 00 Rn:5 Rd:5"), tbl_tbx,
     Feature::AdvSIMD},
    {"UZP1", "simd_copy", P("0 Q:1 001110 size:2 0 Rm:5 0 001 10 Rn:5 Rd:5"), permute,
     Feature::AdvSIMD},
    {"TRN1", "simd_copy", P("0 Q:1 001110 size:2 0 Rm:5 0 010 10 Rn:5 Rd:5"), permute,
     Feature::AdvSIMD},
    {"ZIP1", "simd_copy", P("0 Q:1 001110 size:2 0 Rm:5 0 011 10 Rn:5 Rd:5"), permute,
     Feature::AdvSIMD},
    {"UZP2", "simd_copy", P("0 Q:1 001110 size:2 0 Rm:5 0 101 10 Rn:5 Rd:5"), permute,
     Feature::AdvSIMD},
    {"TRN2", "simd_copy", P("0 Q:1 001110 size:2 0 Rm:5 0 110 10 Rn:5 Rd:5"), permute,
     Feature::AdvSIMD},
    {"ZIP2", "simd_copy", P("0 Q:1 001110 size:2 0 Rm:5 0 111 10 Rn:5 Rd:5"), permute,
     Feature::AdvSIMD},
    // MOVI/MVNI/ORR/BIC/FMOV (vector, immediate): one handler expands
    // every op/cmode combination.
    {"MOVI_MVNI_ORR_BIC_imm", "simd_copy",
     P("0 Q:1 op:1 0111100000 abc:3 cmode:4 0 1 defgh:5 Rd:5"), mod_imm, Feature::AdvSIMD},
};

} // namespace

std::span<const InsnDesc> simd_copy_insns() {
    return kInsns;
}

} // namespace kestrel::a64
