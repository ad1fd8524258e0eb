/* Synchronisation across cores, as Linux relies on it (run with -smp 2 or 4):
   - a store by another core between LDXR and STXR makes the STXR fail;
   - LDXR/STXR increments of one counter from every core lose no update,
     although the cores are preempted between the load and the store;
   - a ticket lock (LDAXR/STXR, WFE while waiting, STLR + SEV to release)
     protects plain read-modify-write updates;
   - with the MMU on in every core, a page remapped by the boot core and
     invalidated with TLBI VAE1IS (and with TLBI VMALLE1IS) is seen at its
     new address by the other cores, which had the old one in their TLBs. */
#include "baremetal.h"
#include "vectors.h"

#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON64 0xc4000003u
#define MAX_CPUS 4
#define INCREMENTS 20000

#define RAM_BASE 0x40000000ull
#define REMAP_VA 0x100000000ull /* 4 GiB, one 4 KiB page */
#define D_TABLE 3ull
#define D_PAGE 3ull
#define D_BLOCK 1ull
#define D_AF (1ull << 10)
#define D_SH_INNER (3ull << 8)
#define D_ATTR(i) ((uint64_t)(i) << 2)

static int failures;
static unsigned ncpus = 1;

uint8_t stacks[MAX_CPUS][4096] __attribute__((aligned(16)));
void secondary_entry(void);
void secondary_main(uint64_t cpu);

__asm__(".global secondary_entry\n"
        "secondary_entry:\n"
        "    adrp x1, stacks\n"
        "    add x1, x1, :lo12:stacks\n"
        "    add x2, x0, #1\n"
        "    lsl x2, x2, #12\n"
        "    add sp, x1, x2\n"
        "    bl secondary_main\n"
        "1:  wfi\n"
        "    b 1b\n");

/* --- exclusive counter and ticket lock ---------------------------------- */

static volatile uint64_t atomic_counter;
static volatile uint64_t plain_counter;
static volatile uint32_t lock_next, lock_owner;
static volatile uint64_t phase_done[MAX_CPUS];

/* The never-taken branch splits the sequence into two translation blocks,
   so other cores run between the load and the store (as they do in Linux's
   cmpxchg loops). */
static void atomic_inc(volatile uint64_t* p) {
    uint64_t v;
    uint32_t fail;
    do {
        __asm__ volatile("ldxr %0, [%2]\n"
                         "add %0, %0, #1\n"
                         "cbz %0, 1f\n"
                         "nop\n" /* 7 instructions per try: slices end at varying points */
                         "1: stxr %w1, %0, [%2]"
                         : "=&r"(v), "=&r"(fail)
                         : "r"(p)
                         : "memory");
    } while (fail);
}

static void lock(void) {
    uint32_t ticket, tmp, fail;
    do {
        __asm__ volatile("ldaxr %w0, [%3]\n"
                         "add %w1, %w0, #1\n"
                         "stxr %w2, %w1, [%3]"
                         : "=&r"(ticket), "=&r"(tmp), "=&r"(fail)
                         : "r"(&lock_next)
                         : "memory");
    } while (fail);
    __asm__ volatile("sevl" ::: "memory");
    for (;;) {
        uint32_t owner;
        __asm__ volatile("wfe\n ldaxr %w0, [%1]" : "=&r"(owner) : "r"(&lock_owner) : "memory");
        if (owner == ticket) break;
    }
}

static void unlock(void) {
    __asm__ volatile("stlr %w0, [%1]\n sev" ::"r"(lock_owner + 1), "r"(&lock_owner) : "memory");
}

/* The exclusive increments run without WFE (which ends a core's time
   slice): slices then end wherever the budget runs out. */
static void counting_phase(unsigned cpu) {
    for (int i = 0; i < INCREMENTS; i++)
        atomic_inc(&atomic_counter);
    for (int i = 0; i < INCREMENTS / 16; i++) {
        lock();
        uint64_t v = plain_counter; /* deliberately not atomic */
        for (volatile int d = 0; d < 3; d++)
            ;
        plain_counter = v + 1;
        unlock();
    }
    phase_done[cpu] = 1;
}

/* --- one monitored word, written by another core ------------------------- */

static volatile uint64_t monitored = 5;
static volatile uint64_t handshake; /* 1: core 0 holds the monitor; 2: core 1 stored */
static volatile uint64_t stxr_status = 99;

static void monitor_phase_core0(void) {
    uint64_t v;
    uint32_t fail;
    __asm__ volatile("ldxr %0, [%1]" : "=&r"(v) : "r"(&monitored) : "memory");
    handshake = 1;
    while (handshake != 2)
        __asm__ volatile("yield" ::: "memory");
    __asm__ volatile("stxr %w0, %1, [%2]" : "=&r"(fail) : "r"(v + 100), "r"(&monitored) : "memory");
    stxr_status = fail;
}

static void monitor_phase_core1(void) {
    while (handshake != 1)
        __asm__ volatile("yield" ::: "memory");
    monitored = 6;
    dsb();
    handshake = 2;
}

