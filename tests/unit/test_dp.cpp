// Integer data-processing instructions executed on a core: results and
// flags against values worked out by hand or taken from published facts
// (CRC check values, the DecodeBitMasks examples of the Arm ARM). The
// instruction words come from the GNU assembler; the text is beside each.
#include "cpu/a64/bitmasks.hpp"
#include "tests/unit/cpu_fixture.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <set>
#include <string>

using namespace kestrel;
using kestrel::test::CpuFixture;

namespace {

constexpr uint32_t N = 8, Z = 4, C = 2, V = 1; // NZCV as a 4-bit value

// Executes one instruction with x1, x2, x3 (and flags) set; x0 is the
// destination of every instruction used here.
struct Dp : CpuFixture {
    uint64_t op(uint32_t insn, uint64_t n, uint64_t m = 0, uint64_t a = 0, uint32_t flags = 0) {
        set_x(0, 0xdeadbeefdeadbeefull);
        set_x(1, n);
        set_x(2, m);
        set_x(3, a);
        set_nzcv(flags);
        auto e = exec(insn);
        REQUIRE_FALSE(e.has_value());
        return x(0);
    }
    // The NZCV an instruction leaves.
    uint32_t flags_of(uint32_t insn, uint64_t n, uint64_t m = 0, uint32_t flags = 0) {
        op(insn, n, m, 0, flags);
        return nzcv();
    }
};

struct DecodeCase {
    uint32_t insn;
    const char* name;
};

} // namespace

