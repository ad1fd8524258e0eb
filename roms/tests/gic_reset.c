/* PSCI SYSTEM_RESET returns the GIC to its reset state. The first boot
   programs distributor, redistributors (on every core), CPU interfaces and
   ITS, leaves a marker in RAM the loader does not rewrite and resets the
   board; the second boot finds the marker and checks every register it
   touched is back at its reset value (most are zero; GICD_CTLR.ARE/DS are
   RAO, GICR_WAKER is asleep, ICC_BPRn are at their minimum). */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define PSCI_SYSTEM_RESET 0x84000009u
/* Far above the program and its tables, below the end of 128 MiB of RAM. */
#define MARKER_ADDR 0x47f00000ul
#define MARKER_MAGIC 0x6b657374726573ull /* "kestres" */

static int failures;
static volatile int ready[MAX_CPUS];
static volatile uint64_t icc_after[MAX_CPUS][6];
static uint64_t cmd_queue[512] __attribute__((aligned(65536)));

static volatile uint64_t* marker(void) {
    return (volatile uint64_t*)MARKER_ADDR;
}

/* Programs this core's redistributor and CPU interface away from reset. */
static void program_core(unsigned cpu) {
    gic_cpu_init();
    for (unsigned i = 0; i < 32; i++)
        gic_set_priority(i, (uint8_t)(0x10 + 8 * (i % 8)));
    mmio_write32(gicr_base(cpu) + GICR_SGI_OFFSET + GICD_ISENABLER, 0xffff00ffu);
    gic_set_edge(20, 1);
    icc_write(ICC_PMR_EL1, 0x08); /* masks everything: pending stays pending */
    icc_write(ICC_BPR1_EL1, 6);
    icc_write(ICC_CTLR_EL1, 2); /* EOImode */
    icc_write(ICC_SGI1R_EL1, sgi_to_list(3, (uint16_t)(1u << cpu)));
    gic_set_pending(21);
    isb();
}

static void secondary_program(unsigned cpu) {
    program_core(cpu);
    ready[cpu] = 1;
}

static void secondary_read(unsigned cpu) {
    icc_after[cpu][0] = icc_read(ICC_PMR_EL1);
    icc_after[cpu][1] = icc_read(ICC_BPR0_EL1);
    icc_after[cpu][2] = icc_read(ICC_BPR1_EL1);
    icc_after[cpu][3] = icc_read(ICC_CTLR_EL1) & 2;
    icc_after[cpu][4] = icc_read(ICC_IGRPEN0_EL1) | icc_read(ICC_IGRPEN1_EL1);
    icc_after[cpu][5] = icc_read(ICC_RPR_EL1);
    ready[cpu] = 1;
}

static void first_boot(unsigned n) {
    gic_dist_init();
    for (unsigned i = 32; i < 256; i += 32) {
        mmio_write32(GICD_BASE + GICD_ISENABLER + i / 8, 0xffffffffu);
        mmio_write32(GICD_BASE + GICD_ISPENDR + i / 8, 0x0f0f0f0fu);
        mmio_write32(GICD_BASE + GICD_ISACTIVER + i / 8, 0x00ff0000u);
        mmio_write32(GICD_BASE + GICD_ICFGR + i / 4, 0xaaaaaaaau);
    }
    for (unsigned i = 32; i < 256; i++) {
        gic_set_priority(i, (uint8_t)i);
        gic_route_spi(i, i % n, (i % 5) == 0);
    }
    program_core(0);
    for (unsigned c = 1; c < n; c++) {
        CHECK_EQ("CPU_ON", smp_start(c, secondary_program), 0);
        CHECK_EQ("secondary programmed", WAIT_FOR(ready[c]), 1);
        CHECK_EQ("secondary off", smp_wait_off(c), 1);
    }
    mmio_write64(gicr_base(0) + GICR_PROPBASER, 0x40400000ull | 13);
    mmio_write64(gicr_base(0) + GICR_PENDBASER, 0x40410000ull);
    mmio_write64(GITS_BASE + GITS_CBASER, (1ull << 63) | (uint64_t)cmd_queue);
    mmio_write32(GITS_BASE + GITS_CTLR, 1);
    CHECK_EQ("state programmed: GICD_CTLR", mmio_read32(GICD_BASE + GICD_CTLR) & 3, 3);
    CHECK_EQ("state programmed: SPI pending", gic_is_pending(32), 1);
    if (failures) test_exit(failures);
    *marker() = MARKER_MAGIC;
    dsb();
    puts_uart("resetting the board\n");
    psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    puts_uart("FAIL: SYSTEM_RESET returned\n");
    test_exit(1);
}

