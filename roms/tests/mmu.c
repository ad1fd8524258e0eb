/* Stage-1 translation with each granule: identity map (blocks), a page
   remap, permission and access-flag faults, a TTBR1 high address, and an
   ASID switch with TLBI. */
#include "baremetal.h"
#include "vectors.h"

static int failures;

#define RAM_BASE 0x40000000ull
#define UART_BASE 0x09000000ull
#define MAIR_VALUE 0x00ffull /* attr0 Normal WB, attr1 Device-nGnRnE */
#define VA_BITS 39

#define D_VALID 1ull
#define D_TABLE 3ull
#define D_PAGE 3ull
#define D_BLOCK 1ull
#define D_AF (1ull << 10)
#define D_NG (1ull << 11)
#define D_SH_INNER (3ull << 8)
#define D_AP_RO (2ull << 6)
#define D_ATTR(i) ((uint64_t)(i) << 2)

/* Table memory: 64 KiB aligned pool, enough for three granules' tables. */
static uint8_t pool[16 * 65536] __attribute__((aligned(65536)));
static uint64_t pool_next;
static unsigned grain; /* 12, 14 or 16 */

static uint64_t* alloc_table(void) {
    uint64_t size = 1ull << grain;
    uint64_t* t = (uint64_t*)(pool + pool_next);
    pool_next += size;
    if (pool_next > sizeof(pool)) {
        puts_uart("table pool exhausted\n");
        test_exit(1);
    }
    for (uint64_t i = 0; i < size / 8; i++) t[i] = 0;
    return t;
}

static int start_level(void) {
    unsigned stride = grain - 3;
    unsigned levels = (VA_BITS - grain + stride - 1) / stride;
    return 4 - (int)levels;
}

static unsigned shift_of(int level) { return grain + (unsigned)(3 - level) * (grain - 3); }

/* Maps va -> pa with a descriptor at target level (3: page, else block). */
static void map(uint64_t* root, uint64_t va, uint64_t pa, int target, uint64_t attrs) {
    uint64_t* t = root;
    for (int level = start_level();; level++) {
        uint64_t idx = (va >> shift_of(level)) & ((1ull << (grain - 3)) - 1);
        if (level == start_level()) idx = (va >> shift_of(level)) & ((1ull << (VA_BITS - shift_of(level))) - 1);
        if (level == target) {
            t[idx] = pa | attrs | (level == 3 ? D_PAGE : D_BLOCK);
            return;
        }
        if (!(t[idx] & 1)) t[idx] = (uint64_t)alloc_table() | D_TABLE;
        t = (uint64_t*)(t[idx] & 0x0000fffffffff000ull & ~((1ull << grain) - 1));
    }
}

static uint64_t* leaf(uint64_t* root, uint64_t va) {
    uint64_t* t = root;
    for (int level = start_level();; level++) {
        uint64_t idx = (va >> shift_of(level)) & ((1ull << (grain - 3)) - 1);
        if (level == start_level()) idx = (va >> shift_of(level)) & ((1ull << (VA_BITS - shift_of(level))) - 1);
        if (level == 3 || (t[idx] & 3) == 1) return &t[idx];
        t = (uint64_t*)(t[idx] & 0x0000fffffffff000ull & ~((1ull << grain) - 1));
    }
}

static volatile uint64_t fault_esr, fault_far;
static volatile int faults;
static uint64_t* af_fixup; /* descriptor to give AF on an access-flag fault */

static void on_sync(struct exc_frame* f, unsigned vector) {
    (void)vector;
    fault_esr = f->esr;
    fault_far = f->far;
    faults++;
    if ((f->esr & 0x3c) == 0x08 && af_fixup) { /* access flag fault: set AF, retry */
        *af_fixup |= D_AF;
        dsb();
        return;
    }
    f->elr += 4;
}

static uint64_t data_a[4096] __attribute__((aligned(65536)));
static uint64_t data_b[4096] __attribute__((aligned(65536)));

