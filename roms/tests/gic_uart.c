/* The PL011's receive interrupt through the GIC (SPI 1, INTID 33): the
   host sends "kestrel\n" on stdin (the test runner's --guest-input); the
   core sleeps in WFI and collects the bytes in its interrupt handler. */
#include "baremetal.h"
#include "gic.h"
#include "vectors.h"

#define UART(off) (*(volatile uint32_t*)(uint64_t)(0x09000000u + (off)))
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IMSC 0x38
#define UART_MIS 0x40
#define UART_ICR 0x44
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static int failures;
static volatile char line[32];
static volatile unsigned len;
static volatile unsigned irqs, wrong, timed_out;

static void on_irq(struct exc_frame* f, unsigned vector) {
    (void)f;
    (void)vector;
    uint32_t id = (uint32_t)icc_read(ICC_IAR1_EL1);
    if (id == SPURIOUS) return;
    if (id == 33) {
        irqs++;
        if (!(UART(UART_MIS) & (INT_RX | INT_RT))) wrong++;
        while (!(UART(UART_FR) & 0x10)) { /* until RXFE */
            char c = (char)(UART(UART_DR) & 0xff);
            if (len < sizeof line - 1) line[len++] = c;
        }
        UART(UART_ICR) = INT_RX | INT_RT;
    } else if (id == 30) { /* watchdog: no input within 5 s */
        timed_out = 1;
        write_sysreg(cntp_ctl_el0, 0);
    } else {
        wrong++;
    }
    icc_write(ICC_EOIR1_EL1, id);
}

static int got_line(void) {
    return len > 0 && line[len - 1] == '\n';
}

int main(void) {
    vectors_install();
    set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init();
    CHECK_EQ("UART SPI is level-sensitive",
             (mmio_read32(GICD_BASE + GICD_ICFGR + 4 * (33 / 16)) >> (2 * (33 % 16) + 1)) & 1, 0);
    gic_enable(33);
    gic_enable(30);
    write_sysreg(cntp_tval_el0, read_sysreg(cntfrq_el0) * 5);
    write_sysreg(cntp_ctl_el0, 1);
    UART(UART_IMSC) = INT_RX | INT_RT;
    irq_enable();
    while (!got_line() && !timed_out)
        __asm__ volatile("wfi");
    irq_disable();
    UART(UART_IMSC) = 0;
    line[len] = 0;
    write_sysreg(cntp_ctl_el0, 0);
    CHECK_EQ("a line arrived", got_line(), 1);
    const char* want = "kestrel\n";
    for (unsigned i = 0; want[i]; i++)
        CHECK_EQ("received byte", line[i], want[i]);
    CHECK_EQ("length", len, 8);
    CHECK_EQ("interrupts taken", irqs >= 1, 1);
    CHECK_EQ("no unexpected interrupts", wrong, 0);
    CHECK_EQ("SPI no longer pending", gic_is_pending(33), 0);
    return failures;
}
