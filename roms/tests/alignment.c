/* Alignment by memory type. With the MMU off data accesses are
   Device-nGnRnE, so an unaligned load or store (and DC ZVA) is an
   alignment fault, while a pair of words only needs word alignment. With
   the MMU on, Normal memory allows unaligned ordinary accesses unless
   SCTLR_EL1.A, and a Device mapping faults them again.

   Not compared with qemu-system-aarch64: the QEMU 7.2 of Debian 12 lets
   unaligned accesses through with the MMU off (QEMU issue 1204) and on
   Device mappings. */
#include "baremetal.h"
#include "vectors.h"

static int failures;

#define RAM_BASE 0x40000000ull
#define DEVICE_ALIAS 0x80000000ull /* RAM seen through a Device mapping */
#define MAIR_VALUE 0x00ffull       /* attr0 Normal WB, attr1 Device-nGnRnE */
#define D_BLOCK 1ull
#define D_AF (1ull << 10)
#define D_SH_INNER (3ull << 8)
#define D_ATTR(i) ((uint64_t)(i) << 2)
#define ESR_DABT_ALIGN_READ 0x96000021ull
#define ESR_DABT_ALIGN_WRITE 0x96000061ull

static struct {
    uint64_t esr, far;
    int count;
} last;

static void on_sync(struct exc_frame* f, unsigned vector) {
    (void)vector;
    last.esr = f->esr;
    last.far = f->far;
    last.count++;
    f->elr += 4; /* skip the faulting access */
}

static uint64_t buf[16] __attribute__((aligned(64)));
static uint64_t level1[512] __attribute__((aligned(4096)));

static uint64_t load64(uint64_t addr) {
    uint64_t v = 0x5a5a;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

static void store32(uint64_t addr, uint32_t v) {
    __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

static uint64_t load_pair32(uint64_t addr) {
    uint32_t a = 0, b = 0;
    __asm__ volatile("ldp %w0, %w1, [%2]" : "+r"(a), "+r"(b) : "r"(addr) : "memory");
    return a | (uint64_t)b << 32;
}

/* Runs one access and checks the exception it took (0: none). */
#define EXPECT(name, access, want_esr, want_far)                                                   \
    do {                                                                                           \
        last.count = 0;                                                                            \
        last.esr = 0;                                                                              \
        access;                                                                                    \
        CHECK_EQ(name " esr", last.count ? last.esr : 0, want_esr);                                \
        if (want_esr) CHECK_EQ(name " far", last.far, want_far);                                   \
    } while (0)

static void fill(void) {
    for (unsigned i = 0; i < 16; i++)
        buf[i] = 0x0706050403020100ull + 0x0808080808080808ull * i;
}

static void mmu_on(void) {
    /* 39-bit VA, 4 KiB granule: one level-1 table of 1 GiB blocks. */
    for (unsigned i = 0; i < 512; i++)
        level1[i] = 0;
    level1[0] = 0x00000000ull | D_BLOCK | D_AF | D_ATTR(1);         /* UART: Device */
    level1[1] = RAM_BASE | D_BLOCK | D_AF | D_SH_INNER | D_ATTR(0); /* RAM: Normal */
    level1[DEVICE_ALIAS >> 30] = RAM_BASE | D_BLOCK | D_AF | D_ATTR(1) | (1ull << 54); /* XN */
    dsb();
    write_sysreg(mair_el1, MAIR_VALUE);
    write_sysreg(tcr_el1, 25ull | (1ull << 23) | (5ull << 32)); /* T0SZ 25, EPD1, 48-bit IPS */
    write_sysreg(ttbr0_el1, (uint64_t)level1);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1 | (1u << 2) | (1u << 12));
    isb();
}

int main(void) {
    vectors_install();
    set_sync_handler(on_sync);
    const uint64_t b = (uint64_t)buf;

    /* MMU off: data memory is Device. */
    fill();
    CHECK_EQ("sctlr.m", read_sysreg(sctlr_el1) & 1, 0);
    EXPECT("off aligned ldr", CHECK_EQ("off aligned value", load64(b + 8), buf[1]), 0, 0);
    EXPECT("off unaligned ldr", load64(b + 1), ESR_DABT_ALIGN_READ, b + 1);
    EXPECT("off unaligned str", store32(b + 2, 0xdeadbeef), ESR_DABT_ALIGN_WRITE, b + 2);
    CHECK_EQ("off str left memory", buf[0], 0x0706050403020100ull);
    EXPECT("off ldp w word-aligned",
           CHECK_EQ("off ldp value", load_pair32(b + 4), 0x0b0a090807060504ull), 0, 0);
    EXPECT("off ldp w unaligned", load_pair32(b + 2), ESR_DABT_ALIGN_READ, b + 2);
    EXPECT("off dc zva",
           __asm__ volatile("dc zva, %0" ::"r"(b)
                            : "memory"),
           ESR_DABT_ALIGN_WRITE, b);
    CHECK_EQ("off dc zva left memory", buf[0], 0x0706050403020100ull);
    puts_uart("mmu off: alignment faults as Device memory\n");

    /* MMU on: Normal memory allows unaligned accesses. */
    mmu_on();
    fill();
    EXPECT("on unaligned ldr", CHECK_EQ("on unaligned value", load64(b + 1), 0x0807060504030201ull),
           0, 0);
    EXPECT("on unaligned str", store32(b + 2, 0xdeadbeef), 0, 0);
    CHECK_EQ("on str value", buf[0], 0x0706deadbeef0100ull);
    EXPECT("on dc zva", __asm__ volatile("dc zva, %0" ::"r"(b) : "memory"), 0, 0);
    CHECK_EQ("on dc zva zeroed", buf[0] | buf[7], 0);

    /* The same RAM through a Device mapping. */
    fill();
    const uint64_t d = DEVICE_ALIAS + (b - RAM_BASE);
    EXPECT("device aligned ldr", CHECK_EQ("device value", load64(d + 8), buf[1]), 0, 0);
    EXPECT("device unaligned ldr", load64(d + 3), ESR_DABT_ALIGN_READ, d + 3);
    EXPECT("device ldp w word-aligned", load_pair32(d + 4), 0, 0);

    /* SCTLR_EL1.A on Normal memory. */
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 2);
    isb();
    EXPECT("A unaligned ldr", load64(b + 4), ESR_DABT_ALIGN_READ, b + 4);
    EXPECT("A ldp w word-aligned", load_pair32(b + 4), 0, 0);
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~3ull);
    isb();
    puts_uart("mmu on: Normal allows unaligned, Device and SCTLR.A fault\n");
    return failures;
}