TEST_CASE("assembled instructions decode to their table entries") {
    const DecodeCase cases[] = {
        {0x12001c20 /* and w0, w1, #0xff */, "AND_imm_32"},
        {0x92089c20 /* and x0, x1, #0xff00ff00ff00ff00 */, "AND_imm_64"},
        {0x3200003f /* orr wsp, w1, #0x1 */, "ORR_imm_32"},
        {0xb200f3e3 /* orr x3, xzr, #0x5555555555555555 */, "ORR_imm_64"},
        {0x520100c5 /* eor w5, w6, #0x80000000 */, "EOR_imm_32"},
        {0xd27ff8c5 /* eor x5, x6, #0xfffffffffffffffe */, "EOR_imm_64"},
        {0x72000507 /* ands w7, w8, #0x3 */, "ANDS_imm_32"},
        {0xf241013f /* tst x9, #0x8000000000000000 */, "ANDS_imm_64"},
        {0x13031c20 /* sbfm w0, w1, #3, #7 */, "SBFM_32"},
        {0x9345fc20 /* asr x0, x1, #5 */, "SBFM_64"},
        {0x93407c62 /* sxtw x2, w3 */, "SBFM_64"},
        {0x13001c62 /* sxtb w2, w3 */, "SBFM_32"},
        {0x33180c20 /* bfi w0, w1, #8, #4 */, "BFM_32"},
        {0xb3484c20 /* bfxil x0, x1, #8, #12 */, "BFM_64"},
        {0x53042c20 /* ubfx w0, w1, #4, #8 */, "UBFM_32"},
        {0xd37df020 /* lsl x0, x1, #3 */, "UBFM_64"},
        {0x531f7c20 /* lsr w0, w1, #31 */, "UBFM_32"},
        {0x53003c20 /* uxth w0, w1 */, "UBFM_32"},
        {0x13821c20 /* extr w0, w1, w2, #7 */, "EXTR_32"},
        {0x93c1fc20 /* ror x0, x1, #63 */, "EXTR_64"},
        {0x0a020c20 /* and w0, w1, w2, lsl #3 */, "AND_sreg_32"},
        {0x8ac2fc20 /* and x0, x1, x2, ror #63 */, "AND_sreg_64"},
        {0x0aa27c20 /* bic w0, w1, w2, asr #31 */, "BIC_sreg_32"},
        {0x8a220020 /* bic x0, x1, x2 */, "BIC_sreg_64"},
        {0x2a420420 /* orr w0, w1, w2, lsr #1 */, "ORR_sreg_32"},
        {0xaa0103e0 /* mov x0, x1 */, "ORR_sreg_64"},
        {0x2a220020 /* orn w0, w1, w2 */, "ORN_sreg_32"},
        {0xaa2103e0 /* mvn x0, x1 */, "ORN_sreg_64"},
        {0x4a020020 /* eor w0, w1, w2 */, "EOR_sreg_32"},
        {0xca023020 /* eor x0, x1, x2, lsl #12 */, "EOR_sreg_64"},
        {0x4a220020 /* eon w0, w1, w2 */, "EON_sreg_32"},
        {0xca220020 /* eon x0, x1, x2 */, "EON_sreg_64"},
        {0x6a020020 /* ands w0, w1, w2 */, "ANDS_sreg_32"},
        {0xea42103f /* tst x1, x2, lsr #4 */, "ANDS_sreg_64"},
        {0x6a220020 /* bics w0, w1, w2 */, "BICS_sreg_32"},
        {0xeae21c20 /* bics x0, x1, x2, ror #7 */, "BICS_sreg_64"},
        {0x0b027c20 /* add w0, w1, w2, lsl #31 */, "ADD_sreg_32"},
        {0x8b82fc20 /* add x0, x1, x2, asr #63 */, "ADD_sreg_64"},
        {0x2b020020 /* adds w0, w1, w2 */, "ADDS_sreg_32"},
        {0xab02003f /* cmn x1, x2 */, "ADDS_sreg_64"},
        {0x4b020020 /* sub w0, w1, w2 */, "SUB_sreg_32"},
        {0xcb0203e0 /* neg x0, x2 */, "SUB_sreg_64"},
        {0x6b020020 /* subs w0, w1, w2 */, "SUBS_sreg_32"},
        {0xeb420c3f /* cmp x1, x2, lsr #3 */, "SUBS_sreg_64"},
        {0x0b2207e0 /* add w0, wsp, w2, uxtb #1 */, "ADD_ereg_32"},
        {0x8b22d03f /* add sp, x1, w2, sxtw #4 */, "ADD_ereg_64"},
        {0x2b22a020 /* adds w0, w1, w2, sxth */, "ADDS_ereg_32"},
        {0xab226bff /* cmn sp, x2, uxtx #2 */, "ADDS_ereg_64"},
        {0x4b22203f /* sub wsp, w1, w2, uxth */, "SUB_ereg_32"},
        {0xcb22e3e0 /* sub x0, sp, x2, sxtx */, "SUB_ereg_64"},
        {0x6b228c20 /* subs w0, w1, w2, sxtb #3 */, "SUBS_ereg_32"},
        {0xeb2243ff /* cmp sp, w2, uxtw */, "SUBS_ereg_64"},
        {0x1a020020 /* adc w0, w1, w2 */, "ADC_32"},
        {0x9a020020 /* adc x0, x1, x2 */, "ADC_64"},
        {0x3a020020 /* adcs w0, w1, w2 */, "ADCS_32"},
        {0xba020020 /* adcs x0, x1, x2 */, "ADCS_64"},
        {0x5a020020 /* sbc w0, w1, w2 */, "SBC_32"},
        {0xda0203e0 /* ngc x0, x2 */, "SBC_64"},
        {0x7a020020 /* sbcs w0, w1, w2 */, "SBCS_32"},
        {0xfa020020 /* sbcs x0, x1, x2 */, "SBCS_64"},
        {0x3a420025 /* ccmn w1, w2, #5, eq */, "CCMN_reg_32"},
        {0xba42e02f /* ccmn x1, x2, #15, al */, "CCMN_reg_64"},
        {0x7a421020 /* ccmp w1, w2, #0, ne */, "CCMP_reg_32"},
        {0xfa42b028 /* ccmp x1, x2, #8, lt */, "CCMP_reg_64"},
        {0x3a5f8822 /* ccmn w1, #31, #2, hi */, "CCMN_imm_32"},
        {0xba409821 /* ccmn x1, #0, #1, ls */, "CCMN_imm_64"},
        {0x7a47a824 /* ccmp w1, #7, #4, ge */, "CCMP_imm_32"},
        {0xfa41c820 /* ccmp x1, #1, #0, gt */, "CCMP_imm_64"},
        {0x1a820020 /* csel w0, w1, w2, eq */, "CSEL_32"},
        {0x9a82f020 /* csel x0, x1, x2, nv */, "CSEL_64"},
        {0x1a824420 /* csinc w0, w1, w2, mi */, "CSINC_32"},
        {0x9a9f27e0 /* cset x0, cc */, "CSINC_64"},
        {0x5a826020 /* csinv w0, w1, w2, vs */, "CSINV_32"},
        {0xda9fc3e0 /* csetm x0, le */, "CSINV_64"},
        {0x5a825420 /* csneg w0, w1, w2, pl */, "CSNEG_32"},
        {0xda816420 /* cneg x0, x1, vc */, "CSNEG_64"},
        {0x5ac00020 /* rbit w0, w1 */, "RBIT_32"},
        {0xdac00020 /* rbit x0, x1 */, "RBIT_64"},
        {0x5ac00420 /* rev16 w0, w1 */, "REV16_32"},
        {0xdac00420 /* rev16 x0, x1 */, "REV16_64"},
        {0x5ac00820 /* rev w0, w1 */, "REV_32"},
        {0xdac00820 /* rev32 x0, x1 */, "REV32_64"},
        {0xdac00c20 /* rev x0, x1 */, "REV_64"},
        {0x5ac01020 /* clz w0, w1 */, "CLZ_32"},
        {0xdac01020 /* clz x0, x1 */, "CLZ_64"},
        {0x5ac01420 /* cls w0, w1 */, "CLS_32"},
        {0xdac01420 /* cls x0, x1 */, "CLS_64"},
        {0x1ac20820 /* udiv w0, w1, w2 */, "UDIV_32"},
        {0x9ac20820 /* udiv x0, x1, x2 */, "UDIV_64"},
        {0x1ac20c20 /* sdiv w0, w1, w2 */, "SDIV_32"},
        {0x9ac20c20 /* sdiv x0, x1, x2 */, "SDIV_64"},
        {0x1ac22020 /* lsl w0, w1, w2 */, "LSLV_32"},
        {0x9ac22020 /* lslv x0, x1, x2 */, "LSLV_64"},
        {0x1ac22420 /* lsr w0, w1, w2 */, "LSRV_32"},
        {0x9ac22420 /* lsrv x0, x1, x2 */, "LSRV_64"},
        {0x1ac22820 /* asr w0, w1, w2 */, "ASRV_32"},
        {0x9ac22820 /* asrv x0, x1, x2 */, "ASRV_64"},
        {0x1ac22c20 /* ror w0, w1, w2 */, "RORV_32"},
        {0x9ac22c20 /* rorv x0, x1, x2 */, "RORV_64"},
        {0x1ac24020 /* crc32b w0, w1, w2 */, "CRC32B"},
        {0x1ac24420 /* crc32h w0, w1, w2 */, "CRC32H"},
        {0x1ac24820 /* crc32w w0, w1, w2 */, "CRC32W"},
        {0x9ac24c20 /* crc32x w0, w1, x2 */, "CRC32X"},
        {0x1ac25020 /* crc32cb w0, w1, w2 */, "CRC32CB"},
        {0x1ac25420 /* crc32ch w0, w1, w2 */, "CRC32CH"},
        {0x1ac25820 /* crc32cw w0, w1, w2 */, "CRC32CW"},
        {0x9ac25c20 /* crc32cx w0, w1, x2 */, "CRC32CX"},
        {0x1b020c20 /* madd w0, w1, w2, w3 */, "MADD_32"},
        {0x9b027c20 /* mul x0, x1, x2 */, "MADD_64"},
        {0x1b028c20 /* msub w0, w1, w2, w3 */, "MSUB_32"},
        {0x9b02fc20 /* mneg x0, x1, x2 */, "MSUB_64"},
        {0x9b220c20 /* smaddl x0, w1, w2, x3 */, "SMADDL"},
        {0x9b22fc20 /* smnegl x0, w1, w2 */, "SMSUBL"},
        {0x9b427c20 /* smulh x0, x1, x2 */, "SMULH"},
        {0x9ba27c20 /* umull x0, w1, w2 */, "UMADDL"},
        {0x9ba28c20 /* umsubl x0, w1, w2, x3 */, "UMSUBL"},
        {0x9bc27c20 /* umulh x0, x1, x2 */, "UMULH"},
    };
    CpuFixture f;
    for (const DecodeCase& c : cases) {
        const char* got = f.decoded_name(c.insn);
        INFO(c.name << " " << std::hex << c.insn);
        REQUIRE(got != nullptr);
        CHECK(std::string(got) == c.name);
    }
}

