/* Timer PPIs through the GIC on every core: each core's physical timer
   (INTID 30) and virtual timer (INTID 27) interrupt only that core. The
   core waits in PSCI CPU_SUSPEND (standby), which returns once the
   interrupt is pending; the interrupt is then taken when unmasked. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define PSCI_CPU_SUSPEND64 0xc4000001u

static int failures;
static volatile uint32_t got[MAX_CPUS]; /* bit 0: INTID 30, bit 1: INTID 27 */
static volatile uint32_t wrong[MAX_CPUS];
static volatile uint32_t suspends[MAX_CPUS];
static volatile int finished[MAX_CPUS];

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    unsigned cpu = cpu_index();
    uint32_t id = (uint32_t)icc_read(ICC_IAR1_EL1);
    if (id == SPURIOUS) return;
    if (id == 30) {
        got[cpu] |= 1;
        write_sysreg(cntp_ctl_el0, 0);
    } else if (id == 27) {
        got[cpu] |= 2;
        write_sysreg(cntv_ctl_el0, 0);
    } else {
        wrong[cpu]++;
    }
    isb();
    icc_write(ICC_EOIR1_EL1, id);
}

static void run_timers(unsigned cpu) {
    gic_cpu_init();
    gic_enable(30);
    gic_enable(27);
    uint64_t freq = read_sysreg(cntfrq_el0);
    irq_disable();
    write_sysreg(cntp_tval_el0, freq / 1000 * (cpu + 1)); /* 1 ms per core index */
    write_sysreg(cntp_ctl_el0, 1);
    isb();
    /* Standby until the timer's PPI is pending (ISR_EL1.I), IRQs masked. */
    while (!(read_sysreg(isr_el1) & 0x80)) {
        psci_call(PSCI_CPU_SUSPEND64, 0, 0, 0);
        suspends[cpu]++;
    }
    irq_enable();
    WAIT_FOR(got[cpu] & 1);
    irq_disable();
    write_sysreg(cntv_tval_el0, freq / 1000);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    irq_enable();
    for (unsigned long i = 0; i < 1000000 && !(got[cpu] & 2); i++)
        __asm__ volatile("wfi");
    irq_disable();
    finished[cpu] = 1;
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    unsigned n = gic_num_cpus();
    if (n > MAX_CPUS) n = MAX_CPUS;
    for (unsigned c = 1; c < n; c++)
        CHECK_EQ("CPU_ON", smp_start(c, run_timers), 0);
    run_timers(0);
    for (unsigned c = 1; c < n; c++)
        CHECK_EQ("secondary finished", WAIT_FOR(finished[c]), 1);
    for (unsigned c = 0; c < n; c++) {
        CHECK_EQ("physical and virtual timer PPIs", got[c], 3);
        CHECK_EQ("no other interrupts", wrong[c], 0);
        CHECK_EQ("CPU_SUSPEND returned", suspends[c] >= 1, 1);
    }
    for (unsigned c = 1; c < n; c++)
        CHECK_EQ("secondary off", smp_wait_off(c), 1);
    return failures;
}
