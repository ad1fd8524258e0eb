// Crypto extension known-answer tests: AES-128 (FIPS-197 appendix C.1)
// encrypt and decrypt, SHA-1 and SHA-256 of "abc" (FIPS-180), each driven
// through the instructions the way kernel crypto drivers use them, and
// 64-bit PMULL.
#include "simd_fixture.hpp"

#include <array>

using kestrel::VReg;
using kestrel::test::SimdFixture;

namespace {

VReg words(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
    return VReg{w0 | (uint64_t{w1} << 32), w2 | (uint64_t{w3} << 32)};
}
uint32_t lane(const VReg& v, unsigned i) {
    uint64_t h = i < 2 ? v.lo : v.hi;
    return static_cast<uint32_t>(h >> (32 * (i & 1)));
}
VReg bytes_to_vreg(const std::array<uint8_t, 16>& b) {
    VReg v;
    for (unsigned i = 0; i < 8; i++) {
        v.lo |= uint64_t{b[i]} << (8 * i);
        v.hi |= uint64_t{b[i + 8]} << (8 * i);
    }
    return v;
}

constexpr uint32_t kAese_v0_v1 = 0x4e284820, kAesd_v0_v1 = 0x4e285820, kAesmc_v0 = 0x4e286800,
                   kAesimc_v0 = 0x4e287800, kAesimc_v1 = 0x4e287821;

} // namespace

TEST_CASE_FIXTURE(SimdFixture, "AES-128 FIPS-197 C.1 through AESE/AESMC and AESD/AESIMC") {
    const std::array<uint8_t, 16> key = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                         0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
    const std::array<uint8_t, 16> plain = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                           0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    const std::array<uint8_t, 16> cipher = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                            0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    // Key expansion as kernels do it: SubWord through AESE with a zero
    // round key on a vector holding the word in every column (ShiftRows is
    // then a no-op).
    std::array<VReg, 11> rk;
    rk[0] = bytes_to_vreg(key);
    uint32_t w[44];
    for (unsigned i = 0; i < 4; i++)
        w[i] = lane(rk[0], i);
    uint32_t rcon = 1;
    for (unsigned i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) {
            set_v(0, t | (uint64_t{t} << 32), t | (uint64_t{t} << 32));
            set_v(1, 0, 0);
            exec(kAese_v0_v1);
            uint32_t sub = lane(v(0), 0);
            t = ((sub >> 8) | (sub << 24)) ^ rcon; // RotWord on little-endian lanes
            rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x11b : 0);
        }
        w[i] = w[i - 4] ^ t;
    }
    for (unsigned r = 1; r <= 10; r++)
        rk[r] = words(w[4 * r], w[4 * r + 1], w[4 * r + 2], w[4 * r + 3]);
    // FIPS-197 A.1-style check of the schedule's last word for this key
    // (C.1 round[10].k_sch = 13111d7fe3944a17f307a78b4d2b30c5).
    CHECK(lane(rk[10], 3) == 0xc5302b4d);

    v(0) = bytes_to_vreg(plain);
    for (unsigned r = 0; r < 9; r++) {
        v(1) = rk[r];
        exec(kAese_v0_v1);
        exec(kAesmc_v0);
    }
    v(1) = rk[9];
    exec(kAese_v0_v1);
    VReg out = v(0);
    out.lo ^= rk[10].lo;
    out.hi ^= rk[10].hi;
    VReg expect = bytes_to_vreg(cipher);
    CHECK(out.lo == expect.lo);
    CHECK(out.hi == expect.hi);

    // Decrypt with the equivalent inverse cipher (round keys through AESIMC).
    v(0) = out;
    v(1) = rk[10];
    exec(kAesd_v0_v1);
    for (unsigned r = 9; r >= 1; r--) {
        exec(kAesimc_v0);
        v(1) = rk[r];
        exec(kAesimc_v1);
        exec(kAesd_v0_v1);
    }
    VReg back = v(0);
    back.lo ^= rk[0].lo;
    back.hi ^= rk[0].hi;
    VReg p = bytes_to_vreg(plain);
    CHECK(back.lo == p.lo);
    CHECK(back.hi == p.hi);
}

TEST_CASE_FIXTURE(SimdFixture, "AESMC on the FIPS-197 MixColumns example column") {
    // db 13 53 45 -> 8e 4d a1 bc (a well-known MixColumns test column).
    set_v(0, 0x455313db455313dbull, 0x455313db455313dbull);
    exec(kAesmc_v0);
    CHECK(v(0).lo == 0xbca14d8ebca14d8eull);
    exec(kAesimc_v0);
    CHECK(v(0).lo == 0x455313db455313dbull);
}

