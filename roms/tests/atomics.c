/* Exclusive and atomic memory accesses: LDXR/STXR loops of every size,
   acquire/release forms, pairs, monitor rules (CLREX, a second STXR,
   an intervening store), LDAR/STLR and, when ID_AA64ISAR0_EL1 advertises
   them, the LSE atomics. With PSCI CPU_ON and a second core, both cores
   increment shared counters at once so lost updates would show. */
#include "baremetal.h"

static int failures;

#define LSE ".arch_extension lse\n"

static uint64_t read_isar0(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(v));
    return v;
}

/* Exclusive increments, returning the number of failed store-exclusives. */
static uint64_t excl_add64(volatile uint64_t* p, uint64_t n) {
    uint64_t tmp, status, retries = 0;
    __asm__ volatile("1: ldxr %0, [%3]\n"
                     "   add %0, %0, %4\n"
                     "   stxr %w1, %0, [%3]\n"
                     "   cbz %w1, 2f\n"
                     "   add %2, %2, #1\n"
                     "   b 1b\n"
                     "2:\n"
                     : "=&r"(tmp), "=&r"(status), "+r"(retries)
                     : "r"(p), "r"(n)
                     : "memory");
    return retries;
}

static void excl_add32_acqrel(volatile uint32_t* p, uint32_t n) {
    uint32_t tmp, status;
    __asm__ volatile("1: ldaxr %w0, [%2]\n"
                     "   add %w0, %w0, %w3\n"
                     "   stlxr %w1, %w0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(status)
                     : "r"(p), "r"(n)
                     : "memory");
}

static void excl_add16(volatile uint16_t* p, uint32_t n) {
    uint32_t tmp, status;
    __asm__ volatile("1: ldxrh %w0, [%2]\n"
                     "   add %w0, %w0, %w3\n"
                     "   stxrh %w1, %w0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(status)
                     : "r"(p), "r"(n)
                     : "memory");
}

static void excl_add8(volatile uint8_t* p, uint32_t n) {
    uint32_t tmp, status;
    __asm__ volatile("1: ldaxrb %w0, [%2]\n"
                     "   add %w0, %w0, %w3\n"
                     "   stlxrb %w1, %w0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(status)
                     : "r"(p), "r"(n)
                     : "memory");
}

/* 128-bit increment through LDXP/STXP. */
static void excl_add128(volatile uint64_t* p, uint64_t n) {
    uint64_t lo, hi, status;
    __asm__ volatile("1: ldaxp %0, %1, [%3]\n"
                     "   adds %0, %0, %4\n"
                     "   adc %1, %1, xzr\n"
                     "   stlxp %w2, %0, %1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(lo), "=&r"(hi), "=&r"(status)
                     : "r"(p), "r"(n)
                     : "memory", "cc");
}

static uint64_t lse_ldadd(volatile uint64_t* p, uint64_t n) {
    uint64_t old;
    __asm__ volatile(LSE "ldaddal %1, %0, [%2]" : "=&r"(old) : "r"(n), "r"(p) : "memory");
    return old;
}

static __attribute__((aligned(16))) volatile uint64_t shared64;
static __attribute__((aligned(16))) volatile uint64_t shared128[2];
static volatile uint64_t shared_lse;
static volatile uint64_t secondary_done;
static int have_lse;

enum { kIters = 20000 };

