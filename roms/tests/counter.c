/* Guest for the snapshot tests (tests/snapshot/): prints
       n=<count> t=<virtual counter in ms> s=<beats of core 1>
   every 10 ms of guest time until the count reaches LIMIT, then prints
   COUNTER DONE and powers off. Core 0 sleeps in WFI until its virtual
   timer interrupt (PPI 27) arrives through the GIC; with -smp 2, core 1
   counts beats of its physical timer (PPI 30) the same way. A restore
   therefore has to bring back the GIC, the timers, WFI and both cores. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define LIMIT 400
#define VTIMER_PPI 27
#define PTIMER_PPI 30

static volatile uint64_t ticks; /* core 0: virtual timer interrupts */
static volatile uint64_t beats; /* core 1: physical timer interrupts */
static uint64_t freq;

static uint64_t vcount(void) {
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    uint64_t intid = icc_read(ICC_IAR1_EL1);
    if (intid == VTIMER_PPI) {
        write_sysreg(cntv_tval_el0, freq / 100); /* the next 10 ms */
        ticks = ticks + 1;
    } else if (intid == PTIMER_PPI) {
        write_sysreg(cntp_tval_el0, freq / 1000); /* the next 1 ms */
        beats = beats + 1;
    }
    isb();
    if (intid != SPURIOUS) icc_write(ICC_EOIR1_EL1, intid);
}

static void secondary(unsigned cpu) {
    (void)cpu;
    gic_cpu_init();
    gic_enable(PTIMER_PPI);
    write_sysreg(cntp_tval_el0, freq / 1000);
    write_sysreg(cntp_ctl_el0, 1);
    irq_enable();
    for (;;)
        __asm__ volatile("wfi");
}

int main(void) {
    freq = read_sysreg(cntfrq_el0);
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init();
    gic_enable(VTIMER_PPI);
    if (gic_num_cpus() > 1) smp_start(1, secondary);
    write_sysreg(cntv_tval_el0, freq / 100);
    write_sysreg(cntv_ctl_el0, 1);
    irq_enable();
    for (uint64_t n = 1; n <= LIMIT; n++) {
        uint64_t seen = ticks;
        while (ticks == seen)
            __asm__ volatile("wfi");
        puts_uart("n=");
        print_dec(n);
        puts_uart(" t=");
        print_dec(vcount() * 1000 / freq);
        puts_uart(" s=");
        print_dec(beats);
        puts_uart("\n");
    }
    irq_disable();
    puts_uart("COUNTER DONE\n");
    return 0;
}
