#include "gic.h"

#include "baremetal.h"
#include "vectors.h"

#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON64 0xc4000003u
#define PSCI_AFFINITY_INFO64 0xc4000004u

unsigned cpu_index(void) {
    uint64_t mpidr = read_sysreg(mpidr_el1);
    return (unsigned)((mpidr & 0xff) + 16 * ((mpidr >> 8) & 0xff));
}

static uint64_t redist_stride(void) {
    /* GICv4 redistributors have VLPI and reserved frames (4 x 64 KiB). */
    return (mmio_read64(GICR_BASE + GICR_TYPER) & 2) ? 0x40000 : 0x20000;
}

uint64_t gicr_base(unsigned cpu) {
    return GICR_BASE + cpu * redist_stride();
}

unsigned gic_num_cpus(void) {
    unsigned n = 0;
    while (n < 64) {
        uint64_t typer = mmio_read64(gicr_base(n) + GICR_TYPER);
        n++;
        if (typer & (1u << 4)) break; /* Last */
    }
    return n;
}

unsigned gic_arch_rev(void) {
    return (mmio_read32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf;
}

void gic_wait_rwp(void) {
    while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

void gic_dist_init(void) {
    mmio_write32(GICD_BASE + GICD_CTLR, 0);
    gic_wait_rwp();
    unsigned lines = 32 * ((mmio_read32(GICD_BASE + GICD_TYPER) & 0x1f) + 1);
    if (lines > 1020) lines = 1020;
    for (unsigned i = 32; i < lines; i += 32) {
        mmio_write32(GICD_BASE + GICD_ICENABLER + i / 8, 0xffffffffu);
        mmio_write32(GICD_BASE + GICD_ICPENDR + i / 8, 0xffffffffu);
        mmio_write32(GICD_BASE + GICD_ICACTIVER + i / 8, 0xffffffffu);
        mmio_write32(GICD_BASE + GICD_IGROUPR + i / 8, 0xffffffffu);
    }
    for (unsigned i = 32; i < lines; i += 16)
        mmio_write32(GICD_BASE + GICD_ICFGR + i / 4, 0);
    for (unsigned i = 32; i < lines; i++) {
        mmio_write8(GICD_BASE + GICD_IPRIORITYR + i, 0xa0);
        mmio_write64(GICD_BASE + GICD_IROUTER + 8 * i, 0);
    }
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1);
    gic_wait_rwp();
}

void gic_cpu_init(void) {
    uint64_t rd = gicr_base(cpu_index());
    uint32_t waker = mmio_read32(rd + GICR_WAKER);
    mmio_write32(rd + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
    while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
        ;
    uint64_t sgi = rd + GICR_SGI_OFFSET;
    mmio_write32(sgi + GICD_ICENABLER, 0xffffffffu);
    mmio_write32(sgi + GICD_ICPENDR, 0xffffffffu);
    mmio_write32(sgi + GICD_ICACTIVER, 0xffffffffu);
    mmio_write32(sgi + GICD_IGROUPR, 0xffffffffu);
    for (unsigned i = 0; i < 32; i++)
        mmio_write8(sgi + GICD_IPRIORITYR + i, 0xa0);
    icc_write(ICC_SRE_EL1, icc_read(ICC_SRE_EL1) | 1);
    isb();
    icc_write(ICC_PMR_EL1, 0xff);
    icc_write(ICC_BPR0_EL1, 0);
    icc_write(ICC_BPR1_EL1, 0);
    icc_write(ICC_CTLR_EL1, 0);
    icc_write(ICC_IGRPEN0_EL1, 1);
    icc_write(ICC_IGRPEN1_EL1, 1);
    isb();
}

/* The frame holding an INTID's banked registers. */
static uint64_t frame_for(unsigned intid) {
    return intid < 32 ? gicr_base(cpu_index()) + GICR_SGI_OFFSET : GICD_BASE;
}

static void write_bit(uint32_t reg, unsigned intid) {
    mmio_write32(frame_for(intid) + reg + 4 * (intid / 32), 1u << (intid % 32));
}

static int read_bit(uint32_t reg, unsigned intid) {
    return (mmio_read32(frame_for(intid) + reg + 4 * (intid / 32)) >> (intid % 32)) & 1;
}

void gic_enable(unsigned intid) {
    write_bit(GICD_ISENABLER, intid);
}
void gic_disable(unsigned intid) {
    write_bit(GICD_ICENABLER, intid);
    if (intid >= 32) gic_wait_rwp();
}
void gic_set_pending(unsigned intid) {
    write_bit(GICD_ISPENDR, intid);
}
void gic_clear_pending(unsigned intid) {
    write_bit(GICD_ICPENDR, intid);
}
int gic_is_pending(unsigned intid) {
    return read_bit(GICD_ISPENDR, intid);
}
int gic_is_active(unsigned intid) {
    return read_bit(GICD_ISACTIVER, intid);
}
void gic_set_active(unsigned intid) {
    write_bit(GICD_ISACTIVER, intid);
}
void gic_clear_active(unsigned intid) {
    write_bit(GICD_ICACTIVER, intid);
}

void gic_set_priority(unsigned intid, uint8_t prio) {
    mmio_write8(frame_for(intid) + GICD_IPRIORITYR + intid, prio);
}

void gic_set_group(unsigned intid, unsigned group) {
    uint64_t a = frame_for(intid) + GICD_IGROUPR + 4 * (intid / 32);
    uint32_t v = mmio_read32(a);
    uint32_t bit = 1u << (intid % 32);
    mmio_write32(a, group ? (v | bit) : (v & ~bit));
}

void gic_set_edge(unsigned intid, int edge) {
    uint64_t a = frame_for(intid) + GICD_ICFGR + 4 * (intid / 16);
    uint32_t v = mmio_read32(a);
    uint32_t bit = 2u << (2 * (intid % 16));
    mmio_write32(a, edge ? (v | bit) : (v & ~bit));
}

void gic_route_spi(unsigned intid, unsigned cpu, int irm) {
    uint64_t aff = (uint64_t)(cpu % 16) | ((uint64_t)(cpu / 16) << 8);
    mmio_write64(GICD_BASE + GICD_IROUTER + 8 * intid, irm ? (1ull << 31) : aff);
}

uint64_t sgi_to_list(unsigned intid, uint16_t target_list) {
    return ((uint64_t)(intid & 0xf) << 24) | target_list;
}

uint64_t sgi_to_others(unsigned intid) {
    return ((uint64_t)(intid & 0xf) << 24) | (1ull << 40);
}

/* --- secondary cores ------------------------------------------------------ */

uint8_t smp_stacks[MAX_CPUS][8192] __attribute__((aligned(16)));
static void (*volatile smp_fn[MAX_CPUS])(unsigned);

void smp_secondary_entry(void);
void smp_secondary_main(uint64_t cpu);

__asm__(".global smp_secondary_entry\n"
        "smp_secondary_entry:\n"
        "    adrp x1, smp_stacks\n"
        "    add x1, x1, :lo12:smp_stacks\n"
        "    add x2, x0, #1\n"
        "    add x1, x1, x2, lsl #13\n"
        "    mov sp, x1\n"
        "    bl smp_secondary_main\n"
        "1:  b 1b\n");

void smp_secondary_main(uint64_t cpu) {
    vectors_install();
    smp_fn[cpu]((unsigned)cpu);
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    for (;;)
        ;
}

int64_t smp_start(unsigned cpu, void (*fn)(unsigned)) {
    if (cpu >= MAX_CPUS) return -2;
    smp_fn[cpu] = fn;
    dsb();
    uint64_t mpidr = (cpu % 16) | ((uint64_t)(cpu / 16) << 8);
    return (int64_t)psci_call(PSCI_CPU_ON64, mpidr, (uint64_t)smp_secondary_entry, cpu);
}

int smp_wait_off(unsigned cpu) {
    uint64_t mpidr = (cpu % 16) | ((uint64_t)(cpu / 16) << 8);
    for (unsigned long i = 0; i < 100000000ul; i++)
        if (psci_call(PSCI_AFFINITY_INFO64, mpidr, 0, 0) == 1) return 1;
    return 0;
}

void spin_delay(unsigned long loops) {
    for (unsigned long i = 0; i < loops; i++)
        __asm__ volatile("" ::: "memory");
}
