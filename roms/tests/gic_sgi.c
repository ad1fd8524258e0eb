/* SGIs through ICC_SGI1R_EL1 on every core count: to self, to a target
   list (one core, several cores, everyone) and broadcast with IRM = 1,
   which reaches every core but the sender. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

static int failures;
static volatile uint32_t sgi_seen[MAX_CPUS]; /* bit n: SGI n arrived */
static volatile uint32_t sgi_count[MAX_CPUS];
static volatile uint32_t other_irqs[MAX_CPUS];
static volatile int ready[MAX_CPUS];
static volatile int done;

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    unsigned cpu = cpu_index();
    uint32_t id = (uint32_t)icc_read(ICC_IAR1_EL1);
    if (id == SPURIOUS) return;
    if (id < 16) {
        sgi_seen[cpu] |= 1u << id;
        sgi_count[cpu]++;
    } else {
        other_irqs[cpu]++;
    }
    icc_write(ICC_EOIR1_EL1, id);
}

static void enable_sgis(void) {
    gic_cpu_init();
    for (unsigned i = 0; i < 16; i++)
        gic_enable(i);
}

static void secondary(unsigned cpu) {
    enable_sgis();
    irq_enable();
    ready[cpu] = 1;
    while (!done)
        __asm__ volatile("wfi");
    irq_disable();
}

static void reset_seen(unsigned n) {
    for (unsigned c = 0; c < n; c++)
        sgi_seen[c] = 0;
}

/* Waits until every core in want has SGI id, then checks nobody else got it. */
static void expect_sgi(const char* what, unsigned n, unsigned id, uint32_t want) {
    for (unsigned c = 0; c < n; c++)
        if (want & (1u << c)) {
            int ok = WAIT_FOR(sgi_seen[c] & (1u << id));
            if (!ok) {
                puts_uart(what);
                puts_uart(": core ");
                print_dec(c);
                puts_uart(" did not get SGI ");
                print_dec(id);
                puts_uart("\n");
                failures++;
            }
        }
    spin_delay(200000); /* give strays time to arrive */
    for (unsigned c = 0; c < n; c++)
        if (!(want & (1u << c)) && (sgi_seen[c] & (1u << id))) {
            puts_uart(what);
            puts_uart(": core ");
            print_dec(c);
            puts_uart(" got SGI ");
            print_dec(id);
            puts_uart(" it was not sent\n");
            failures++;
        }
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    enable_sgis();
    irq_enable();
    unsigned n = gic_num_cpus();
    if (n > MAX_CPUS) n = MAX_CPUS;
    for (unsigned c = 1; c < n; c++) {
        CHECK_EQ("CPU_ON", smp_start(c, secondary), 0);
        CHECK_EQ("secondary ready", WAIT_FOR(ready[c]), 1);
    }
    const uint32_t all = (1u << n) - 1;

    icc_write(ICC_SGI1R_EL1, sgi_to_list(1, 1u << 0));
    isb();
    expect_sgi("self", n, 1, 1u << 0);

    for (unsigned c = 0; c < n; c++) {
        reset_seen(n);
        icc_write(ICC_SGI1R_EL1, sgi_to_list(2, (uint16_t)(1u << c)));
        expect_sgi("one target", n, 2, 1u << c);
    }

    reset_seen(n);
    icc_write(ICC_SGI1R_EL1, sgi_to_list(3, (uint16_t)(all & ~1u)));
    expect_sgi("list without self", n, 3, all & ~1u);

    reset_seen(n);
    icc_write(ICC_SGI1R_EL1, sgi_to_list(4, (uint16_t)all));
    expect_sgi("list of all", n, 4, all);

    reset_seen(n);
    icc_write(ICC_SGI1R_EL1, sgi_to_others(15));
    expect_sgi("broadcast (IRM=1)", n, 15, all & ~1u);

    /* An SGI that is not enabled stays pending and arrives once enabled. */
    reset_seen(n);
    gic_disable(9);
    icc_write(ICC_SGI1R_EL1, sgi_to_list(9, 1));
    spin_delay(100000);
    CHECK_EQ("disabled SGI not taken", sgi_seen[0] & (1u << 9), 0);
    CHECK_EQ("disabled SGI pending", gic_is_pending(9), 1);
    gic_enable(9);
    CHECK_EQ("taken once enabled", WAIT_FOR(sgi_seen[0] & (1u << 9)) != 0, 1);

    done = 1;
    dsb();
    for (unsigned c = 1; c < n; c++) {
        /* Wake the core from WFI so it sees done. */
        icc_write(ICC_SGI1R_EL1, sgi_to_list(0, (uint16_t)(1u << c)));
        CHECK_EQ("secondary off", smp_wait_off(c), 1);
    }
    for (unsigned c = 0; c < n; c++)
        CHECK_EQ("no other interrupts", other_irqs[c], 0);
    puts_uart("cores: ");
    print_dec(n);
    puts_uart("\n");
    return failures;
}
