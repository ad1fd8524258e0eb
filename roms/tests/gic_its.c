/* LPIs through the ITS: LPI property and pending tables, device and
   collection tables, the command queue (MAPD, MAPC, MAPTI, INT, INV,
   MOVI, SYNC) and the GITS_TRANSLATER doorbell. With several cores a
   second collection targets the last core. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define LPI_BASE 8192u
#define LPI_ID_BITS 14 /* INTIDs below 16384 */
#define GICR_CTLR_ENABLE_LPIS 1u

static int failures;
static volatile uint32_t lpi_taken[MAX_CPUS][4]; /* LPIs 8192..8195 */
static volatile uint32_t wrong[MAX_CPUS];
static volatile int ready[MAX_CPUS];
static volatile int done;

static uint8_t prop_table[(1u << LPI_ID_BITS) - LPI_BASE] __attribute__((aligned(4096)));
static uint8_t pend_tables[MAX_CPUS][65536] __attribute__((aligned(65536)));
static uint64_t device_table[512] __attribute__((aligned(4096)));
static uint64_t collection_table[512] __attribute__((aligned(4096)));
static uint8_t itt[1024] __attribute__((aligned(256)));
static uint64_t cmd_queue[512] __attribute__((aligned(65536))); /* 4 KiB: 128 commands */
static unsigned cmd_next;

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    unsigned cpu = cpu_index();
    uint32_t id = (uint32_t)icc_read(ICC_IAR1_EL1);
    if (id == SPURIOUS) return;
    if (id >= LPI_BASE && id < LPI_BASE + 4)
        lpi_taken[cpu][id - LPI_BASE]++;
    else if (id != 0)
        wrong[cpu]++;
    icc_write(ICC_EOIR1_EL1, id);
}

