/* The physical timer's interrupt (PPI, INTID 30) reaches the core through
   the GIC, wakes it from WFI and is taken at the IRQ vector. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

static int failures;
static volatile int irqs;
static volatile uint64_t irq_vector;

static volatile uint64_t irq_intid;

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    irq_intid = icc_read(ICC_IAR1_EL1);
    irq_vector = vector;
    irqs++;
    write_sysreg(cntp_ctl_el0, 0); /* disable: drop the level */
    isb();
    icc_write(ICC_EOIR1_EL1, irq_intid);
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init();
    gic_enable(30);
    uint64_t freq = read_sysreg(cntfrq_el0);
    CHECK_EQ("frequency", freq, 62500000);

    uint64_t start = read_sysreg(cntpct_el0);
    write_sysreg(cntp_tval_el0, freq / 100); /* 10 ms */
    write_sysreg(cntp_ctl_el0, 1);
    isb();
    CHECK_EQ("not yet fired", read_sysreg(cntp_ctl_el0) & 4, 0);
    __asm__ volatile("msr daifclr, #2");
    while (!irqs)
        __asm__ volatile("wfi");
    __asm__ volatile("msr daifset, #2");
    uint64_t elapsed = read_sysreg(cntpct_el0) - start;
    CHECK_EQ("one interrupt", irqs, 1);
    CHECK_EQ("INTID 30", irq_intid, 30);
    CHECK_EQ("IRQ vector (EL1h)", irq_vector, 5);
    CHECK_EQ("waited at least 10 ms", elapsed >= freq / 100, 1);

    /* Masked interrupt: ISTATUS set, line held, no IRQ taken. */
    write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0));
    write_sysreg(cntp_ctl_el0, 1);
    isb();
    CHECK_EQ("istatus", read_sysreg(cntp_ctl_el0), 5);
    CHECK_EQ("ISR_EL1.I", (read_sysreg(isr_el1) >> 7) & 1, 1);
    write_sysreg(cntp_ctl_el0, 3); /* IMASK */
    isb();
    CHECK_EQ("ISR_EL1.I after IMASK", (read_sysreg(isr_el1) >> 7) & 1, 0);
    /* Level-sensitive PPI: its pending state follows the timer's line. */
    CHECK_EQ("PPI 30 not pending after IMASK", gic_is_pending(30), 0);
    write_sysreg(cntp_ctl_el0, 0);
    puts_uart("timer interrupts: ");
    print_dec(irqs);
    puts_uart("\n");
    return failures;
}