static void check_zero_range(const char* what, uint64_t base, unsigned bytes) {
    for (unsigned off = 0; off < bytes; off += 4)
        if (mmio_read32(base + off) != 0) {
            puts_uart("FAIL ");
            puts_uart(what);
            puts_uart(" at ");
            print_hex(base + off);
            puts_uart(": ");
            print_hex(mmio_read32(base + off));
            puts_uart("\n");
            failures++;
            return;
        }
}

static void second_boot(unsigned n) {
    *marker() = 0;
    dsb();
    puts_uart("second boot: checking reset values\n");
    CHECK_EQ("GICD_CTLR", mmio_read32(GICD_BASE + GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_DS);
    check_zero_range("GICD_IGROUPR", GICD_BASE + GICD_IGROUPR + 4, 28);
    check_zero_range("GICD_ISENABLER", GICD_BASE + GICD_ISENABLER + 4, 28);
    check_zero_range("GICD_ISPENDR", GICD_BASE + GICD_ISPENDR + 4, 28);
    check_zero_range("GICD_ISACTIVER", GICD_BASE + GICD_ISACTIVER + 4, 28);
    check_zero_range("GICD_IPRIORITYR", GICD_BASE + GICD_IPRIORITYR + 32, 224);
    check_zero_range("GICD_ICFGR", GICD_BASE + GICD_ICFGR + 8, 56);
    check_zero_range("GICD_IROUTER", GICD_BASE + GICD_IROUTER + 8 * 32, 8 * 224);
    for (unsigned c = 0; c < n; c++) {
        uint64_t rd = gicr_base(c), sgi = rd + GICR_SGI_OFFSET;
        CHECK_EQ("GICR_WAKER asleep", mmio_read32(rd + GICR_WAKER), 6);
        CHECK_EQ("GICR_CTLR", mmio_read32(rd + GICR_CTLR) & 1, 0);
        CHECK_EQ("GICR_PROPBASER", mmio_read64(rd + GICR_PROPBASER), 0);
        CHECK_EQ("GICR_PENDBASER", mmio_read64(rd + GICR_PENDBASER), 0);
        CHECK_EQ("GICR_IGROUPR0", mmio_read32(sgi + GICD_IGROUPR), 0);
        CHECK_EQ("GICR_ISENABLER0", mmio_read32(sgi + GICD_ISENABLER), 0);
        CHECK_EQ("GICR_ISPENDR0", mmio_read32(sgi + GICD_ISPENDR), 0);
        CHECK_EQ("GICR_ISACTIVER0", mmio_read32(sgi + GICD_ISACTIVER), 0);
        CHECK_EQ("GICR_ICFGR1 (PPIs level)", mmio_read32(sgi + GICD_ICFGR + 4), 0);
        check_zero_range("GICR_IPRIORITYR", sgi + GICD_IPRIORITYR, 32);
    }
    CHECK_EQ("GITS_CTLR.Enabled", mmio_read32(GITS_BASE + GITS_CTLR) & 1, 0);
    CHECK_EQ("GITS_CBASER", mmio_read64(GITS_BASE + GITS_CBASER), 0);
    CHECK_EQ("GITS_CWRITER", mmio_read64(GITS_BASE + GITS_CWRITER), 0);
    CHECK_EQ("GITS_BASER0.Valid", mmio_read64(GITS_BASE + GITS_BASER(0)) >> 63, 0);

    /* Each core reads its own CPU interface. */
    secondary_read(0);
    for (unsigned c = 1; c < n; c++) {
        ready[c] = 0;
        CHECK_EQ("CPU_ON", smp_start(c, secondary_read), 0);
        CHECK_EQ("secondary read", WAIT_FOR(ready[c]), 1);
        CHECK_EQ("secondary off", smp_wait_off(c), 1);
    }
    for (unsigned c = 0; c < n; c++) {
        CHECK_EQ("ICC_PMR_EL1", icc_after[c][0], 0);
        CHECK_EQ("ICC_BPR0_EL1 (minimum)", icc_after[c][1], 2);
        CHECK_EQ("ICC_BPR1_EL1 (minimum)", icc_after[c][2], 3);
        CHECK_EQ("ICC_CTLR_EL1.EOImode", icc_after[c][3], 0);
        CHECK_EQ("ICC_IGRPEN0/1", icc_after[c][4], 0);
        CHECK_EQ("ICC_RPR_EL1 idle", icc_after[c][5], 0xff);
    }
}

int main(void) {
    unsigned n = gic_num_cpus();
    if (n > MAX_CPUS) n = MAX_CPUS;
    if (*marker() == MARKER_MAGIC)
        second_boot(n);
    else
        first_boot(n);
    return failures;
}
