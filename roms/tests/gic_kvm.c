/* GICv3 through the CPU interface and the distributor/redistributor MMIO,
   as a guest of Kestrel with -accel kvm (the kernel's vGIC): ID registers
   and GICD_TYPER2, SGIs and priorities (masked, acknowledged, preempted),
   delivery at the IRQ vector, the virtual timer PPI. With
   -kvm-snapshot-selftest Kestrel saves the machine at SNAPSHOT-POINT and
   restores it at RESTORE-POINT: the check between the two then runs twice
   and only passes the second time if the GIC state came back. */
#include "baremetal.h"
#include "vectors.h"

#define GICD 0x08000000UL
#define GICR 0x080A0000UL
#define GICR_SGI (GICR + 0x10000UL)

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_RPR_EL1 S3_0_C12_C11_3
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_HPPIR1_EL1 S3_0_C12_C12_2
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

static int failures;
static volatile uint32_t got[8];
static volatile int ngot;

static uint32_t rd32(uint64_t a) {
    return *(volatile uint32_t*)a;
}
static void wr32(uint64_t a, uint32_t v) {
    *(volatile uint32_t*)a = v;
}
static void wr8(uint64_t a, uint8_t v) {
    *(volatile uint8_t*)a = v;
}
static uint8_t rd8(uint64_t a) {
    return *(volatile uint8_t*)a;
}

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    uint64_t iar = read_sysreg(ICC_IAR1_EL1);
    uint32_t intid = (uint32_t)(iar & 0xffffff);
    if (intid == 27) write_sysreg(cntv_ctl_el0, 0); /* drop the timer's level */
    if (ngot < 8) got[ngot++] = intid;
    if (intid < 1020) write_sysreg(ICC_EOIR1_EL1, iar);
    isb();
}

static void sgi_self(unsigned intid) {
    /* Aff3.Aff2.Aff1 = 0, TargetList = CPU 0. */
    write_sysreg(ICC_SGI1R_EL1, ((uint64_t)intid << 24) | 1);
    isb();
    dsb();
}

static void settle(void) {
    for (volatile int i = 0; i < 1000; i++)
        ;
}

static void wait_for_irq(int n) {
    uint64_t start = read_sysreg(cntvct_el0), freq = read_sysreg(cntfrq_el0);
    __asm__ volatile("msr daifclr, #2");
    while (ngot < n && read_sysreg(cntvct_el0) - start < freq) /* at most 1 s */
        ;
    __asm__ volatile("msr daifset, #2");
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);

    /* ID registers: a GICv3 with affinity routing; under KVM GICD_TYPER2
       shows at most nASSGIcap (VIL and VID read 0). */
    uint32_t typer2 = rd32(GICD + 0xc);
    puts_uart("GICD_TYPER2=");
    print_hex(typer2);
    puts_uart("\n");
    CHECK_EQ("PIDR2.ArchRev", (rd32(GICD + 0xffe8) >> 4) & 0xf, 3);
    CHECK_EQ("TYPER2 VIL/VID", typer2 & 0xff, 0);
    CHECK_EQ("TYPER2 RES0", typer2 & ~0x1ffu, 0);

    /* Bring-up as an OS does it. */
    wr32(GICR + 0x14, 0); /* GICR_WAKER.ProcessorSleep = 0 */
    while (rd32(GICR + 0x14) & 4)
        ;
    write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
    isb();
    write_sysreg(ICC_PMR_EL1, 0xff);
    write_sysreg(ICC_BPR1_EL1, 0);
    write_sysreg(ICC_IGRPEN1_EL1, 1);
    isb();
    wr32(GICD, (1u << 4) | (1u << 1)); /* ARE, EnableGrp1 */
    while (rd32(GICD) & (1u << 31))
        ;
    CHECK_EQ("GICD_CTLR.EnableGrp1", (rd32(GICD) >> 1) & 1, 1);
    wr32(GICR_SGI + 0x80, 0xffffffff); /* everything Group 1 */
    wr8(GICR_SGI + 0x400 + 1, 0x80);
    wr8(GICR_SGI + 0x400 + 2, 0x40);
    wr8(GICR_SGI + 0x400 + 3, 0xa0);
    wr32(GICR_SGI + 0x100, 0xe);   /* enable SGIs 1..3 */
    while (rd32(GICR) & (1u << 3)) /* GICR_CTLR.RWP */
        ;

    /* Two SGIs while IRQs are masked: the higher priority one first, the
       other cannot preempt it. */
    sgi_self(1);
    sgi_self(2);
    settle();
    CHECK_EQ("HPPIR1", read_sysreg(ICC_HPPIR1_EL1) & 0xffffff, 2);
    uint64_t iar = read_sysreg(ICC_IAR1_EL1);
    CHECK_EQ("IAR1 (SGI 2)", iar & 0xffffff, 2);
    CHECK_EQ("RPR", read_sysreg(ICC_RPR_EL1), 0x40);
    CHECK_EQ("IAR1 while SGI 2 runs", read_sysreg(ICC_IAR1_EL1) & 0xffffff, 1023);
    write_sysreg(ICC_EOIR1_EL1, iar);
    isb();
    iar = read_sysreg(ICC_IAR1_EL1);
    CHECK_EQ("IAR1 (SGI 1)", iar & 0xffffff, 1);
    write_sysreg(ICC_EOIR1_EL1, iar);
    isb();

    /* A pending SGI held back by the priority mask: the state the snapshot
       must carry. */
    write_sysreg(ICC_PMR_EL1, 0x50);
    isb();
    sgi_self(1);
    settle();
    CHECK_EQ("masked by PMR", read_sysreg(ICC_IAR1_EL1) & 0xffffff, 1023);
    puts_uart("SNAPSHOT-POINT\n");
    int ok = ((rd32(GICR_SGI + 0x200) >> 1) & 1) == 1 && read_sysreg(ICC_PMR_EL1) == 0x50 &&
             rd8(GICR_SGI + 0x400 + 1) == 0x80 && rd8(GICR_SGI + 0x400 + 2) == 0x40 &&
             (rd32(GICR_SGI + 0x100) & 0xe) == 0xe && ((rd32(GICD) >> 1) & 1) == 1;
    puts_uart(ok ? "after-snapshot check: OK\n" : "after-snapshot check: FAIL\n");
    if (!ok) failures++;
    /* Change it all; a restore brings the snapshot's values back. */
    wr32(GICR_SGI + 0x280, 1u << 1); /* ICPENDR0: SGI 1 no longer pending */
    wr8(GICR_SGI + 0x400 + 1, 0x00);
    write_sysreg(ICC_PMR_EL1, 0xf0);
    isb();
    puts_uart("RESTORE-POINT\n");
    wr8(GICR_SGI + 0x400 + 1, 0x80);
    write_sysreg(ICC_PMR_EL1, 0xff);
    isb();

    /* Delivery at the IRQ vector. */
    ngot = 0;
    sgi_self(3);
    wait_for_irq(1);
    CHECK_EQ("SGI 3 delivered", ngot, 1);
    CHECK_EQ("SGI 3 INTID", got[0], 3);

    /* The virtual timer (the kernel's, PPI 27) through the vGIC. */
    ngot = 0;
    wr8(GICR_SGI + 0x400 + 27, 0xa0);
    wr32(GICR_SGI + 0x100, 1u << 27);
    write_sysreg(cntv_tval_el0, read_sysreg(cntfrq_el0) / 1000); /* 1 ms */
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    wait_for_irq(1);
    CHECK_EQ("timer PPI delivered", ngot, 1);
    CHECK_EQ("timer INTID", got[0], 27);
    return failures;
}
