/* Bare-metal self-check of the A64 integer data-processing instructions.
   Each instruction is forced with inline assembly and compared against a
   value worked out by hand; flags are read back through conditional
   selects (CSET), so no system register access is needed. Operands are
   named: %[r] the result, %[a], %[b], %[c] the inputs. */
#include "baremetal.h"

static int failures;

#define OP1(insn, x)                                                                               \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(insn : [r] "=&r"(r_) : [a] "r"((uint64_t)(x)));                           \
        r_;                                                                                        \
    })
#define OP2(insn, x, y)                                                                            \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(insn : [r] "=&r"(r_) : [a] "r"((uint64_t)(x)), [b] "r"((uint64_t)(y)));   \
        r_;                                                                                        \
    })
#define OP3(insn, x, y, z)                                                                         \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(                                                                          \
            insn                                                                                   \
            : [r] "=&r"(r_)                                                                        \
            : [a] "r"((uint64_t)(x)), [b] "r"((uint64_t)(y)), [c] "r"((uint64_t)(z)));             \
        r_;                                                                                        \
    })
/* Read-modify-write of the destination (BFM family). */
#define OPRMW(insn, d, x)                                                                          \
    ({                                                                                             \
        uint64_t r_ = (uint64_t)(d);                                                               \
        __asm__ volatile(insn : [r] "+r"(r_) : [a] "r"((uint64_t)(x)));                            \
        r_;                                                                                        \
    })

/* The NZCV left by a flag-setting instruction, as a 4-bit value N Z C V,
   read back with CSET. */
#define FLAGS_AFTER(insn, x, y)                                                                    \
    ({                                                                                             \
        uint64_t t_, n_, z_, c_, v_;                                                               \
        __asm__ volatile(                                                                          \
            insn "\n\t"                                                                            \
                 "cset %w[n], mi\n\t"                                                              \
                 "cset %w[z], eq\n\t"                                                              \
                 "cset %w[c], cs\n\t"                                                              \
                 "cset %w[v], vs"                                                                  \
            : [r] "=&r"(t_), [n] "=&r"(n_), [z] "=&r"(z_), [c] "=&r"(c_), [v] "=&r"(v_)            \
            : [a] "r"((uint64_t)(x)), [b] "r"((uint64_t)(y))                                       \
            : "cc");                                                                               \
        (void)t_;                                                                                  \
        (n_ << 3) | (z_ << 2) | (c_ << 1) | v_;                                                    \
    })

/* Loads NZCV with a 4-bit immediate, then runs insn. "cmn xzr, xzr" sets
   Z, so the CCMP condition (ne) fails and it writes its immediate flags. */
#define SET_FLAGS_THEN(nzcv_imm, insn, x, y)                                                       \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile("cmn xzr, xzr\n\t"                                                        \
                         "ccmp xzr, xzr, #" #nzcv_imm ", ne\n\t" insn                              \
                         : [r] "=&r"(r_)                                                           \
                         : [a] "r"((uint64_t)(x)), [b] "r"((uint64_t)(y))                          \
                         : "cc");                                                                  \
        r_;                                                                                        \
    })

enum { N = 8, Z = 4, C = 2, V = 1 };

static void check_add_sub(void) {
    CHECK_EQ("add", OP2("add %[r], %[a], %[b]", 40, 2), 42);
    CHECK_EQ("add w wraps", OP2("add %w[r], %w[a], %w[b]", 0xffffffffu, 2), 1);
    CHECK_EQ("add lsl", OP2("add %[r], %[a], %[b], lsl #4", 1, 1), 17);
    CHECK_EQ("add asr", OP2("add %[r], %[a], %[b], asr #63", 10, 0x8000000000000000ull), 9);
    CHECK_EQ("sub lsr", OP2("sub %[r], %[a], %[b], lsr #60", 100, 0xf000000000000000ull), 85);
    CHECK_EQ("add sxtw", OP2("add %[r], %[a], %w[b], sxtw #2", 0x1000, 0xffffffffu), 0xffc);
    CHECK_EQ("add uxtb", OP2("add %[r], %[a], %w[b], uxtb", 0, 0x1ff), 0xff);
    CHECK_EQ("sub sxth", OP2("sub %[r], %[a], %w[b], sxth #1", 0, 0x8000), 0x10000);
    CHECK_EQ("neg", OP1("neg %[r], %[a]", 5), (uint64_t)-5);

    CHECK_EQ("adds overflow", FLAGS_AFTER("adds %[r], %[a], %[b]", 0x7fffffffffffffffull, 1),
             N | V);
    CHECK_EQ("adds carry zero", FLAGS_AFTER("adds %[r], %[a], %[b]", ~0ull, 1), Z | C);
    CHECK_EQ("adds w all", FLAGS_AFTER("adds %w[r], %w[a], %w[b]", 0x80000000u, 0x80000000u),
             Z | C | V);
    CHECK_EQ("subs borrow", FLAGS_AFTER("subs %[r], %[a], %[b]", 0, 1), N);
    CHECK_EQ("subs equal", FLAGS_AFTER("subs %[r], %[a], %[b]", 5, 5), Z | C);
    CHECK_EQ("subs overflow", FLAGS_AFTER("subs %[r], %[a], %[b]", 0x8000000000000000ull, 1),
             C | V);
    CHECK_EQ("subs w", FLAGS_AFTER("subs %w[r], %w[a], %w[b]", 0x7fffffffu, 0xffffffffu), N | V);
    CHECK_EQ("cmn", FLAGS_AFTER("adds %[r], %[a], %[b]", 1, 2), 0);
}

