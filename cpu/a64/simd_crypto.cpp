// Cryptographic extension: AES round helpers (AESE/AESD/AESMC/AESIMC) and
// the SHA-1/SHA-256 hash update instructions. PMULL (64-bit) lives with the
// three-different group.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_util.hpp"

#include <array>

namespace kestrel::a64 {
namespace {

// --- AES ----------------------------------------------------------------

constexpr uint8_t gf_mul(uint8_t a, uint8_t b) {
    uint8_t r = 0;
    while (b) {
        if (b & 1) r ^= a;
        a = static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return r;
}

constexpr uint8_t rotl8(uint8_t x, unsigned n) {
    return static_cast<uint8_t>((x << n) | (x >> (8 - n)));
}

// The S-box from its definition: multiplicative inverse in GF(2^8)
// followed by the affine transform (FIPS-197 5.1.1).
constexpr std::array<uint8_t, 256> make_sbox() {
    std::array<uint8_t, 256> s{};
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (unsigned y = 1; y < 256 && x; y++)
            if (gf_mul(static_cast<uint8_t>(x), static_cast<uint8_t>(y)) == 1)
                inv = static_cast<uint8_t>(y);
        s[x] = static_cast<uint8_t>(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                                    rotl8(inv, 4) ^ 0x63);
    }
    return s;
}

constexpr std::array<uint8_t, 256> make_inv_sbox(const std::array<uint8_t, 256>& s) {
    std::array<uint8_t, 256> r{};
    for (unsigned x = 0; x < 256; x++)
        r[s[x]] = static_cast<uint8_t>(x);
    return r;
}

const std::array<uint8_t, 256> kSbox = make_sbox();
const std::array<uint8_t, 256> kInvSbox = make_inv_sbox(kSbox);

// The AES state is column-major: byte r + 4*c of the register is row r of
// column c.
void aes_round(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const bool decrypt = bit(i, 12);
    VReg x = c.s.v[rd_of(i)], n = c.s.v[rn_of(i)];
    x.lo ^= n.lo;
    x.hi ^= n.hi;
    uint8_t in[16], out[16];
    std::memcpy(in, &x, 16);
    for (unsigned col = 0; col < 4; col++)
        for (unsigned row = 0; row < 4; row++) {
            if (decrypt) // InvShiftRows then InvSubBytes
                out[row + 4 * ((col + row) % 4)] = kInvSbox[in[row + 4 * col]];
            else // ShiftRows then SubBytes
                out[row + 4 * col] = kSbox[in[row + 4 * ((col + row) % 4)]];
        }
    std::memcpy(&x, out, 16);
    c.s.v[rd_of(i)] = x;
}

void aes_mix(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const bool inverse = bit(i, 12);
    const uint8_t m[4] = {
        static_cast<uint8_t>(inverse ? 14 : 2), static_cast<uint8_t>(inverse ? 11 : 3),
        static_cast<uint8_t>(inverse ? 13 : 1), static_cast<uint8_t>(inverse ? 9 : 1)};
    uint8_t in[16], out[16];
    std::memcpy(in, &c.s.v[rn_of(i)], 16);
    for (unsigned col = 0; col < 4; col++)
        for (unsigned row = 0; row < 4; row++) {
            uint8_t v = 0;
            for (unsigned k = 0; k < 4; k++)
                v ^= gf_mul(m[(k + 4 - row) % 4], in[4 * col + k]);
            out[4 * col + row] = v;
        }
    std::memcpy(&c.s.v[rd_of(i)], out, 16);
}

// --- SHA ----------------------------------------------------------------

inline uint32_t rol32(uint32_t x, unsigned n) {
    return (x << n) | (x >> ((32 - n) & 31));
}
inline uint32_t ror32(uint32_t x, unsigned n) {
    return (x >> n) | (x << ((32 - n) & 31));
}

struct Words {
    uint32_t w[4];
};
Words words(const VReg& v) {
    Words r;
    std::memcpy(r.w, &v, 16);
    return r;
}
VReg vreg(const Words& w) {
    VReg r;
    std::memcpy(&r, w.w, 16);
    return r;
}

// SHA1C/SHA1P/SHA1M: four rounds with choose, parity or majority.
void sha1_hash(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const unsigned op = bits(i, 12, 3);
    Words x = words(c.s.v[rd_of(i)]);
    uint32_t y = static_cast<uint32_t>(c.s.v[rn_of(i)].lo);
    const Words w = words(c.s.v[rm_of(i)]);
    for (unsigned e = 0; e < 4; e++) {
        uint32_t p = x.w[1], q = x.w[2], r = x.w[3], t;
        switch (op) {
        case 0: t = ((q ^ r) & p) ^ r; break;        // choose
        case 1: t = p ^ q ^ r; break;                // parity
        default: t = (p & q) | ((p | q) & r); break; // majority
        }
        y = y + rol32(x.w[0], 5) + t + w.w[e];
        x.w[1] = rol32(x.w[1], 30);
        // <Y, X> = ROL(Y:X, 32)
        uint32_t top = x.w[3];
        x.w[3] = x.w[2];
        x.w[2] = x.w[1];
        x.w[1] = x.w[0];
        x.w[0] = y;
        y = top;
    }
    c.s.v[rd_of(i)] = vreg(x);
}

void sha1su0(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const VReg d = c.s.v[rd_of(i)], n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)];
    VReg r;
    r.lo = d.hi ^ d.lo ^ m.lo;
    r.hi = n.lo ^ d.hi ^ m.hi;
    c.s.v[rd_of(i)] = r;
}