/* --- shared page tables, TLB maintenance --------------------------------- */

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));
static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));

static volatile uint64_t step; /* the boot core's instruction to the others */
static volatile uint64_t seen[MAX_CPUS][3];
static volatile uint64_t acked[MAX_CPUS];

static void mmu_on(void) {
    /* 39-bit VA, 4 KiB granule, inner-shareable write-back walks, 16-bit ASIDs. */
    uint64_t tcr = 25 | (25ull << 16) | (1ull << 8) | (1ull << 10) | (3ull << 12) |
                   (1ull << 23) /* EPD1 */ | (1ull << 32) | (1ull << 36);
    write_sysreg(mair_el1, 0x00ffull);
    write_sysreg(tcr_el1, tcr);
    write_sysreg(ttbr0_el1, (uint64_t)l1 | (1ull << 48));
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1 | (1u << 2) | (1u << 12));
    isb();
}

static void build_tables(void) {
    l1[0] = 0x00000000ull | D_AF | D_ATTR(1) | D_BLOCK;         /* devices */
    l1[1] = RAM_BASE | D_AF | D_SH_INNER | D_ATTR(0) | D_BLOCK; /* RAM */
    l1[REMAP_VA >> 30] = (uint64_t)l2 | D_TABLE;
    l2[0] = (uint64_t)l3 | D_TABLE;
    l3[0] = (uint64_t)page_a | D_AF | D_SH_INNER | D_ATTR(0) | D_PAGE;
    page_a[0] = 0xaaaa;
    page_b[0] = 0xbbbb;
    page_c[0] = 0xcccc;
    dsb();
}

/* Each secondary reads the page at every step the boot core announces. */
static void tlb_phase(unsigned cpu) {
    mmu_on();
    volatile uint64_t* va = (volatile uint64_t*)REMAP_VA;
    for (uint64_t s = 1; s <= 3; s++) {
        while (step < s)
            ;
        seen[cpu][s - 1] = va[0];
        acked[cpu] = s;
        dsb();
    }
}

static void wait_acks(uint64_t s) {
    for (unsigned c = 1; c < ncpus; c++)
        for (long i = 0; i < 50000000 && acked[c] < s; i++)
            ;
}

/* Done cores power off, so a failing boot core's stop ends the machine. */
void secondary_main(uint64_t cpu) {
    if (cpu == 1) monitor_phase_core1();
    counting_phase((unsigned)cpu);
    tlb_phase((unsigned)cpu);
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

int main(void) {
    build_tables();
    for (unsigned c = 1; c < MAX_CPUS; c++) {
        if (psci_call(PSCI_CPU_ON64, c, (uint64_t)secondary_entry, c) != 0) break;
        ncpus++;
    }
    puts_uart("cores: ");
    print_dec(ncpus);
    puts_uart("\n");
    CHECK_EQ("at least two cores (run with -smp 2 or more)", ncpus >= 2, 1);

    if (ncpus < 2) return failures;

    monitor_phase_core0();
    CHECK_EQ("STXR after another core's store fails", stxr_status, 1);
    CHECK_EQ("the other core's value stays", monitored, 6);

    counting_phase(0);
    for (unsigned c = 1; c < ncpus; c++)
        for (long i = 0; i < 50000000 && !phase_done[c]; i++)
            ;
    CHECK_EQ("LDXR/STXR counter", atomic_counter, (uint64_t)ncpus * INCREMENTS);
    CHECK_EQ("ticket-locked counter", plain_counter, (uint64_t)ncpus * (INCREMENTS / 16));

    mmu_on();
    volatile uint64_t* va = (volatile uint64_t*)REMAP_VA;
    CHECK_EQ("boot core sees page A", va[0], 0xaaaa);
    step = 1; /* everyone reads page A (and caches the translation) */
    wait_acks(1);

    l3[0] = (uint64_t)page_b | D_AF | D_SH_INNER | D_ATTR(0) | D_PAGE;
    __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" ::"r"(REMAP_VA >> 12)
                     : "memory");
    step = 2;
    wait_acks(2);

    l3[0] = (uint64_t)page_c | D_AF | D_SH_INNER | D_ATTR(0) | D_PAGE;
    __asm__ volatile("dsb ishst\n tlbi vmalle1is\n dsb ish\n isb" ::: "memory");
    step = 3;
    wait_acks(3);

    for (unsigned c = 1; c < ncpus; c++) {
        CHECK_EQ("secondary: page A before", seen[c][0], 0xaaaa);
        CHECK_EQ("secondary: page B after TLBI VAE1IS", seen[c][1], 0xbbbb);
        CHECK_EQ("secondary: page C after TLBI VMALLE1IS", seen[c][2], 0xcccc);
    }
    CHECK_EQ("boot core: page C", va[0], 0xcccc);

    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~1ull);
    isb();
    puts_uart("smp_sync done\n");
    return failures;
}