static void check_carry_and_conditions(void) {
    /* C set via CCMP's immediate, then ADC/SBC consume it. */
    CHECK_EQ("adc c=1", SET_FLAGS_THEN(2, "adc %[r], %[a], %[b]", 1, 2), 4);
    CHECK_EQ("adc c=0", SET_FLAGS_THEN(0, "adc %[r], %[a], %[b]", 1, 2), 3);
    CHECK_EQ("sbc c=1", SET_FLAGS_THEN(2, "sbc %[r], %[a], %[b]", 10, 3), 7);
    CHECK_EQ("sbc c=0", SET_FLAGS_THEN(0, "sbc %[r], %[a], %[b]", 10, 3), 6);
    CHECK_EQ("adc w wraps", SET_FLAGS_THEN(2, "adc %w[r], %w[a], %w[b]", 0xffffffffu, 1), 1);
    /* Conditions after CCMP-loaded flags. */
    CHECK_EQ("csel eq", SET_FLAGS_THEN(4, "csel %[r], %[a], %[b], eq", 1, 2), 1);
    CHECK_EQ("csel ne", SET_FLAGS_THEN(4, "csel %[r], %[a], %[b], ne", 1, 2), 2);
    CHECK_EQ("csinc mi", SET_FLAGS_THEN(0, "csinc %[r], %[a], %[b], mi", 1, 41), 42);
    CHECK_EQ("csinv vs", SET_FLAGS_THEN(0, "csinv %[r], %[a], %[b], vs", 1, 0), ~0ull);
    CHECK_EQ("csneg pl", SET_FLAGS_THEN(8, "csneg %[r], %[a], %[b], pl", 1, 5), (uint64_t)-5);
    CHECK_EQ("csel gt", SET_FLAGS_THEN(9, "csel %[r], %[a], %[b], gt", 1, 2), 1);
    CHECK_EQ("csel ge", SET_FLAGS_THEN(1, "csel %[r], %[a], %[b], ge", 1, 2), 2);
    CHECK_EQ("csel hi", SET_FLAGS_THEN(2, "csel %[r], %[a], %[b], hi", 1, 2), 1);
    CHECK_EQ("csel ls", SET_FLAGS_THEN(6, "csel %[r], %[a], %[b], ls", 1, 2), 1);
    CHECK_EQ("csel le", SET_FLAGS_THEN(0, "csel %[r], %[a], %[b], le", 1, 2), 2);
    /* CCMP: compare when the condition holds, else the immediate flags. */
    CHECK_EQ("ccmp taken", SET_FLAGS_THEN(4, "ccmp %[a], %[b], #0, eq\n\tcset %w[r], eq", 3, 3), 1);
    CHECK_EQ("ccmp not taken", SET_FLAGS_THEN(0, "ccmp %[a], %[b], #0, eq\n\tcset %w[r], eq", 3, 3),
             0);
    CHECK_EQ("ccmn imm",
             SET_FLAGS_THEN(2, "ccmn %w[a], #31, #0, hi\n\tcset %w[r], eq", 0xffffffe1u, 0), 1);
}

