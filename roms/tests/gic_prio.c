/* The CPU interface on one core: priority masking (PMR), preemption
   decided by the binary point (BPR1), running priority and active
   priorities, EOImode = 1 with ICC_DIR_EL1, clearing the active state
   through GICR_ICACTIVER0, and Group 0 delivered as FIQ. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define GICR_SGI (gicr_base(0) + GICR_SGI_OFFSET)

enum { MODE_PLAIN, MODE_NEST, MODE_EOI_ONLY };

static int failures;
static volatile uint32_t log_[32];
static volatile unsigned nlog;
static volatile int mode;
static volatile uint64_t rpr_seen, ap1r_seen;
static volatile uint32_t fiq_ids[4];
static volatile unsigned nfiq;
static volatile uint64_t fiq_vector, fiq_hppir1, fiq_hppir0;

static void note(uint32_t v) {
    if (nlog < 32) log_[nlog++] = v;
}

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    uint32_t id = (uint32_t)icc_read(ICC_IAR1_EL1);
    if (id == SPURIOUS) return;
    note(id);
    if (id == 2 && mode == MODE_NEST) {
        rpr_seen = icc_read(ICC_RPR_EL1);
        ap1r_seen = icc_read(ICC_AP1R0_EL1);
        icc_write(ICC_SGI1R_EL1, sgi_to_list(3, 1));
        isb();
        irq_enable(); /* a higher group priority may preempt us now */
        spin_delay(100000);
        irq_disable();
        note(100 + id);
    }
    icc_write(ICC_EOIR1_EL1, id); /* with EOImode = 1: priority drop only */
}

static void on_fiq(struct exc_frame* f, unsigned vector) {
    (void)f;
    fiq_vector = vector;
    fiq_hppir1 = icc_read(ICC_HPPIR1_EL1);
    fiq_hppir0 = icc_read(ICC_HPPIR0_EL1);
    uint32_t id = (uint32_t)icc_read(ICC_IAR0_EL1);
    if (id == SPURIOUS) return;
    if (nfiq < 4) fiq_ids[nfiq] = id;
    nfiq++;
    icc_write(ICC_EOIR0_EL1, id);
}

static void self_sgi(unsigned id) {
    icc_write(ICC_SGI1R_EL1, sgi_to_list(id, 1));
    isb();
}

