/* PSCI CPU_ON / CPU_OFF / AFFINITY_INFO with two cores (run with -smp 2):
   the secondary starts at its entry with x0 = context ID, records it and
   powers itself off again. */
#include "baremetal.h"

#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON64 0xc4000003u
#define PSCI_AFFINITY_INFO64 0xc4000004u
#define ALREADY_ON ((uint64_t)-4)

uint8_t secondary_stack[4096] __attribute__((aligned(16)));
volatile uint64_t secondary_context;
volatile uint64_t secondary_mpidr;
volatile uint64_t release_secondary;

void secondary_entry(void);
void secondary_main(uint64_t context);

__asm__(".global secondary_entry\n"
        "secondary_entry:\n"
        "    adrp x1, secondary_stack\n"
        "    add x1, x1, :lo12:secondary_stack\n"
        "    add sp, x1, #4096\n"
        "    bl secondary_main\n"
        "1:  b 1b\n");

void secondary_main(uint64_t context) {
    uint64_t mpidr;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    secondary_mpidr = mpidr;
    secondary_context = context;
    /* Stay on until the boot core has checked that we are on. */
    for (int i = 0; i < 10000000 && !release_secondary; i++)
        ;
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    for (;;)
        ;
}

static uint64_t wait_for_context(void) {
    for (int i = 0; i < 10000000; i++)
        if (secondary_context) return 1;
    return 0;
}

static uint64_t wait_for_off(void) {
    for (int i = 0; i < 1000000; i++)
        if (psci_call(PSCI_AFFINITY_INFO64, 1, 0, 0) == 1) return 1;
    return 0;
}

int main(void) {
    int failures = 0;
    CHECK_EQ("AFFINITY_INFO(1) before", psci_call(PSCI_AFFINITY_INFO64, 1, 0, 0), 1);
    uint64_t rc = psci_call(PSCI_CPU_ON64, 1, (uint64_t)secondary_entry, 0xc0ffee);
    CHECK_EQ("CPU_ON(1)", rc, 0);
    CHECK_EQ("secondary ran", wait_for_context(), 1);
    CHECK_EQ("AFFINITY_INFO(1) while on", psci_call(PSCI_AFFINITY_INFO64, 1, 0, 0), 0);
    CHECK_EQ("CPU_ON(1) again", psci_call(PSCI_CPU_ON64, 1, (uint64_t)secondary_entry, 0),
             ALREADY_ON);
    release_secondary = 1;
    CHECK_EQ("secondary powered off", wait_for_off(), 1);
    CHECK_EQ("context ID", secondary_context, 0xc0ffee);
    CHECK_EQ("secondary MPIDR affinity", secondary_mpidr & 0xffffff, 1);
    return failures;
}