TEST_CASE("DecodeBitMasks gives the architectural masks") {
    using a64::decode_bit_masks;
    // 64-bit element of eight ones.
    auto m = decode_bit_masks(1, 0b000111, 0, true, 64);
    CHECK(m.valid);
    CHECK(m.wmask == 0xffull);
    // 8-bit elements of four ones: 0x0f in every byte.
    m = decode_bit_masks(0, 0b110011, 0, true, 64);
    CHECK(m.wmask == 0x0f0f0f0f0f0f0f0full);
    // Same, rotated right by 4 within each byte.
    m = decode_bit_masks(0, 0b110011, 4, true, 64);
    CHECK(m.wmask == 0xf0f0f0f0f0f0f0f0ull);
    // 2-bit elements 01.
    m = decode_bit_masks(0, 0b111100, 0, true, 32);
    CHECK(m.wmask == 0x5555555555555555ull);
    // A single one rotated right by one in 64 bits.
    m = decode_bit_masks(1, 0, 1, true, 64);
    CHECK(m.wmask == 0x8000000000000000ull);
    // 32-bit element of 31 ones rotated by one.
    m = decode_bit_masks(0, 0b011110, 1, true, 32);
    CHECK(static_cast<uint32_t>(m.wmask) == 0xbfffffffu);
    // Bitfield masks (UBFX #4, #8 as UBFM immr=4, imms=11): the element is
    // the register; tmask keeps the 8-bit field.
    m = decode_bit_masks(1, 11, 4, false, 64);
    CHECK(m.valid);
    CHECK(m.wmask == 0xf0000000000000ffull);
    CHECK(m.tmask == 0xffull);
    // Reserved: all-ones elements of an immediate, len < 1, N=1 in 32 bits.
    CHECK_FALSE(decode_bit_masks(1, 0b111111, 0, true, 64).valid);
    CHECK_FALSE(decode_bit_masks(0, 0b111101, 0, true, 64).valid);
    CHECK_FALSE(decode_bit_masks(0, 0b111110, 0, true, 64).valid);
    CHECK_FALSE(decode_bit_masks(0, 0b011111, 0, true, 32).valid);
    CHECK_FALSE(decode_bit_masks(1, 0b000111, 0, true, 32).valid);
    // The same element pattern is fine for a bitfield move.
    CHECK(decode_bit_masks(1, 0b111111, 0, false, 64).valid);
}

namespace {

// DecodeBitMasks written out bit by bit as in the Arm ARM pseudocode, as an
// independent reference for the exhaustive comparison below.
a64::BitMasks reference_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate,
                                  unsigned datasize) {
    a64::BitMasks m;
    unsigned combined = (n << 6) | (~imms & 0x3f);
    int len = -1;
    for (int b = 6; b >= 0; b--)
        if ((combined >> b) & 1) {
            len = b;
            break;
        }
    if (len < 1) return m;
    unsigned esize = 1u << len;
    if (esize > datasize) return m;
    unsigned levels = esize - 1;
    if (immediate && (imms & levels) == levels) return m;
    unsigned s = imms & levels, r = immr & levels, d = (s - r) & levels;
    bool welem[64] = {}, telem[64] = {};
    for (unsigned b = 0; b <= s; b++)
        welem[b] = true;
    for (unsigned b = 0; b <= d; b++)
        telem[b] = true;
    for (unsigned b = 0; b < 64; b++) {
        unsigned e = b % esize;
        if (welem[(e + r) % esize]) m.wmask |= 1ull << b; // ROR by r
        if (telem[e]) m.tmask |= 1ull << b;
    }
    m.valid = true;
    return m;
}

} // namespace

TEST_CASE("DecodeBitMasks matches the pseudocode for every encoding") {
    std::set<uint64_t> imm64; // distinct 64-bit logical immediates
    for (unsigned datasize : {32u, 64u})
        for (unsigned n = 0; n < 2; n++)
            for (unsigned immr = 0; immr < 64; immr++)
                for (unsigned imms = 0; imms < 64; imms++)
                    for (bool imm : {true, false}) {
                        auto got = a64::decode_bit_masks(n, imms, immr, imm, datasize);
                        auto want = reference_bit_masks(n, imms, immr, imm, datasize);
                        INFO(n << " " << immr << " " << imms << " " << imm << " " << datasize);
                        REQUIRE(got.valid == want.valid);
                        if (!want.valid) continue;
                        REQUIRE(got.wmask == want.wmask);
                        REQUIRE(got.tmask == want.tmask);
                        if (imm && datasize == 64) imm64.insert(got.wmask);
                    }
    // There are 5334 distinct 64-bit logical immediates.
    CHECK(imm64.size() == 5334);
}

TEST_CASE_FIXTURE(Dp, "logical immediate") {
    CHECK(op(0x12001c20 /* and w0, w1, #0xff */, 0xffffffff12345678ull) == 0x78);
    CHECK(op(0x92089c20 /* and x0, x1, #0xff00ff00ff00ff00 */, 0x0123456789abcdefull) ==
          0x010045008900cd00ull);
    CHECK(op(0xb200f3e0 /* orr x0, xzr, #0x5555555555555555 */, 0) == 0x5555555555555555ull);
    CHECK(op(0x3204cc20 /* orr w0, w1, #0xf0f0f0f0 */, 0xffffffff0000000full) == 0xf0f0f0ffull);
    CHECK(op(0xd27ff820 /* eor x0, x1, #0xfffffffffffffffe */, 0xffff) == 0xffffffffffff0001ull);
    CHECK(op(0x52010020 /* eor w0, w1, #0x80000000 */, 1) == 0x80000001ull);
    // ANDS sets N and Z, and clears C and V.
    CHECK(flags_of(0x72010020 /* ands w0, w1, #0x80000000 */, 0x80000000, 0, C | V) == N);
    CHECK(flags_of(0xf2400420 /* ands x0, x1, #0x3 */, 4, 0, N | C) == Z);
    CHECK(x(0) == 0);
    // The non-flag forms may write SP (WSP zero-extends).
    set_x(1, 0xffffffff00001000ull);
    cpu.sp() = 0x1234;
    REQUIRE_FALSE(exec(0x3200003f /* orr wsp, w1, #0x1 */).has_value());
    CHECK(cpu.sp() == 0x1001);
    // N=1 with sf=0, and reserved element patterns, are UNDEFINED.
    CHECK(undefined(0x12001c20 /* and w0, w1, #0xff */ | (1u << 22)));
    CHECK(undefined(0x92401c20 /* and x0, x1, #0xff */ | (0x3fu << 10)));
    CHECK(undefined(0x32000020 /* orr w0, w1, #0x1 */ | (0x1fu << 10)));
}