static void check_log(const char* what, const uint32_t* want, unsigned n) {
    CHECK_EQ(what, nlog, n);
    for (unsigned i = 0; i < n && i < nlog; i++)
        CHECK_EQ(what, log_[i], want[i]);
    nlog = 0;
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    set_fiq_handler(on_fiq);
    gic_dist_init();
    gic_cpu_init();
    CHECK_EQ("ICC_SRE_EL1.SRE", icc_read(ICC_SRE_EL1) & 1, 1);
    CHECK_EQ("spurious IAR1", icc_read(ICC_IAR1_EL1), SPURIOUS);
    CHECK_EQ("spurious IAR0", icc_read(ICC_IAR0_EL1), SPURIOUS);
    CHECK_EQ("idle running priority", icc_read(ICC_RPR_EL1), 0xff);
    for (unsigned i = 0; i < 8; i++)
        gic_enable(i);
    irq_enable();

    /* PMR: only priorities numerically below the mask are signalled. */
    gic_set_priority(1, 0x80);
    icc_write(ICC_PMR_EL1, 0x80);
    self_sgi(1);
    spin_delay(50000);
    CHECK_EQ("masked by PMR: not taken", nlog, 0);
    CHECK_EQ("masked by PMR: HPPIR1", icc_read(ICC_HPPIR1_EL1), 1);
    CHECK_EQ("masked by PMR: ISR_EL1.I", (read_sysreg(isr_el1) >> 7) & 1, 0);
    icc_write(ICC_PMR_EL1, 0x88);
    isb();
    WAIT_FOR(nlog == 1);
    static const uint32_t pmr_log[] = {1};
    check_log("taken once PMR allows", pmr_log, 1);
    icc_write(ICC_PMR_EL1, 0xff);

    /* Preemption: SGI 3 (0x80) arrives while SGI 2 (0xa0) is handled. */
    gic_set_priority(2, 0xa0);
    gic_set_priority(3, 0x80);
    mode = MODE_NEST;
    /* Group 1 with BPR1 = n: the group priority is bits [7:n]. */
    icc_write(ICC_BPR1_EL1, 3); /* bits [7:3]: 0xa0 vs 0x80 differ */
    CHECK_EQ("BPR1", icc_read(ICC_BPR1_EL1), 3);
    self_sgi(2);
    WAIT_FOR(nlog == 3);
    static const uint32_t nest_log[] = {2, 3, 102};
    check_log("higher group priority preempts", nest_log, 3);
    CHECK_EQ("running priority in handler", rpr_seen, 0xa0);
    CHECK_EQ("active priority bit in handler", ap1r_seen, 1u << (0xa0 >> 3));
    icc_write(ICC_BPR1_EL1, 6); /* bits [7:6]: both 0x80 */
    self_sgi(2);
    WAIT_FOR(nlog == 3);
    static const uint32_t flat_log[] = {2, 102, 3};
    check_log("same group priority waits", flat_log, 3);
    CHECK_EQ("no active priorities left", icc_read(ICC_AP1R0_EL1), 0);
    mode = MODE_PLAIN;
    icc_write(ICC_BPR1_EL1, 0);

    /* EOImode = 1: EOIR drops the priority, DIR deactivates. */
    icc_write(ICC_CTLR_EL1, icc_read(ICC_CTLR_EL1) | 2);
    isb();
    self_sgi(4);
    WAIT_FOR(nlog == 1);
    CHECK_EQ("priority dropped", icc_read(ICC_RPR_EL1), 0xff);
    CHECK_EQ("still active", gic_is_active(4), 1);
    self_sgi(4);
    spin_delay(50000);
    CHECK_EQ("active SGI not taken again", nlog, 1);
    CHECK_EQ("pending while active", gic_is_pending(4), 1);
    icc_write(ICC_DIR_EL1, 4);
    isb();
    WAIT_FOR(nlog == 2);
    static const uint32_t eoi_log[] = {4, 4};
    check_log("taken again after DIR", eoi_log, 2);
    CHECK_EQ("active after second EOIR", gic_is_active(4), 1);
    icc_write(ICC_DIR_EL1, 4);
    isb();
    CHECK_EQ("inactive after DIR", gic_is_active(4), 0);
    icc_write(ICC_CTLR_EL1, icc_read(ICC_CTLR_EL1) & ~2ull);
    isb();

    /* Active state set and cleared through the redistributor. */
    gic_set_active(5);
    CHECK_EQ("ISACTIVER0", (mmio_read32(GICR_SGI + GICD_ISACTIVER) >> 5) & 1, 1);
    self_sgi(5);
    spin_delay(50000);
    CHECK_EQ("active SGI 5 not taken", nlog, 0);
    gic_clear_active(5);
    WAIT_FOR(nlog == 1);
    static const uint32_t act_log[] = {5};
    check_log("taken after ICACTIVER0", act_log, 1);
    CHECK_EQ("pending cleared by acknowledge", gic_is_pending(5), 0);

    /* Group 0 is an FIQ, acknowledged through ICC_IAR0_EL1. */
    gic_set_group(7, 0);
    gic_set_priority(7, 0x80);
    icc_write(ICC_SGI0R_EL1, sgi_to_list(7, 1));
    isb();
    WAIT_FOR(nfiq == 1);
    CHECK_EQ("one FIQ", nfiq, 1);
    CHECK_EQ("FIQ INTID", fiq_ids[0], 7);
    CHECK_EQ("FIQ vector (EL1h)", fiq_vector, 4 + 2);
    CHECK_EQ("HPPIR1 ignores Group 0", fiq_hppir1, SPURIOUS);
    CHECK_EQ("HPPIR0", fiq_hppir0, 7);
    CHECK_EQ("no IRQ for Group 0", nlog, 0);
    /* With Group 0 disabled at the CPU interface the SGI waits. */
    icc_write(ICC_IGRPEN0_EL1, 0);
    isb();
    icc_write(ICC_SGI0R_EL1, sgi_to_list(7, 1));
    spin_delay(50000);
    CHECK_EQ("IGRPEN0 = 0 holds the FIQ", nfiq, 1);
    icc_write(ICC_IGRPEN0_EL1, 1);
    isb();
    WAIT_FOR(nfiq == 2);
    CHECK_EQ("FIQ after IGRPEN0 = 1", nfiq, 2);
    irq_disable();
    return failures;
}