static void run_granule(unsigned g) {
    grain = g;
    pool_next = 0;
    uint64_t* root0 = alloc_table();
    uint64_t* root1 = alloc_table();
    uint64_t block_level = 2, block = 1ull << shift_of(2);
    /* Identity: RAM as Normal blocks, the UART's block as Device. */
    for (uint64_t a = RAM_BASE; a < RAM_BASE + (128ull << 20); a += block)
        map(root0, a, a, (int)block_level, D_AF | D_SH_INNER | D_ATTR(0));
    map(root0, UART_BASE & ~(block - 1), UART_BASE & ~(block - 1), (int)block_level, D_AF | D_ATTR(1));

    const uint64_t remap_va = 0x10000000ull * 16; /* 4 GiB */
    const uint64_t page = 1ull << grain;
    map(root0, remap_va, (uint64_t)data_a, 3, D_AF | D_SH_INNER | D_ATTR(0));
    map(root0, remap_va + page, (uint64_t)data_a, 3, D_AF | D_SH_INNER | D_ATTR(0) | D_AP_RO);
    map(root0, remap_va + 2 * page, (uint64_t)data_b, 3, D_SH_INNER | D_ATTR(0)); /* AF clear */
    map(root0, remap_va + 3 * page, (uint64_t)data_a, 3, D_AF | D_NG | D_SH_INNER | D_ATTR(0));
    const uint64_t high_va = 0xffffff8000000000ull + 0x12340000ull / page * page;
    map(root1, high_va, (uint64_t)data_b, 3, D_AF | D_SH_INNER | D_ATTR(0));

    data_a[0] = 0xaaaa0000 + g;
    data_b[0] = 0xbbbb0000 + g;
    dsb();

    uint64_t tg0 = g == 12 ? 0 : g == 16 ? 1 : 2;
    uint64_t tg1 = g == 12 ? 2 : g == 16 ? 3 : 1;
    uint64_t tcr = (64 - VA_BITS) | ((uint64_t)(64 - VA_BITS) << 16) | (tg0 << 14) | (tg1 << 30) |
                   (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 24) | (1ull << 26) | (3ull << 28) |
                   (1ull << 32) /* IPS 36 bits */ | (1ull << 36) /* 16-bit ASID */;
    write_sysreg(mair_el1, MAIR_VALUE);
    write_sysreg(tcr_el1, tcr);
    write_sysreg(ttbr0_el1, (uint64_t)root0 | (1ull << 48));
    write_sysreg(ttbr1_el1, (uint64_t)root1);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1 | (1u << 2) | (1u << 12));
    isb();

    puts_uart("granule ");
    print_dec(1u << (g - 10));
    puts_uart(" KiB: MMU on\n");
    volatile uint64_t* remap = (volatile uint64_t*)remap_va;
    CHECK_EQ("remapped read", remap[0], 0xaaaa0000 + g);

    faults = 0;
    volatile uint64_t* ro = (volatile uint64_t*)(remap_va + page);
    CHECK_EQ("read-only read", ro[0], 0xaaaa0000 + g);
    ro[0] = 1;
    CHECK_EQ("permission faults", faults, 1);
    CHECK_EQ("permission ESR", fault_esr, 0x9600004f);
    CHECK_EQ("permission FAR", fault_far, remap_va + page);

    af_fixup = leaf(root0, remap_va + 2 * page);
    volatile uint64_t* af = (volatile uint64_t*)(remap_va + 2 * page);
    CHECK_EQ("after access flag fault", af[0], 0xbbbb0000 + g);
    CHECK_EQ("access flag faults", faults, 2);
    CHECK_EQ("access flag ESR", fault_esr, 0x9600000b);
    af_fixup = 0;

    volatile uint64_t* high = (volatile uint64_t*)high_va;
    CHECK_EQ("TTBR1 read", high[0], 0xbbbb0000 + g);

    /* ASID switch: the nG page changes under ASID 2, and after TLBI
       ASIDE1 under ASID 1 too. */
    volatile uint64_t* ng = (volatile uint64_t*)(remap_va + 3 * page);
    CHECK_EQ("nG read (ASID 1)", ng[0], 0xaaaa0000 + g);
    *leaf(root0, remap_va + 3 * page) = (uint64_t)data_b | D_AF | D_NG | D_SH_INNER | D_ATTR(0) | D_PAGE;
    dsb();
    write_sysreg(ttbr0_el1, (uint64_t)root0 | (2ull << 48));
    isb();
    CHECK_EQ("nG read (ASID 2)", ng[0], 0xbbbb0000 + g);
    write_sysreg(ttbr0_el1, (uint64_t)root0 | (1ull << 48));
    isb();
    __asm__ volatile("tlbi aside1, %0\n dsb sy\n isb" ::"r"(1ull << 48) : "memory");
    CHECK_EQ("nG read (ASID 1 after TLBI)", ng[0], 0xbbbb0000 + g);

    /* AT S1E1R into PAR_EL1. */
    __asm__ volatile("at s1e1r, %0\n isb" ::"r"(remap_va) : "memory");
    CHECK_EQ("PAR_EL1 PA", read_sysreg(par_el1) & 0x0000fffffffff000ull, (uint64_t)data_a);
    __asm__ volatile("at s1e1r, %0\n isb" ::"r"(remap_va + 5 * page) : "memory");
    CHECK_EQ("PAR_EL1 fault", read_sysreg(par_el1) & 0x7f, 1 | (0x07 << 1));

    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~1ull);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
}

int main(void) {
    vectors_install();
    set_sync_handler(on_sync);
    uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
    /* TGran4 and TGran64: 0xf means unsupported; TGran16: 0 means unsupported. */
    if (((mmfr0 >> 28) & 0xf) != 0xf) run_granule(12);
    if (((mmfr0 >> 20) & 0xf) != 0) run_granule(14);
    if (((mmfr0 >> 24) & 0xf) != 0xf) run_granule(16);
    puts_uart("mmu done\n");
    return failures;
}