TEST_CASE_FIXTURE(Dp, "bitfield moves and their aliases") {
    CHECK(op(0x13031c20 /* sbfx w0, w1, #3, #5 */, 0x80) == 0xfffffff0ull);
    CHECK(op(0x13031c20 /* sbfx w0, w1, #3, #5 */, 0x78) == 0xfull);
    CHECK(op(0x9345fc20 /* asr x0, x1, #5 */, static_cast<uint64_t>(-64)) ==
          static_cast<uint64_t>(-2));
    CHECK(op(0x131f7c20 /* asr w0, w1, #31 */, 0x80000000) == 0xffffffffull);
    CHECK(op(0x93407c20 /* sxtw x0, w1 */, 0x80000000) == 0xffffffff80000000ull);
    CHECK(op(0x13001c20 /* sxtb w0, w1 */, 0x17f) == 0x7f);
    CHECK(op(0x13001c20 /* sxtb w0, w1 */, 0x80) == 0xffffff80ull);
    CHECK(op(0x93403c20 /* sxth x0, w1 */, 0x8000) == 0xffffffffffff8000ull);
    CHECK(op(0x93440420 /* sbfiz x0, x1, #60, #2 */, 2) == 0xe000000000000000ull);
    // BFM keeps the destination bits outside the field.
    set_x(0, 0xffffffff);
    set_x(1, 5);
    REQUIRE_FALSE(exec(0x33180c20 /* bfi w0, w1, #8, #4 */).has_value());
    CHECK(x(0) == 0xfffff5ffull);
    set_x(0, ~0ull);
    set_x(1, 0x12345678);
    REQUIRE_FALSE(exec(0xb3484c20 /* bfxil x0, x1, #8, #12 */).has_value());
    CHECK(x(0) == 0xfffffffffffff456ull);
    set_x(0, 0xffffffff00000000ull);
    set_x(1, 0xab);
    REQUIRE_FALSE(exec(0xb3440c20 /* bfi x0, x1, #60, #4 */).has_value());
    CHECK(x(0) == 0xbfffffff00000000ull);
    set_x(0, 0x12345678);
    REQUIRE_FALSE(exec(0x331c1fe0 /* bfc w0, #4, #8 */).has_value());
    CHECK(x(0) == 0x12345008ull);
    CHECK(op(0x53042c20 /* ubfx w0, w1, #4, #8 */, 0x12345678) == 0x67);
    CHECK(op(0xd378fc20 /* ubfx x0, x1, #56, #8 */, 0xab00000000000000ull) == 0xab);
    CHECK(op(0x53040c20 /* ubfiz w0, w1, #28, #4 */, 0xff) == 0xf0000000ull);
    CHECK(op(0xd37df020 /* lsl x0, x1, #3 */, 0x2000000000000001ull) == 8);
    CHECK(op(0x53010020 /* lsl w0, w1, #31 */, 3) == 0x80000000ull);
    CHECK(op(0x531f7c20 /* lsr w0, w1, #31 */, 0xffffffff80000000ull) == 1);
    CHECK(op(0xd37ffc20 /* lsr x0, x1, #63 */, 0x8000000000000000ull) == 1);
    CHECK(op(0x53003c20 /* uxth w0, w1 */, 0x12345678) == 0x5678);
    CHECK(op(0x53001c20 /* uxtb w0, w1 */, 0xffffffffffffff80ull) == 0x80);
    // sf/N mismatch, 32-bit immr/imms >= 32 and opc=11 are UNDEFINED.
    CHECK(undefined(0x13031c20 /* sbfm w0, w1, #3, #7 */ | (1u << 22)));
    CHECK(undefined(0x93431c20 /* sbfm x0, x1, #3, #7 */ & ~(1u << 22)));
    CHECK(undefined(0x53031c20 /* ubfm w0, w1, #3, #7 */ | (1u << 21)));
    CHECK(undefined(0x33031c20 /* bfm w0, w1, #3, #7 */ | (1u << 15)));
    CHECK(undefined(0x13031c20 /* sbfm w0, w1, #3, #7 */ | (3u << 29)));
}

TEST_CASE_FIXTURE(Dp, "extract") {
    CHECK(op(0x13821c20 /* extr w0, w1, w2, #7 */, 1, 0x80) == 0x02000001ull);
    CHECK(op(0x93c20020 /* extr x0, x1, x2, #0 */, 1, 0x1234) == 0x1234);
    CHECK(op(0x93c21020 /* extr x0, x1, x2, #4 */, 0xf, 0x123456789abcdef0ull) ==
          0xf123456789abcdefull);
    CHECK(op(0x93c1fc20 /* ror x0, x1, #63 */, 1) == 2);
    CHECK(op(0x13810420 /* ror w0, w1, #1 */, 1) == 0x80000000ull);
    CHECK(undefined(0x13821c20 /* extr w0, w1, w2, #7 */ | (1u << 15)));
    CHECK(undefined(0x13821c20 /* extr w0, w1, w2, #7 */ | (1u << 22)));
    CHECK(undefined(0x93c21c20 /* extr x0, x1, x2, #7 */ & ~(1u << 22)));
}

TEST_CASE_FIXTURE(Dp, "logical shifted register") {
    CHECK(op(0x8ac2fc20 /* and x0, x1, x2, ror #63 */, 0xff, 1) == 2);
    CHECK(op(0x0a020c20 /* and w0, w1, w2, lsl #3 */, 0xffffffffffffffffull, 0x21) == 0x108);
    CHECK(op(0x8a220020 /* bic x0, x1, x2 */, 0xff, 0x0f) == 0xf0);
    CHECK(op(0x0aa27c20 /* bic w0, w1, w2, asr #31 */, 0x1234, 0x80000000) == 0);
    CHECK(op(0x2a420420 /* orr w0, w1, w2, lsr #1 */, 1, 0x80000000) == 0x40000001);
    CHECK(op(0xaa0103e0 /* mov x0, x1 */, 0x0123456789abcdefull) == 0x0123456789abcdefull);
    CHECK(op(0x2a220020 /* orn w0, w1, w2 */, 0, 0) == 0xffffffffull);
    CHECK(op(0xaa2103e0 /* mvn x0, x1 */, 0x00ff00ff00ff00ffull) == 0xff00ff00ff00ff00ull);
    CHECK(op(0xca023020 /* eor x0, x1, x2, lsl #12 */, 0xfff, 1) == 0x1fff);
    CHECK(op(0xca220020 /* eon x0, x1, x2 */, 0x5a, 0x5a) == ~0ull);
    CHECK(op(0x4ac21020 /* eor w0, w1, w2, ror #4 */, 0, 0x12345678) == 0x81234567ull);
    // ANDS/BICS: N and Z from the result, C and V cleared.
    CHECK(flags_of(0x6a020020 /* ands w0, w1, w2 */, 0x80000000, 0x80000001, C | V) == N);
    CHECK(flags_of(0xeae21c20 /* bics x0, x1, x2, ror #7 */, 0xff, 0xffull << 7, N | C) == Z);
    CHECK(flags_of(0xea42103f /* tst x1, x2, lsr #4 */, 0x8000000000000000ull,
                   0x8000000000000000ull) == Z);
    CHECK(flags_of(0xea02003f /* tst x1, x2 */, 0x8000000000000000ull, 0x8000000000000000ull, V) ==
          N);
    // A 32-bit shift of 32 or more is UNDEFINED.
    CHECK(undefined(0x0a020020 /* and w0, w1, w2 */ | (32u << 10)));
    CHECK_FALSE(undefined(0x8a020020 /* and x0, x1, x2 */ | (32u << 10)));
}