static void check_monitor_rules(void) {
    static volatile uint64_t word = 5;
    uint64_t v, status;
    /* A second store-exclusive without a new load-exclusive fails. */
    __asm__ volatile("ldxr %0, [%2]\n"
                     "stxr %w1, %0, [%2]\n"
                     : "=&r"(v), "=&r"(status)
                     : "r"(&word)
                     : "memory");
    CHECK_EQ("ldxr/stxr succeeds", status, 0);
    __asm__ volatile("stxr %w0, %1, [%2]" : "=&r"(status) : "r"(7ul), "r"(&word) : "memory");
    CHECK_EQ("second stxr fails", status, 1);
    CHECK_EQ("failed stxr leaves memory", word, 5);
    /* CLREX disarms the monitor. */
    __asm__ volatile("ldxr %0, [%2]\n"
                     "clrex\n"
                     "stxr %w1, %0, [%2]\n"
                     : "=&r"(v), "=&r"(status)
                     : "r"(&word)
                     : "memory");
    CHECK_EQ("stxr after clrex fails", status, 1);
    /* A store of another value in between makes the store-exclusive fail
       (IMPLEMENTATION DEFINED on hardware; emulators compare values). */
    __asm__ volatile("ldxr %0, [%3]\n"
                     "str %2, [%3]\n"
                     "stxr %w1, %0, [%3]\n"
                     : "=&r"(v), "=&r"(status)
                     : "r"(9ul), "r"(&word)
                     : "memory");
    CHECK_EQ("stxr after an intervening store fails", status, 1);
    CHECK_EQ("intervening store kept", word, 9);
    /* (A size mismatch is CONSTRAINED UNPREDICTABLE; the unit tests cover
       Kestrel's choice.) */
}

static void check_acquire_release(void) {
    static volatile uint64_t word;
    uint64_t v;
    __asm__ volatile("stlr %1, [%2]\n"
                     "ldar %0, [%2]\n"
                     : "=&r"(v)
                     : "r"(0x1122334455667788ul), "r"(&word)
                     : "memory");
    CHECK_EQ("stlr/ldar", v, 0x1122334455667788ul);
    __asm__ volatile("stlrb %w1, [%2]\n"
                     "ldarh %w0, [%2]\n"
                     : "=&r"(v)
                     : "r"(0xaaul), "r"(&word)
                     : "memory");
    CHECK_EQ("stlrb/ldarh", v, 0x77aa);
}

static void check_lse(void) {
    static __attribute__((aligned(16))) volatile uint64_t m[2];
    uint64_t old, cmp;
    m[0] = 40;
    CHECK_EQ("ldadd old", lse_ldadd(&m[0], 2), 40);
    CHECK_EQ("ldadd new", m[0], 42);
    __asm__ volatile(LSE "stadd %0, [%1]" : : "r"(8ul), "r"(&m[0]) : "memory");
    CHECK_EQ("stadd", m[0], 50);
    __asm__ volatile(LSE "swpal %1, %0, [%2]" : "=&r"(old) : "r"(3ul), "r"(&m[0]) : "memory");
    CHECK_EQ("swp old", old, 50);
    CHECK_EQ("swp new", m[0], 3);
    __asm__ volatile(LSE "ldsmax %1, %0, [%2]" : "=&r"(old) : "r"(-1l), "r"(&m[0]) : "memory");
    CHECK_EQ("ldsmax keeps the larger", m[0], 3);
    __asm__ volatile(LSE "ldumax %1, %0, [%2]" : "=&r"(old) : "r"(-1l), "r"(&m[0]) : "memory");
    CHECK_EQ("ldumax", m[0], (uint64_t)-1);
    __asm__ volatile(LSE "ldclrb %w1, %w0, [%2]" : "=&r"(old) : "r"(0x0ful), "r"(&m[0]) : "memory");
    CHECK_EQ("ldclrb old", old, 0xff);
    CHECK_EQ("ldclrb", m[0], 0xfffffffffffffff0ul);
    cmp = 0xfffffffffffffff0ul;
    __asm__ volatile(LSE "casal %0, %1, [%2]" : "+r"(cmp) : "r"(77ul), "r"(&m[0]) : "memory");
    CHECK_EQ("cas hit returns old", cmp, 0xfffffffffffffff0ul);
    CHECK_EQ("cas hit stores", m[0], 77);
    cmp = 1;
    __asm__ volatile(LSE "cas %0, %1, [%2]" : "+r"(cmp) : "r"(88ul), "r"(&m[0]) : "memory");
    CHECK_EQ("cas miss returns current", cmp, 77);
    CHECK_EQ("cas miss keeps", m[0], 77);
    m[1] = 99;
    {
        register uint64_t x0 __asm__("x0") = 77, x1 __asm__("x1") = 99;
        register uint64_t x2 __asm__("x2") = 5, x3 __asm__("x3") = 6;
        __asm__ volatile(LSE "caspal x0, x1, x2, x3, [%2]"
                         : "+r"(x0), "+r"(x1)
                         : "r"(&m[0]), "r"(x2), "r"(x3)
                         : "memory");
        CHECK_EQ("casp old lo", x0, 77);
        CHECK_EQ("casp old hi", x1, 99);
        CHECK_EQ("casp lo", m[0], 5);
        CHECK_EQ("casp hi", m[1], 6);
    }
}

