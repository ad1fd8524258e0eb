/* Exception vectors from EL1 and EL0: SVC, BRK, UNDEFINED, data abort, ERET
   to EL0 and back, EL0 access to an EL1 register. Prints each syndrome so
   runs on different emulators can be compared. */
#include "baremetal.h"
#include "vectors.h"

static int failures;
static struct {
    uint64_t esr, far, elr, vector;
    int count;
} last;

static void record(struct exc_frame* f, unsigned vector) {
    last.esr = f->esr;
    last.far = f->far;
    last.elr = f->elr;
    last.vector = vector;
    last.count++;
    /* Resume after the faulting instruction (SVC already points past it). */
    if (ESR_EC(f->esr) != 0x15) f->elr += 4;
}

static void show(const char* what) {
    puts_uart(what);
    puts_uart(": vector ");
    print_dec(last.vector);
    puts_uart(" ESR ");
    print_hex(last.esr);
    puts_uart("\n");
}

static uint64_t el0_stack[512] __attribute__((aligned(16)));
static volatile uint64_t el0_sctlr_value;

static void el0_code(void) {
    __asm__ volatile("svc #0x77");
    el0_sctlr_value = read_sysreg(sctlr_el1); /* UNDEFINED at EL0 */
    __asm__ volatile("brk #0x5");
    el0_exit();
}

int main(void) {
    vectors_install();
    set_sync_handler(record);

    __asm__ volatile("svc #0x42");
    show("svc el1");
    CHECK_EQ("svc esr", last.esr, 0x56000042);
    CHECK_EQ("svc vector", last.vector, 4);

    uint64_t brk_at;
    __asm__ volatile("adr %0, 1f\n1: brk #0x123" : "=r"(brk_at));
    show("brk el1");
    CHECK_EQ("brk esr", last.esr, 0xf2000123);
    CHECK_EQ("brk elr", last.elr, brk_at);

    __asm__ volatile(".word 0x00000000");
    show("udf el1");
    CHECK_EQ("udf esr", last.esr, 0x02000000);

    /* Nothing is mapped between the UART and the RTC: an external abort. */
    volatile uint32_t* hole = (volatile uint32_t*)0x09008000;
    (void)*hole;
    show("dabt read");
    CHECK_EQ("dabt esr", last.esr, 0x96000010);
    CHECK_EQ("dabt far", last.far, 0x09008000);
    *hole = 1;
    show("dabt write");
    CHECK_EQ("dabt write esr", last.esr, 0x96000050);

    last.count = 0;
    run_at_el0(el0_code, (uint64_t)&el0_stack[512]);
    CHECK_EQ("el0 exceptions", last.count, 3);
    CHECK_EQ("el0 brk esr", last.esr, 0xf2000005);
    CHECK_EQ("el0 brk vector", last.vector, 8);
    CHECK_EQ("back at EL1", read_sysreg(CurrentEL), 4);
    puts_uart("el0 round trip done\n");
    return failures;
}