TEST_CASE_FIXTURE(Dp, "add and subtract, shifted register") {
    CHECK(op(0x8b82fc20 /* add x0, x1, x2, asr #63 */, 10, 0x8000000000000000ull) == 9);
    CHECK(op(0x0b027c20 /* add w0, w1, w2, lsl #31 */, 1, 3) == 0x80000001ull);
    CHECK(op(0x0b020020 /* add w0, w1, w2 */, 0xffffffff, 2) == 1); // wraps, upper half cleared
    CHECK(op(0x4b020020 /* sub w0, w1, w2 */, 0, 1) == 0xffffffffull);
    CHECK(op(0xcb0203e0 /* neg x0, x2 */, 0, 5) == static_cast<uint64_t>(-5));
    CHECK(op(0xcb42f020 /* sub x0, x1, x2, lsr #60 */, 100, 0xf000000000000000ull) == 85);
    // Flags: signed overflow, carry out, zero, borrow.
    CHECK(flags_of(0xab020020 /* adds x0, x1, x2 */, 0x7fffffffffffffffull, 1) == (N | V));
    CHECK(x(0) == 0x8000000000000000ull);
    CHECK(flags_of(0xab020020 /* adds x0, x1, x2 */, ~0ull, 1) == (Z | C));
    CHECK(flags_of(0x2b020020 /* adds w0, w1, w2 */, 0x80000000, 0x80000000) == (Z | C | V));
    CHECK(flags_of(0x2b020020 /* adds w0, w1, w2 */, 0x7fffffff, 0) == 0);
    CHECK(flags_of(0xab02003f /* cmn x1, x2 */, 1, 2, N | Z | C | V) == 0);
    CHECK(flags_of(0xeb020020 /* subs x0, x1, x2 */, 0, 1) == N);
    CHECK(flags_of(0xeb020020 /* subs x0, x1, x2 */, 5, 5) == (Z | C));
    CHECK(flags_of(0xeb020020 /* subs x0, x1, x2 */, 0x8000000000000000ull, 1) == (C | V));
    CHECK(flags_of(0x6b020020 /* subs w0, w1, w2 */, 0x7fffffff, 0xffffffff) == (N | V));
    CHECK(flags_of(0x6b020020 /* subs w0, w1, w2 */, 1, 2) == N);
    CHECK(flags_of(0xeb420c3f /* cmp x1, x2, lsr #3 */, 1, 8) == (Z | C));
    // ROR is reserved for add/subtract; so is a 32-bit shift of 32 or more.
    CHECK(undefined(0x8b020020 /* add x0, x1, x2 */ | (3u << 22)));
    CHECK(undefined(0x6b020020 /* subs w0, w1, w2 */ | (3u << 22)));
    CHECK(undefined(0x0b020020 /* add w0, w1, w2 */ | (40u << 10)));
}

TEST_CASE_FIXTURE(Dp, "add and subtract, extended register") {
    cpu.sp() = 0x123456789abcdef0ull;
    CHECK(op(0x0b2207e0 /* add w0, wsp, w2, uxtb #1 */, 0, 0x1ff) == 0x9abce0eeull);
    cpu.sp() = 100;
    CHECK(op(0xcb22e3e0 /* sub x0, sp, x2, sxtx */, 0, 1) == 99);
    CHECK(op(0x8b22c820 /* add x0, x1, w2, sxtw #2 */, 0x1000, 0xffffffff) == 0xffc);
    CHECK(op(0x8b224820 /* add x0, x1, w2, uxtw #2 */, 0, 0xffffffff00000001ull) == 4);
    CHECK(op(0x8b22a020 /* add x0, x1, w2, sxth */, 0, 0x8000) == 0xffffffffffff8000ull);
    CHECK(op(0x8b223020 /* add x0, x1, w2, uxth #4 */, 0, 0xffff8000) == 0x80000);
    CHECK(op(0x8b228c20 /* add x0, x1, w2, sxtb #3 */, 0, 0x80) == static_cast<uint64_t>(-1024));
    // SP as destination of the non-flag forms.
    set_x(1, 0x1000);
    set_x(2, 0xffffffff);
    REQUIRE_FALSE(exec(0x8b22d03f /* add sp, x1, w2, sxtw #4 */).has_value());
    CHECK(cpu.sp() == 0xff0);
    set_x(1, 0x1000);
    set_x(2, 0x10);
    REQUIRE_FALSE(exec(0x4b22203f /* sub wsp, w1, w2, uxth */).has_value());
    CHECK(cpu.sp() == 0xff0);
    // Flag forms read SP but write XZR/Xd.
    CHECK(flags_of(0x6b228c20 /* subs w0, w1, w2, sxtb #3 */, 0, 0x80) == 0);
    CHECK(x(0) == 1024);
    cpu.sp() = 0x100000000ull;
    CHECK(flags_of(0xeb2243ff /* cmp sp, w2, uxtw */, 0, 0xffffffff00000000ull) == C);
    cpu.sp() = 4;
    CHECK(flags_of(0xab226bff /* cmn sp, x2, uxtx #2 */, 0, ~0ull) == (Z | C));
    CHECK(flags_of(0x2b22a020 /* adds w0, w1, w2, sxth */, 0x8000, 0x8000) == (Z | C));
    // Shift amounts 5..7 are reserved.
    CHECK(undefined((0x8b225020 /* add x0, x1, w2, uxtw #4 */ & ~(7u << 10)) | (5u << 10)));
    CHECK(undefined(0x2b220020 /* adds w0, w1, w2, uxtb */ | (7u << 10)));
}