static void check_logical(void) {
    CHECK_EQ("and imm", OP1("and %[r], %[a], #0xff00ff00ff00ff00", 0x0123456789abcdefull),
             0x010045008900cd00ull);
    CHECK_EQ("orr imm", OP1("orr %w[r], %w[a], #0xf0f0f0f0", 0xf), 0xf0f0f0ffu);
    CHECK_EQ("eor imm", OP1("eor %[r], %[a], #0xfffffffffffffffe", 0xffff), 0xffffffffffff0001ull);
    CHECK_EQ("bic", OP2("bic %[r], %[a], %[b]", 0xff, 0x0f), 0xf0);
    CHECK_EQ("orn w", OP2("orn %w[r], %w[a], %w[b]", 0, 0), 0xffffffffu);
    CHECK_EQ("eon", OP2("eon %[r], %[a], %[b]", 0x5a, 0x5a), ~0ull);
    CHECK_EQ("eor ror", OP2("eor %w[r], %w[a], %w[b], ror #4", 0, 0x12345678), 0x81234567u);
    CHECK_EQ("ands N", FLAGS_AFTER("ands %w[r], %w[a], %w[b]", 0x80000000u, 0x80000001u), N);
    CHECK_EQ(
        "tst Z",
        FLAGS_AFTER("ands %[r], %[a], %[b], lsr #4", 0x8000000000000000ull, 0x8000000000000000ull),
        Z);
}

static void check_bitfield(void) {
    CHECK_EQ("sbfx", OP1("sbfx %w[r], %w[a], #3, #5", 0x80), 0xfffffff0u);
    CHECK_EQ("asr", OP1("asr %[r], %[a], #5", (uint64_t)-64), (uint64_t)-2);
    CHECK_EQ("sxtw", OP1("sxtw %[r], %w[a]", 0x80000000u), 0xffffffff80000000ull);
    CHECK_EQ("sxtb", OP1("sxtb %w[r], %w[a]", 0x80), 0xffffff80u);
    CHECK_EQ("ubfx", OP1("ubfx %w[r], %w[a], #4, #8", 0x12345678), 0x67);
    CHECK_EQ("ubfiz", OP1("ubfiz %[r], %[a], #60, #4", 0xff), 0xf000000000000000ull);
    CHECK_EQ("lsl", OP1("lsl %[r], %[a], #3", 0x2000000000000001ull), 8);
    CHECK_EQ("lsr", OP1("lsr %w[r], %w[a], #31", 0x80000000u), 1);
    CHECK_EQ("uxth", OP1("uxth %w[r], %w[a]", 0x12345678), 0x5678);
    CHECK_EQ("bfi", OPRMW("bfi %w[r], %w[a], #8, #4", 0xffffffffu, 5), 0xfffff5ffu);
    CHECK_EQ("bfxil", OPRMW("bfxil %[r], %[a], #8, #12", ~0ull, 0x12345678), 0xfffffffffffff456ull);
    CHECK_EQ("extr", OP2("extr %w[r], %w[a], %w[b], #7", 1, 0x80), 0x02000001u);
    CHECK_EQ("ror imm", OP1("ror %[r], %[a], #63", 1), 2);
}

static void check_one_source(void) {
    CHECK_EQ("rbit", OP1("rbit %[r], %[a]", 0x0123456789abcdefull), 0xf7b3d591e6a2c480ull);
    CHECK_EQ("rbit w", OP1("rbit %w[r], %w[a]", 1), 0x80000000u);
    CHECK_EQ("rev16", OP1("rev16 %[r], %[a]", 0x0123456789abcdefull), 0x23016745ab89efcdull);
    CHECK_EQ("rev32", OP1("rev32 %[r], %[a]", 0x0123456789abcdefull), 0x67452301efcdab89ull);
    CHECK_EQ("rev", OP1("rev %[r], %[a]", 0x0123456789abcdefull), 0xefcdab8967452301ull);
    CHECK_EQ("rev w", OP1("rev %w[r], %w[a]", 0x01234567), 0x67452301u);
    CHECK_EQ("clz 0", OP1("clz %[r], %[a]", 0), 64);
    CHECK_EQ("clz w", OP1("clz %w[r], %w[a]", 1), 31);
    CHECK_EQ("clz", OP1("clz %[r], %[a]", 0x0000100000000000ull), 19);
    CHECK_EQ("cls 0", OP1("cls %[r], %[a]", 0), 63);
    CHECK_EQ("cls -1", OP1("cls %w[r], %w[a]", 0xffffffffu), 31);
    CHECK_EQ("cls", OP1("cls %[r], %[a]", 0xfff0000000000000ull), 11);
}