/* Work both cores do at once. */
static uint64_t hammer(void) {
    uint64_t retries = 0;
    for (int i = 0; i < kIters; i++) {
        retries += excl_add64(&shared64, 1);
        excl_add128(shared128, 0x8000000000000000ul);
        if (have_lse) lse_ldadd(&shared_lse, 1);
    }
    return retries;
}

void secondary_main(void);
void secondary_main(void) {
    hammer();
    __asm__ volatile("stlr %0, [%1]" : : "r"(1ul), "r"(&secondary_done) : "memory");
    psci_call(0x84000002u, 0, 0, 0); /* CPU_OFF */
    for (;;) __asm__ volatile("wfe");
}

/* Secondary entry: its own stack, then C. */
__asm__(".pushsection .text\n"
        ".balign 4\n"
        "secondary_entry:\n"
        "    adrp x1, secondary_stack + 8192\n"
        "    add x1, x1, :lo12:secondary_stack + 8192\n"
        "    mov sp, x1\n"
        "    bl secondary_main\n"
        "1:  b 1b\n"
        ".popsection\n");
extern char secondary_entry[];
__attribute__((aligned(16), used)) char secondary_stack[8192];

int main(void) {
    have_lse = ((read_isar0() >> 20) & 0xf) >= 2;
    puts_uart(have_lse ? "LSE atomics advertised\n" : "LSE atomics not advertised\n");

    check_monitor_rules();
    check_acquire_release();

    static volatile uint32_t w32;
    static volatile uint16_t w16;
    static volatile uint8_t w8;
    for (int i = 0; i < 300; i++) {
        excl_add32_acqrel(&w32, 3);
        excl_add16(&w16, 300);
        excl_add8(&w8, 1);
    }
    CHECK_EQ("ldaxr/stlxr w", w32, 900);
    CHECK_EQ("ldxrh/stxrh wraps", w16, (300 * 300) & 0xffff);
    CHECK_EQ("ldaxrb/stlxrb wraps", w8, 300 & 0xff);

    if (have_lse) check_lse();

    /* Start CPU 1 when the board lets us; otherwise count alone. */
    int cores = 1;
    if (psci_call(0xc4000003u, 1, (uint64_t)secondary_entry, 0) == 0) cores = 2;
    uint64_t retries = hammer();
    if (cores == 2) {
        uint64_t done = 0;
        for (uint64_t spin = 0; spin < 100000000ul && !done; spin++)
            __asm__ volatile("ldar %0, [%1]" : "=r"(done) : "r"(&secondary_done) : "memory");
        CHECK_EQ("secondary core finished", done, 1);
    }
    puts_uart("cores counting: ");
    print_dec((uint64_t)cores);
    puts_uart(", failed store-exclusives on this core: ");
    print_dec(retries);
    puts_uart("\n");
    uint64_t total = (uint64_t)cores * kIters;
    CHECK_EQ("exclusive counter", shared64, total);
    CHECK_EQ("exclusive pair counter lo", shared128[0], (total & 1) ? 0x8000000000000000ul : 0);
    CHECK_EQ("exclusive pair counter hi", shared128[1], total / 2);
    if (have_lse) CHECK_EQ("ldadd counter", shared_lse, total);

    return failures ? 1 : 0;
}