TEST_CASE_FIXTURE(Dp, "add and subtract with carry") {
    CHECK(op(0x9a020020 /* adc x0, x1, x2 */, 1, 2, 0, C) == 4);
    CHECK(op(0x9a020020 /* adc x0, x1, x2 */, 1, 2, 0, 0) == 3);
    CHECK(op(0x1a020020 /* adc w0, w1, w2 */, 0xffffffff, 1, 0, C) == 1);
    CHECK(op(0xda020020 /* sbc x0, x1, x2 */, 10, 3, 0, C) == 7);
    CHECK(op(0xda020020 /* sbc x0, x1, x2 */, 10, 3, 0, 0) == 6);
    CHECK(op(0xda0203e0 /* ngc x0, x2 */, 0, 5, 0, C) == static_cast<uint64_t>(-5));
    CHECK(op(0xda0203e0 /* ngc x0, x2 */, 0, 5, 0, 0) == static_cast<uint64_t>(-6));
    CHECK(op(0x5a020020 /* sbc w0, w1, w2 */, 0, 0, 0, 0) == 0xffffffffull);
    CHECK(flags_of(0xba020020 /* adcs x0, x1, x2 */, ~0ull, 0, C) == (Z | C));
    CHECK(flags_of(0xba020020 /* adcs x0, x1, x2 */, 0x7fffffffffffffffull, 0, C) == (N | V));
    CHECK(flags_of(0x3a020020 /* adcs w0, w1, w2 */, 0xffffffff, 0xffffffff, C) == (N | C));
    CHECK(x(0) == 0xffffffffull);
    CHECK(flags_of(0xfa020020 /* sbcs x0, x1, x2 */, 5, 5, 0) == N);
    CHECK(flags_of(0xfa020020 /* sbcs x0, x1, x2 */, 5, 5, C) == (Z | C));
    CHECK(flags_of(0x7a020020 /* sbcs w0, w1, w2 */, 0x80000000, 0, 0) == (C | V));
    CHECK(x(0) == 0x7fffffffull);
}

TEST_CASE_FIXTURE(Dp, "conditional compare") {
    // lt holds when N != V.
    CHECK(flags_of(0xfa42b028 /* ccmp x1, x2, #8, lt */, 3, 3, N) == (Z | C));
    CHECK(flags_of(0xfa42b028 /* ccmp x1, x2, #8, lt */, 3, 3, 0) == N);
    CHECK(flags_of(0x7a421020 /* ccmp w1, w2, #0, ne */, 1, 2, 0) == N);
    CHECK(flags_of(0x7a421020 /* ccmp w1, w2, #0, ne */, 1, 2, Z | C) == 0);
    // hi holds when C && !Z.
    CHECK(flags_of(0x3a5f8822 /* ccmn w1, #31, #2, hi */, 0xffffffe1, 0, C) == (Z | C));
    CHECK(flags_of(0x3a5f8822 /* ccmn w1, #31, #2, hi */, 0xffffffe1, 0, 0) == C);
    CHECK(flags_of(0xba42e02f /* ccmn x1, x2, #15, al */, 1, 2, 0) == 0);
    CHECK(flags_of(0xba409821 /* ccmn x1, #0, #1, ls */, 0x8000000000000000ull, 0, Z) == N);
    CHECK(flags_of(0xba409821 /* ccmn x1, #0, #1, ls */, 0x8000000000000000ull, 0, C) == V);
    CHECK(flags_of(0x7a47a824 /* ccmp w1, #7, #4, ge */, 0x80000006, 0, 0) == (C | V));
    CHECK(flags_of(0xfa41c820 /* ccmp x1, #1, #0, gt */, 0, 0, 0) == N);
    CHECK(flags_of(0xfa41c820 /* ccmp x1, #1, #0, gt */, 0, 0, Z) == 0);
}

TEST_CASE_FIXTURE(Dp, "conditional select") {
    CHECK(op(0x9a820020 /* csel x0, x1, x2, eq */, 1, 2, 0, Z) == 1);
    CHECK(op(0x9a820020 /* csel x0, x1, x2, eq */, 1, 2, 0, 0) == 2);
    CHECK(op(0x9a82f020 /* csel x0, x1, x2, nv */, 1, 2, 0, 0) == 1); // nv behaves as al
    CHECK(op(0x1a820020 /* csel w0, w1, w2, eq */, 0xffffffff00000001ull, 2, 0, Z) == 1);
    CHECK(op(0x9a9f27e0 /* cset x0, cc */, 0, 0, 0, 0) == 1);
    CHECK(op(0x9a9f27e0 /* cset x0, cc */, 0, 0, 0, C) == 0);
    CHECK(op(0x1a824420 /* csinc w0, w1, w2, mi */, 7, 0xffffffff, 0, 0) == 0);
    CHECK(op(0xda9fc3e0 /* csetm x0, le */, 0, 0, 0, N) == ~0ull);
    CHECK(op(0xda9fc3e0 /* csetm x0, le */, 0, 0, 0, N | V) == 0);
    CHECK(op(0x5a9fc3e0 /* csetm w0, le */, 0, 0, 0, Z) == 0xffffffffull);
    CHECK(op(0x5a826020 /* csinv w0, w1, w2, vs */, 1, 0x0f0f0f0f, 0, 0) == 0xf0f0f0f0ull);
    CHECK(op(0x5a825420 /* csneg w0, w1, w2, pl */, 1, 5, 0, N) == 0xfffffffbull);
    CHECK(op(0x5a825420 /* csneg w0, w1, w2, pl */, 1, 5, 0, 0) == 1);
    CHECK(op(0xda816420 /* cneg x0, x1, vc */, 7, 0, 0, 0) == static_cast<uint64_t>(-7));
    CHECK(op(0xda816420 /* cneg x0, x1, vc */, 7, 0, 0, V) == 7);
    CHECK(op(0x9a819420 /* cinc x0, x1, hi */, 7, 0, 0, C) == 8);
    CHECK(op(0x9a819420 /* cinc x0, x1, hi */, 7, 0, 0, C | Z) == 7);
    CHECK(op(0x9a82c020 /* csel x0, x1, x2, gt */, 1, 2, 0, N | V) == 1);
    CHECK(op(0x9a82a020 /* csel x0, x1, x2, ge */, 1, 2, 0, V) == 2);
    CHECK(op(0x9a826020 /* csel x0, x1, x2, vs */, 1, 2, 0, V) == 1);
    // op2 bit 1 set is unallocated.
    CHECK(undefined(0x9a820020 /* csel x0, x1, x2, eq */ | (1u << 11)));
}