uint32_t sigma0(uint32_t x) {
    return ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22);
}
uint32_t sigma1(uint32_t x) {
    return ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25);
}

// SHA256H (part1) and SHA256H2: four rounds of the SHA-256 compression.
void sha256_hash(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const bool part1 = bits(i, 12, 3) == 4;
    Words x = words(c.s.v[part1 ? rd_of(i) : rn_of(i)]);
    Words y = words(c.s.v[part1 ? rn_of(i) : rd_of(i)]);
    const Words w = words(c.s.v[rm_of(i)]);
    for (unsigned e = 0; e < 4; e++) {
        uint32_t chs = ((y.w[1] ^ y.w[2]) & y.w[0]) ^ y.w[2];
        uint32_t maj = (x.w[0] & x.w[1]) | ((x.w[0] | x.w[1]) & x.w[2]);
        uint32_t t = y.w[3] + sigma1(y.w[0]) + chs + w.w[e];
        x.w[3] = t + x.w[3];
        y.w[3] = t + sigma0(x.w[0]) + maj;
        // <Y, X> = ROL(Y:X, 32)
        uint32_t ytop = y.w[3], xtop = x.w[3];
        for (unsigned k = 3; k > 0; k--) {
            y.w[k] = y.w[k - 1];
            x.w[k] = x.w[k - 1];
        }
        y.w[0] = xtop;
        x.w[0] = ytop;
    }
    c.s.v[rd_of(i)] = vreg(part1 ? x : y);
}

void sha256su1(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const Words d = words(c.s.v[rd_of(i)]), n = words(c.s.v[rn_of(i)]), m = words(c.s.v[rm_of(i)]);
    const uint32_t t0[4] = {n.w[1], n.w[2], n.w[3], m.w[0]};
    auto s1 = [](uint32_t x) { return ror32(x, 17) ^ ror32(x, 19) ^ (x >> 10); };
    Words r;
    r.w[0] = s1(m.w[2]) + d.w[0] + t0[0];
    r.w[1] = s1(m.w[3]) + d.w[1] + t0[1];
    r.w[2] = s1(r.w[0]) + d.w[2] + t0[2];
    r.w[3] = s1(r.w[1]) + d.w[3] + t0[3];
    c.s.v[rd_of(i)] = vreg(r);
}

void sha1h(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    write_scalar(c, rd_of(i), rol32(static_cast<uint32_t>(c.s.v[rn_of(i)].lo), 30), 4);
}

void sha1su1(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const Words d = words(c.s.v[rd_of(i)]), n = words(c.s.v[rn_of(i)]);
    // T = Vd EOR (Vn LSR 32)
    const uint32_t t[4] = {d.w[0] ^ n.w[1], d.w[1] ^ n.w[2], d.w[2] ^ n.w[3], d.w[3]};
    Words r;
    for (unsigned e = 0; e < 4; e++)
        r.w[e] = rol32(t[e], 1);
    r.w[3] ^= rol32(t[0], 2);
    c.s.v[rd_of(i)] = vreg(r);
}

void sha256su0(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const Words d = words(c.s.v[rd_of(i)]), n = words(c.s.v[rn_of(i)]);
    const uint32_t t[4] = {d.w[1], d.w[2], d.w[3], n.w[0]};
    Words r;
    for (unsigned e = 0; e < 4; e++)
        r.w[e] = (ror32(t[e], 7) ^ ror32(t[e], 18) ^ (t[e] >> 3)) + d.w[e];
    c.s.v[rd_of(i)] = vreg(r);
}

#define SHA3(name, opc, fn, feat)                                                                  \
    { name, "simd_crypto", P("01011110 00 0 Rm:5 0 " opc " 00 Rn:5 Rd:5"), fn, Feature::feat }
#define SHA2(name, opc, fn, feat)                                                                  \
    { name, "simd_crypto", P("01011110 00 10100 " opc " 10 Rn:5 Rd:5"), fn, Feature::feat }

constexpr InsnDesc kInsns[] = {
    {"AESE", "simd_crypto", P("01001110 00 10100 00100 10 Rn:5 Rd:5"), aes_round, Feature::AES},
    {"AESD", "simd_crypto", P("01001110 00 10100 00101 10 Rn:5 Rd:5"), aes_round, Feature::AES},
    {"AESMC", "simd_crypto", P("01001110 00 10100 00110 10 Rn:5 Rd:5"), aes_mix, Feature::AES},
    {"AESIMC", "simd_crypto", P("01001110 00 10100 00111 10 Rn:5 Rd:5"), aes_mix, Feature::AES},
    SHA3("SHA1C", "000", sha1_hash, SHA1),
    SHA3("SHA1P", "001", sha1_hash, SHA1),
    SHA3("SHA1M", "010", sha1_hash, SHA1),
    SHA3("SHA1SU0", "011", sha1su0, SHA1),
    SHA3("SHA256H", "100", sha256_hash, SHA256),
    SHA3("SHA256H2", "101", sha256_hash, SHA256),
    SHA3("SHA256SU1", "110", sha256su1, SHA256),
    SHA2("SHA1H", "00000", sha1h, SHA1),
    SHA2("SHA1SU1", "00001", sha1su1, SHA1),
    SHA2("SHA256SU0", "00010", sha256su0, SHA256),
};

#undef SHA3
#undef SHA2

} // namespace

std::span<const InsnDesc> simd_crypto_insns() {
    return kInsns;
}

} // namespace kestrel::a64