/* This core's redistributor: shared property table, own pending table. */
static void enable_lpis(unsigned cpu) {
    uint64_t rd = gicr_base(cpu);
    mmio_write64(rd + GICR_PROPBASER, (uint64_t)prop_table | (LPI_ID_BITS - 1));
    mmio_write64(rd + GICR_PENDBASER, (uint64_t)pend_tables[cpu] | (1ull << 62)); /* PTZ */
    mmio_write32(rd + GICR_CTLR, mmio_read32(rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
}

static void secondary(unsigned cpu) {
    gic_cpu_init();
    gic_enable(0);
    enable_lpis(cpu);
    irq_enable();
    ready[cpu] = 1;
    while (!done)
        __asm__ volatile("wfi");
    irq_disable();
}

static void its_cmd(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3) {
    uint64_t* c = &cmd_queue[4 * cmd_next];
    c[0] = d0;
    c[1] = d1;
    c[2] = d2;
    c[3] = d3;
    cmd_next = (cmd_next + 1) % 128;
    dsb();
    mmio_write64(GITS_BASE + GITS_CWRITER, 32ull * cmd_next);
    WAIT_FOR(mmio_read64(GITS_BASE + GITS_CREADR) == 32ull * cmd_next);
}

static void mapd(uint32_t dev, uint64_t itt_addr, unsigned event_bits) {
    its_cmd(0x08 | ((uint64_t)dev << 32), event_bits - 1, (1ull << 63) | itt_addr, 0);
}
/* GITS_TYPER.PTA = 0: the target is a processor number. */
static void mapc(uint16_t icid, unsigned cpu) {
    its_cmd(0x09, 0, (1ull << 63) | ((uint64_t)cpu << 16) | icid, 0);
}
static void mapti(uint32_t dev, uint32_t event, uint32_t intid, uint16_t icid) {
    its_cmd(0x0a | ((uint64_t)dev << 32), event | ((uint64_t)intid << 32), icid, 0);
}
static void its_int(uint32_t dev, uint32_t event) {
    its_cmd(0x03 | ((uint64_t)dev << 32), event, 0, 0);
}
static void its_inv(uint32_t dev, uint32_t event) {
    its_cmd(0x0c | ((uint64_t)dev << 32), event, 0, 0);
}
static void movi(uint32_t dev, uint32_t event, uint16_t icid) {
    its_cmd(0x01 | ((uint64_t)dev << 32), event, icid, 0);
}
static void its_sync(unsigned cpu) {
    its_cmd(0x05, 0, (uint64_t)cpu << 16, 0);
}

static uint64_t baser_value(uint64_t baser, void* table) {
    /* Keep Type and Entry_Size (read-only); Valid, 4 KiB pages, one page. */
    return (baser & (0x7ull << 56 | 0x1full << 48)) | (1ull << 63) | (uint64_t)table;
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init();
    gic_enable(0);
    unsigned n = gic_num_cpus();
    if (n > MAX_CPUS) n = MAX_CPUS;
    const unsigned last = n - 1;

    CHECK_EQ("GICD_TYPER.LPIS", (mmio_read32(GICD_BASE + GICD_TYPER) >> 17) & 1, 1);
    CHECK_EQ("GICR_TYPER.PLPIS", mmio_read64(gicr_base(0) + GICR_TYPER) & 1, 1);
    uint64_t typer = mmio_read64(GITS_BASE + GITS_TYPER);
    CHECK_EQ("GITS_TYPER.Physical", typer & 1, 1);
    CHECK_EQ("GITS_TYPER.PTA = 0", (typer >> 19) & 1, 0);
    unsigned itt_entry = (unsigned)((typer >> 4) & 0xf) + 1;
    CHECK_EQ("ITT fits", itt_entry * 32 <= sizeof itt, 1);

    for (unsigned i = 0; i < 4; i++)
        prop_table[i] = 0xa0 | 1; /* priority 0xa0, enabled */
    dsb();
    enable_lpis(0);
    CHECK_EQ("EnableLPIs", mmio_read32(gicr_base(0) + GICR_CTLR) & 1, 1);

    uint64_t b0 = mmio_read64(GITS_BASE + GITS_BASER(0));
    uint64_t b1 = mmio_read64(GITS_BASE + GITS_BASER(1));
    CHECK_EQ("BASER0 type: devices", (b0 >> 56) & 7, 1);
    CHECK_EQ("BASER1 type: collections", (b1 >> 56) & 7, 4);
    mmio_write64(GITS_BASE + GITS_BASER(0), baser_value(b0, device_table));
    mmio_write64(GITS_BASE + GITS_BASER(1), baser_value(b1, collection_table));
    CHECK_EQ("BASER0 valid", mmio_read64(GITS_BASE + GITS_BASER(0)) >> 63, 1);
    mmio_write64(GITS_BASE + GITS_CBASER, (1ull << 63) | (uint64_t)cmd_queue); /* one page */
    mmio_write64(GITS_BASE + GITS_CWRITER, 0);
    mmio_write32(GITS_BASE + GITS_CTLR, 1);
    CHECK_EQ("GITS_CTLR.Enabled", mmio_read32(GITS_BASE + GITS_CTLR) & 1, 1);

    for (unsigned c = 1; c < n; c++) {
        CHECK_EQ("CPU_ON", smp_start(c, secondary), 0);
        CHECK_EQ("secondary ready", WAIT_FOR(ready[c]), 1);
    }
    irq_enable();

    /* DeviceID 0 is what a core's own GITS_TRANSLATER write carries. */
    mapd(0, (uint64_t)itt, 5);
    mapc(0, 0);
    mapc(1, last);
    mapti(0, 0, LPI_BASE + 0, 0);
    mapti(0, 1, LPI_BASE + 1, 0);
    mapti(0, 2, LPI_BASE + 2, 1);
    its_sync(0);
    CHECK_EQ("queue drained", mmio_read64(GITS_BASE + GITS_CREADR), 32ull * cmd_next);

    its_int(0, 0);
    CHECK_EQ("INT: LPI 8192 on core 0", WAIT_FOR(lpi_taken[0][0] == 1), 1);

    mmio_write32(GITS_BASE + GITS_TRANSLATER, 1);
    CHECK_EQ("doorbell: LPI 8193 on core 0", WAIT_FOR(lpi_taken[0][1] == 1), 1);

    its_int(0, 2);
    CHECK_EQ("collection 1: LPI 8194 on the last core", WAIT_FOR(lpi_taken[last][2] == 1), 1);
    movi(0, 2, 0);
    its_int(0, 2);
    CHECK_EQ("after MOVI: LPI 8194 on core 0", WAIT_FOR(lpi_taken[0][2] == (last == 0 ? 2u : 1u)),
             1);

    /* Disabled in the property table (made visible with INV): the LPI
       stays pending until it is enabled again. */
    prop_table[1] = 0xa0;
    dsb();
    its_inv(0, 1);
    mmio_write32(GITS_BASE + GITS_TRANSLATER, 1);
    spin_delay(100000);
    CHECK_EQ("disabled LPI not taken", lpi_taken[0][1], 1);
    prop_table[1] = 0xa0 | 1;
    dsb();
    its_inv(0, 1);
    CHECK_EQ("taken once enabled", WAIT_FOR(lpi_taken[0][1] == 2), 1);

    /* An event nobody mapped is dropped. */
    mmio_write32(GITS_BASE + GITS_TRANSLATER, 7);
    spin_delay(100000);

    done = 1;
    dsb();
    for (unsigned c = 1; c < n; c++) {
        icc_write(ICC_SGI1R_EL1, sgi_to_list(0, (uint16_t)(1u << c)));
        CHECK_EQ("secondary off", smp_wait_off(c), 1);
    }
    irq_disable();
    for (unsigned c = 0; c < n; c++)
        CHECK_EQ("no unexpected interrupts", wrong[c], 0);
    CHECK_EQ("LPI 8195 never mapped", lpi_taken[0][3], 0);
    return failures;
}
