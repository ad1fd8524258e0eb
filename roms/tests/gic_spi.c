/* SPIs: routed by GICD_IROUTER to each core in turn, then 1-of-N
   (IRM = 1) where each interrupt reaches exactly one core; also
   GICD_SETSPI_NSR for an edge-triggered SPI (message-based SPIs). */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define GICD_SETSPI_NSR 0x0040

static int failures;
static volatile uint32_t taken[MAX_CPUS][4]; /* per core: SPIs 40..43 */
static volatile uint32_t wrong[MAX_CPUS];
static volatile int ready[MAX_CPUS];
static volatile int done;

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    unsigned cpu = cpu_index();
    uint32_t id = (uint32_t)icc_read(ICC_IAR1_EL1);
    if (id == SPURIOUS) return;
    if (id >= 40 && id < 44)
        taken[cpu][id - 40]++;
    else if (id != 0) /* SGI 0 only wakes a core at the end */
        wrong[cpu]++;
    icc_write(ICC_EOIR1_EL1, id);
}

static void secondary(unsigned cpu) {
    gic_cpu_init();
    gic_enable(0);
    irq_enable();
    ready[cpu] = 1;
    while (!done)
        __asm__ volatile("wfi");
    irq_disable();
}

static uint32_t total(unsigned n, unsigned spi) {
    uint32_t t = 0;
    for (unsigned c = 0; c < n; c++)
        t += taken[c][spi - 40];
    return t;
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init();
    gic_enable(0);
    irq_enable();
    unsigned n = gic_num_cpus();
    if (n > MAX_CPUS) n = MAX_CPUS;
    for (unsigned c = 1; c < n; c++) {
        CHECK_EQ("CPU_ON", smp_start(c, secondary), 0);
        CHECK_EQ("secondary ready", WAIT_FOR(ready[c]), 1);
    }

    /* Targeted: SPI 40 to each core in turn. */
    gic_enable(40);
    for (unsigned c = 0; c < n; c++) {
        gic_route_spi(40, c, 0);
        CHECK_EQ("IROUTER reads back", mmio_read64(GICD_BASE + GICD_IROUTER + 8 * 40),
                 (c % 16) | ((c / 16) << 8));
        uint32_t before = taken[c][0];
        gic_set_pending(40);
        CHECK_EQ("routed SPI taken by its core", WAIT_FOR(taken[c][0] == before + 1), 1);
        spin_delay(100000);
        CHECK_EQ("routed SPI taken once", total(n, 40), c + 1);
    }
    CHECK_EQ("not pending after", gic_is_pending(40), 0);

    /* 1-of-N: every interrupt is taken by exactly one core. */
    gic_enable(41);
    gic_route_spi(41, 0, 1);
    CHECK_EQ("IROUTER.IRM", mmio_read64(GICD_BASE + GICD_IROUTER + 8 * 41), 1ull << 31);
    const unsigned rounds = 8;
    for (unsigned i = 0; i < rounds; i++) {
        gic_set_pending(41);
        CHECK_EQ("1-of-N SPI taken", WAIT_FOR(total(n, 41) == i + 1), 1);
    }
    spin_delay(200000);
    CHECK_EQ("1-of-N: each taken exactly once", total(n, 41), rounds);

    /* A disabled SPI stays pending until it is enabled. */
    gic_route_spi(42, n - 1, 0);
    gic_set_pending(42);
    spin_delay(100000);
    CHECK_EQ("disabled SPI not taken", total(n, 42), 0);
    CHECK_EQ("disabled SPI pending", gic_is_pending(42), 1);
    gic_enable(42);
    CHECK_EQ("taken once enabled", WAIT_FOR(taken[n - 1][2] == 1), 1);

    /* Edge-triggered SPI raised by a write to GICD_SETSPI_NSR, which
       exists when GICD_TYPER.MBIS says message-based SPIs are supported. */
    if ((mmio_read32(GICD_BASE + GICD_TYPER) >> 16) & 1) {
        gic_set_edge(43, 1);
        gic_route_spi(43, 0, 0);
        gic_enable(43);
        mmio_write32(GICD_BASE + GICD_SETSPI_NSR, 43);
        CHECK_EQ("SETSPI_NSR edge SPI", WAIT_FOR(taken[0][3] == 1), 1);
    }

    done = 1;
    dsb();
    for (unsigned c = 1; c < n; c++) {
        icc_write(ICC_SGI1R_EL1, sgi_to_list(0, (uint16_t)(1u << c)));
        CHECK_EQ("secondary off", smp_wait_off(c), 1);
    }
    for (unsigned c = 0; c < n; c++)
        CHECK_EQ("no unexpected interrupts", wrong[c], 0);
    return failures;
}
