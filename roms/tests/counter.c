/* Guest for the snapshot tests (tests/snapshot/): prints
       n=<count> t=<virtual counter in ms> s=<beats of core 1>
   every 10 ms of guest time until the count reaches LIMIT, then prints
   COUNTER DONE and powers off. With -smp 2 core 1 is started through PSCI
   and counts beats, so a restore can be seen to bring both cores back. */
#include "baremetal.h"
#include "vectors.h"

#define LIMIT 400
#define PSCI_CPU_ON64 0xc4000003u
#define PSCI_AFFINITY_INFO64 0xc4000004u

uint8_t secondary_stack[4096] __attribute__((aligned(16)));
volatile uint64_t beats;

void secondary_entry(void);
void secondary_main(void);

__asm__(".global secondary_entry\n"
        "secondary_entry:\n"
        "    adrp x1, secondary_stack\n"
        "    add x1, x1, :lo12:secondary_stack\n"
        "    add sp, x1, #4096\n"
        "    bl secondary_main\n"
        "1:  b 1b\n");

static uint64_t counter(void) {
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

void secondary_main(void) {
    uint64_t freq = read_sysreg(cntfrq_el0);
    uint64_t next = counter();
    for (;;) {
        while (counter() < next)
            ;
        next += freq / 1000;
        beats = beats + 1;
    }
}

int main(void) {
    uint64_t freq = read_sysreg(cntfrq_el0);
    /* AFFINITY_INFO answers INVALID_PARAMETERS when there is no core 1. */
    if (psci_call(PSCI_AFFINITY_INFO64, 1, 0, 0) == 1)
        psci_call(PSCI_CPU_ON64, 1, (uint64_t)secondary_entry, 0);
    uint64_t next = counter();
    for (uint64_t n = 1; n <= LIMIT; n++) {
        while (counter() < next)
            ;
        next += freq / 100;
        puts_uart("n=");
        print_dec(n);
        puts_uart(" t=");
        print_dec(counter() * 1000 / freq);
        puts_uart(" s=");
        print_dec(beats);
        puts_uart("\n");
    }
    puts_uart("COUNTER DONE\n");
    return 0;
}