TEST_CASE_FIXTURE(Dp, "data processing, one source") {
    CHECK(op(0x5ac00020 /* rbit w0, w1 */, 1) == 0x80000000ull);
    CHECK(op(0xdac00020 /* rbit x0, x1 */, 1) == 0x8000000000000000ull);
    CHECK(op(0xdac00020 /* rbit x0, x1 */, 0x0123456789abcdefull) == 0xf7b3d591e6a2c480ull);
    CHECK(op(0x5ac00020 /* rbit w0, w1 */, 0xffffffff00000003ull) == 0xc0000000ull);
    CHECK(op(0x5ac00420 /* rev16 w0, w1 */, 0x01234567) == 0x23016745ull);
    CHECK(op(0xdac00420 /* rev16 x0, x1 */, 0x0123456789abcdefull) == 0x23016745ab89efcdull);
    CHECK(op(0x5ac00820 /* rev w0, w1 */, 0xffffffff01234567ull) == 0x67452301ull);
    CHECK(op(0xdac00820 /* rev32 x0, x1 */, 0x0123456789abcdefull) == 0x67452301efcdab89ull);
    CHECK(op(0xdac00c20 /* rev x0, x1 */, 0x0123456789abcdefull) == 0xefcdab8967452301ull);
    CHECK(op(0x5ac01020 /* clz w0, w1 */, 0) == 32);
    CHECK(op(0x5ac01020 /* clz w0, w1 */, 0xffffffff00000001ull) == 31);
    CHECK(op(0xdac01020 /* clz x0, x1 */, 0) == 64);
    CHECK(op(0xdac01020 /* clz x0, x1 */, 0x8000000000000000ull) == 0);
    CHECK(op(0xdac01020 /* clz x0, x1 */, 0x0000100000000000ull) == 19);
    CHECK(op(0x5ac01420 /* cls w0, w1 */, 0) == 31);
    CHECK(op(0x5ac01420 /* cls w0, w1 */, 0xffffffff) == 31);
    CHECK(op(0x5ac01420 /* cls w0, w1 */, 0x40000000) == 0);
    CHECK(op(0x5ac01420 /* cls w0, w1 */, 0x20000000) == 1);
    CHECK(op(0x5ac01420 /* cls w0, w1 */, 0xc0000000) == 1);
    CHECK(op(0xdac01420 /* cls x0, x1 */, 0) == 63);
    CHECK(op(0xdac01420 /* cls x0, x1 */, ~0ull) == 63);
    CHECK(op(0xdac01420 /* cls x0, x1 */, 1) == 62);
    CHECK(op(0xdac01420 /* cls x0, x1 */, 0xfff0000000000000ull) == 11);
    // REV (64-bit opcode) with sf=0 is unallocated.
    CHECK(undefined(0xdac00c20 /* rev x0, x1 */ & ~(1u << 31)));
}

TEST_CASE_FIXTURE(Dp, "division") {
    CHECK(op(0x1ac20820 /* udiv w0, w1, w2 */, 7, 2) == 3);
    CHECK(op(0x1ac20820 /* udiv w0, w1, w2 */, 7, 0) == 0);
    CHECK(op(0x1ac20820 /* udiv w0, w1, w2 */, 0x1ffffffffull, 0x100000001ull) == 0xffffffffull);
    CHECK(op(0x9ac20820 /* udiv x0, x1, x2 */, ~0ull, 3) == 0x5555555555555555ull);
    CHECK(op(0x9ac20820 /* udiv x0, x1, x2 */, ~0ull, 0) == 0);
    CHECK(op(0x1ac20c20 /* sdiv w0, w1, w2 */, static_cast<uint32_t>(-7), 2) == 0xfffffffdull);
    CHECK(op(0x1ac20c20 /* sdiv w0, w1, w2 */, 7, static_cast<uint32_t>(-2)) == 0xfffffffdull);
    CHECK(op(0x1ac20c20 /* sdiv w0, w1, w2 */, 0x80000000, 0xffffffff) == 0x80000000ull);
    CHECK(op(0x1ac20c20 /* sdiv w0, w1, w2 */, 0x80000000, 0) == 0);
    CHECK(op(0x9ac20c20 /* sdiv x0, x1, x2 */, 0x8000000000000000ull, ~0ull) ==
          0x8000000000000000ull);
    CHECK(op(0x9ac20c20 /* sdiv x0, x1, x2 */, static_cast<uint64_t>(-7), 2) ==
          static_cast<uint64_t>(-3));
    CHECK(op(0x9ac20c20 /* sdiv x0, x1, x2 */, 5, 0) == 0);
    CHECK(op(0x9ac20c20 /* sdiv x0, x1, x2 */, 9, ~0ull) == static_cast<uint64_t>(-9));
}

TEST_CASE_FIXTURE(Dp, "variable shifts use the amount modulo the width") {
    CHECK(op(0x1ac22020 /* lsl w0, w1, w2 */, 1, 33) == 2);
    CHECK(op(0x9ac22020 /* lsl x0, x1, x2 */, 1, 63) == 0x8000000000000000ull);
    CHECK(op(0x9ac22020 /* lsl x0, x1, x2 */, 1, 64) == 1);
    CHECK(op(0x9ac22420 /* lsr x0, x1, x2 */, 0x100, 68) == 0x10);
    CHECK(op(0x1ac22420 /* lsr w0, w1, w2 */, 0xffffffff80000000ull, 31) == 1);
    CHECK(op(0x1ac22820 /* asr w0, w1, w2 */, 0x80000000, 31) == 0xffffffffull);
    CHECK(op(0x9ac22820 /* asr x0, x1, x2 */, 0x8000000000000000ull, 60) == 0xfffffffffffffff8ull);
    CHECK(op(0x9ac22c20 /* ror x0, x1, x2 */, 1, 1) == 0x8000000000000000ull);
    CHECK(op(0x1ac22c20 /* ror w0, w1, w2 */, 1, 1) == 0x80000000ull);
    CHECK(op(0x1ac22c20 /* ror w0, w1, w2 */, 0x12345678, 36) == 0x81234567ull);
}