static void check_division_and_shifts(void) {
    CHECK_EQ("udiv", OP2("udiv %[r], %[a], %[b]", ~0ull, 3), 0x5555555555555555ull);
    CHECK_EQ("udiv by 0", OP2("udiv %[r], %[a], %[b]", 7, 0), 0);
    CHECK_EQ("sdiv trunc", OP2("sdiv %w[r], %w[a], %w[b]", (uint32_t)-7, 2), 0xfffffffdu);
    CHECK_EQ("sdiv min/-1", OP2("sdiv %[r], %[a], %[b]", 0x8000000000000000ull, ~0ull),
             0x8000000000000000ull);
    CHECK_EQ("sdiv w min/-1", OP2("sdiv %w[r], %w[a], %w[b]", 0x80000000u, 0xffffffffu),
             0x80000000u);
    CHECK_EQ("sdiv by 0", OP2("sdiv %[r], %[a], %[b]", 5, 0), 0);
    CHECK_EQ("lslv mod", OP2("lsl %w[r], %w[a], %w[b]", 1, 33), 2);
    CHECK_EQ("lsrv mod", OP2("lsr %[r], %[a], %[b]", 0x100, 68), 0x10);
    CHECK_EQ("asrv", OP2("asr %[r], %[a], %[b]", 0x8000000000000000ull, 60), 0xfffffffffffffff8ull);
    CHECK_EQ("rorv", OP2("ror %w[r], %w[a], %w[b]", 0x12345678, 36), 0x81234567u);
}

static void check_multiply(void) {
    CHECK_EQ("madd", OP3("madd %w[r], %w[a], %w[b], %w[c]", 3, 4, 5), 17);
    CHECK_EQ("msub", OP3("msub %[r], %[a], %[b], %[c]", 7, 8, 100), 44);
    CHECK_EQ("mul wrap", OP2("mul %[r], %[a], %[b]", 0x100000000ull, 0x100000000ull), 0);
    CHECK_EQ("smaddl", OP3("smaddl %[r], %w[a], %w[b], %[c]", 0xfffffffeu, 3, 10), 4);
    CHECK_EQ("umull", OP2("umull %[r], %w[a], %w[b]", 0xffffffffu, 0xffffffffu),
             0xfffffffe00000001ull);
    CHECK_EQ("umsubl", OP3("umsubl %[r], %w[a], %w[b], %[c]", 2, 3, 10), 4);
    CHECK_EQ("smulh", OP2("smulh %[r], %[a], %[b]", 0x8000000000000000ull, 2), ~0ull);
    CHECK_EQ("smulh -1*-1", OP2("smulh %[r], %[a], %[b]", ~0ull, ~0ull), 0);
    CHECK_EQ("umulh", OP2("umulh %[r], %[a], %[b]", ~0ull, ~0ull), 0xfffffffffffffffeull);
}

static void check_crc(void) {
    static const char msg[] = "123456789";
    uint64_t acc = 0xffffffff, acc_c = 0xffffffff;
    for (int i = 0; i < 9; i++) {
        acc = OP2(".arch_extension crc\n\tcrc32b %w[r], %w[a], %w[b]", acc, (unsigned char)msg[i]);
        acc_c =
            OP2(".arch_extension crc\n\tcrc32cb %w[r], %w[a], %w[b]", acc_c, (unsigned char)msg[i]);
    }
    CHECK_EQ("crc32b check", ~acc & 0xffffffffu, 0xcbf43926u);
    CHECK_EQ("crc32cb check", ~acc_c & 0xffffffffu, 0xe3069283u);
    /* "12345678" packed little-endian, then "9". */
    acc =
        OP2(".arch_extension crc\n\tcrc32x %w[r], %w[a], %[b]", 0xffffffffu, 0x3837363534333231ull);
    acc = OP2(".arch_extension crc\n\tcrc32b %w[r], %w[a], %w[b]", acc, '9');
    CHECK_EQ("crc32x check", ~acc & 0xffffffffu, 0xcbf43926u);
    acc = OP2(".arch_extension crc\n\tcrc32cw %w[r], %w[a], %w[b]", 0xffffffffu, 0x34333231u);
    acc = OP2(".arch_extension crc\n\tcrc32ch %w[r], %w[a], %w[b]", acc, 0x3635u);
    acc = OP2(".arch_extension crc\n\tcrc32ch %w[r], %w[a], %w[b]", acc, 0x3837u);
    acc = OP2(".arch_extension crc\n\tcrc32cb %w[r], %w[a], %w[b]", acc, '9');
    CHECK_EQ("crc32c mixed check", ~acc & 0xffffffffu, 0xe3069283u);
}

int main(void) {
    check_add_sub();
    check_carry_and_conditions();
    check_logical();
    check_bitfield();
    check_one_source();
    check_division_and_shifts();
    check_multiply();
    check_crc();
    if (failures) {
        puts_uart("int_selfcheck: ");
        print_dec((uint64_t)failures);
        puts_uart(" failures\n");
        return 1;
    }
    puts_uart("int_selfcheck: all checks passed\n");
    return 0;
}