TEST_CASE_FIXTURE(SimdFixture, "SHA-1 of \"abc\" through SHA1C/P/M/H/SU0/SU1") {
    const uint32_t h0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    const uint32_t k[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    VReg sched[4] = {words(0x61626380, 0, 0, 0), words(0, 0, 0, 0), words(0, 0, 0, 0),
                     words(0, 0, 0, 0x18)};
    VReg abcd = words(h0[0], h0[1], h0[2], h0[3]);
    uint32_t e = h0[4];
    for (unsigned g = 0; g < 20; g++) {
        VReg t = sched[g % 4];
        VReg kk = words(k[g / 5], k[g / 5], k[g / 5], k[g / 5]);
        // t = W + K as four 32-bit lanes
        t = words(lane(t, 0) + lane(kk, 0), lane(t, 1) + lane(kk, 1), lane(t, 2) + lane(kk, 2),
                  lane(t, 3) + lane(kk, 3));
        v(0) = abcd;
        exec(0x5e280803); // sha1h s3, s0: the next group's e
        uint32_t e_next = lane(v(3), 0);
        CHECK(v(3).hi == 0);
        set_v(1, e, 0);
        v(2) = t;
        const uint32_t op = g < 5                 ? 0x5e020020
                            : (g < 10 || g >= 15) ? 0x5e021020
                                                  : 0x5e022020; // c / p / m
        exec(op);
        abcd = v(0);
        e = e_next;
        if (g < 16) {
            v(4) = sched[g % 4];
            v(5) = sched[(g + 1) % 4];
            v(6) = sched[(g + 2) % 4];
            v(7) = sched[(g + 3) % 4];
            exec(0x5e0630a4); // sha1su0 v4, v5, v6
            exec(0x5e2818e4); // sha1su1 v4, v7
            sched[g % 4] = v(4);
        }
    }
    const uint32_t digest[5] = {h0[0] + lane(abcd, 0), h0[1] + lane(abcd, 1), h0[2] + lane(abcd, 2),
                                h0[3] + lane(abcd, 3), h0[4] + e};
    CHECK(digest[0] == 0xa9993e36);
    CHECK(digest[1] == 0x4706816a);
    CHECK(digest[2] == 0xba3e2571);
    CHECK(digest[3] == 0x7850c26c);
    CHECK(digest[4] == 0x9cd0d89d);
}

TEST_CASE_FIXTURE(SimdFixture, "SHA-256 of \"abc\" through SHA256H/H2/SU0/SU1") {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    VReg sched[4] = {words(0x61626380, 0, 0, 0), words(0, 0, 0, 0), words(0, 0, 0, 0),
                     words(0, 0, 0, 0x18)};
    VReg abcd = words(h0[0], h0[1], h0[2], h0[3]), efgh = words(h0[4], h0[5], h0[6], h0[7]);
    for (unsigned g = 0; g < 16; g++) {
        const VReg& s = sched[g % 4];
        VReg t = words(lane(s, 0) + K[4 * g], lane(s, 1) + K[4 * g + 1], lane(s, 2) + K[4 * g + 2],
                       lane(s, 3) + K[4 * g + 3]);
        v(0) = abcd;
        v(1) = efgh;
        v(2) = t;
        v(3) = abcd;
        exec(0x5e024020); // sha256h q0, q1, v2.4s
        exec(0x5e025061); // sha256h2 q1, q3, v2.4s
        abcd = v(0);
        efgh = v(1);
        if (g < 12) {
            v(4) = sched[g % 4];
            v(5) = sched[(g + 1) % 4];
            v(6) = sched[(g + 2) % 4];
            v(7) = sched[(g + 3) % 4];
            exec(0x5e2828a4); // sha256su0 v4, v5
            exec(0x5e0760c4); // sha256su1 v4, v6, v7
            sched[g % 4] = v(4);
        }
    }
    const uint32_t expect[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
    for (unsigned i = 0; i < 4; i++) {
        CHECK(h0[i] + lane(abcd, i) == expect[i]);
        CHECK(h0[i + 4] + lane(efgh, i) == expect[i + 4]);
    }
}

TEST_CASE_FIXTURE(SimdFixture, "PMULL 64-bit carry-less multiply") {
    set_v(1, 3, ~0ull);
    set_v(2, 3, ~0ull);
    exec(0x0ee2e020); // pmull v0.1q, v1.1d, v2.1d
    CHECK(v(0).lo == 5);
    CHECK(v(0).hi == 0);
    exec(0x4ee2e020); // pmull2 v0.1q, v1.2d, v2.2d: (sum x^i)^2 = sum x^2i
    CHECK(v(0).lo == 0x5555555555555555ull);
    CHECK(v(0).hi == 0x5555555555555555ull);
}

TEST_CASE("crypto ID fields follow AdvSIMD") {
    auto m = *kestrel::find_cpu_model("cortex-a72");
    bool simd = ((m.id_aa64pfr0 >> 20) & 0xf) != 0xf;
    CHECK(m.has(kestrel::Feature::AES) == simd);
    CHECK(((m.id_aa64isar0 >> 4) & 0xf) == (simd ? 2u : 0u));
}