TEST_CASE_FIXTURE(Dp, "multiply-add and multiply-high") {
    CHECK(op(0x1b020c20 /* madd w0, w1, w2, w3 */, 3, 4, 5) == 17);
    CHECK(op(0x1b020c20 /* madd w0, w1, w2, w3 */, 0x10000, 0x10000, 1) == 1);
    CHECK(op(0x9b027c20 /* mul x0, x1, x2 */, 0x100000000ull, 0x100000000ull) == 0);
    CHECK(op(0x9b027c20 /* mul x0, x1, x2 */, static_cast<uint64_t>(-3), 7) ==
          static_cast<uint64_t>(-21));
    CHECK(op(0x9b028c20 /* msub x0, x1, x2, x3 */, 7, 8, 100) == 44);
    CHECK(op(0x1b028c20 /* msub w0, w1, w2, w3 */, 7, 8, 0) == 0xffffffc8ull);
    CHECK(op(0x9b02fc20 /* mneg x0, x1, x2 */, 7, 8) == static_cast<uint64_t>(-56));
    CHECK(op(0x9b220c20 /* smaddl x0, w1, w2, x3 */, 0xdeadbeeffffffffeull, 3, 10) == 4);
    CHECK(op(0x9b22fc20 /* smnegl x0, w1, w2 */, 0x80000000, 0x80000000) == 0xc000000000000000ull);
    CHECK(op(0x9b228c20 /* smsubl x0, w1, w2, x3 */, 0xffffffff, 0xffffffff, 1) == 0);
    CHECK(op(0x9ba27c20 /* umull x0, w1, w2 */, 0xffffffff, 0xffffffff) == 0xfffffffe00000001ull);
    CHECK(op(0x9ba20c20 /* umaddl x0, w1, w2, x3 */, 0x1ffffffffull, 2, 1) == 0x1ffffffffull);
    CHECK(op(0x9ba28c20 /* umsubl x0, w1, w2, x3 */, 2, 3, 10) == 4);
    CHECK(op(0x9b427c20 /* smulh x0, x1, x2 */, ~0ull, ~0ull) == 0);
    CHECK(op(0x9b427c20 /* smulh x0, x1, x2 */, 0x8000000000000000ull, 2) == ~0ull);
    CHECK(op(0x9b427c20 /* smulh x0, x1, x2 */, ~0ull, 1) == ~0ull);
    CHECK(op(0x9b427c20 /* smulh x0, x1, x2 */, 0x4000000000000000ull, 8) == 2);
    CHECK(op(0x9bc27c20 /* umulh x0, x1, x2 */, ~0ull, ~0ull) == 0xfffffffffffffffeull);
    CHECK(op(0x9bc27c20 /* umulh x0, x1, x2 */, 0x8000000000000000ull, 4) == 2);
    // The long and high forms exist only with sf=1.
    CHECK(undefined(0x9b220c20 /* smaddl x0, w1, w2, x3 */ & ~(1u << 31)));
    CHECK(undefined(0x9bc27c20 /* umulh x0, x1, x2 */ & ~(1u << 31)));
}

namespace {

// Runs a CRC instruction of the given width over "123456789" (bytes packed
// little-endian into the data register), finishing the tail bytewise.
uint32_t crc_of_check_string(Dp& f, uint32_t insn, unsigned width, uint32_t byte_insn) {
    const char* s = "123456789";
    uint32_t acc = 0xffffffff;
    unsigned i = 0;
    for (; i + width <= 9; i += width) {
        uint64_t data = 0;
        std::memcpy(&data, s + i, width);
        acc = static_cast<uint32_t>(f.op(insn, acc, data));
    }
    for (; i < 9; i++)
        acc = static_cast<uint32_t>(f.op(byte_insn, acc, static_cast<uint8_t>(s[i])));
    return ~acc;
}

} // namespace

TEST_CASE_FIXTURE(Dp, "CRC32 and CRC32C give the standard check values") {
    const uint32_t b = 0x1ac24020 /* crc32b w0, w1, w2 */, cb = 0x1ac25020 /* crc32cb w0, w1, w2 */;
    CHECK(crc_of_check_string(*this, b, 1, b) == 0xcbf43926u);
    CHECK(crc_of_check_string(*this, 0x1ac24420 /* crc32h w0, w1, w2 */, 2, b) == 0xcbf43926u);
    CHECK(crc_of_check_string(*this, 0x1ac24820 /* crc32w w0, w1, w2 */, 4, b) == 0xcbf43926u);
    CHECK(crc_of_check_string(*this, 0x9ac24c20 /* crc32x w0, w1, x2 */, 8, b) == 0xcbf43926u);
    CHECK(crc_of_check_string(*this, cb, 1, cb) == 0xe3069283u);
    CHECK(crc_of_check_string(*this, 0x1ac25420 /* crc32ch w0, w1, w2 */, 2, cb) == 0xe3069283u);
    CHECK(crc_of_check_string(*this, 0x1ac25820 /* crc32cw w0, w1, w2 */, 4, cb) == 0xe3069283u);
    CHECK(crc_of_check_string(*this, 0x9ac25c20 /* crc32cx w0, w1, x2 */, 8, cb) == 0xe3069283u);
    // Only the low bits of the data register count; the result is 32-bit.
    CHECK(op(b, 0xffffffff00000000ull, 0xffffffffffffff00ull) == op(b, 0, 0));
    CHECK(op(b, 0, 0) == 0);
    // Without the feature the encodings are unallocated.
    CHECK(a64_decode(b, feature_bit(Feature::Base)) == nullptr);
    CHECK(a64_decode(b, cpu.model.features) != nullptr);
}

TEST_CASE("every CPU model advertises CRC32") {
    for (const char* name : {"cortex-a57", "cortex-a72", "max"}) {
        auto m = find_cpu_model(name);
        REQUIRE(m);
        CHECK(((m->id_aa64isar0 >> 16) & 0xf) == 1);
        CHECK(m->has(Feature::CRC32));
    }
}

TEST_CASE("a program through the translation cache") {
    // Sum of 1..10 with a loop: exercises flags across instructions.
    CpuFixture f;
    auto e = f.run({
        0xd2800000 /* mov x0, #0 */, 0xd2800141 /* mov x1, #10 */, 0x8b010000 /* add x0, x0, x1 */,
        0xf1000421 /* subs x1, x1, #1 */, 0x54ffffc1 /* b.ne .-8 */,
        0x9ac10802 /* udiv x2, x0, x1 */ // division by zero: 0
    });
    REQUIRE_FALSE(e.has_value());
    CHECK(f.x(0) == 55);
    CHECK(f.x(1) == 0);
    CHECK(f.x(2) == 0);
}
