/* Exception handling for bare-metal tests: install the vector table, hook
   C handlers, run code at EL0. */
#pragma once
#include <stdint.h>

struct exc_frame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far;
    uint64_t pad;
};

/* Vector index: group * 4 + kind. Groups: 0 current EL with SP_EL0,
   1 current EL with SP_ELx, 2 lower EL AArch64, 3 lower EL AArch32.
   Kinds: 0 synchronous, 1 IRQ, 2 FIQ, 3 SError. */
enum { VEC_SYNC = 0, VEC_IRQ = 1, VEC_FIQ = 2, VEC_SERROR = 3 };
#define VEC_GROUP(v) ((v) >> 2)
#define VEC_KIND(v) ((v)&3)

typedef void (*exc_handler_t)(struct exc_frame* f, unsigned vector);

/* Points VBAR_EL1 at the vectors. Unhandled exceptions print the frame
   and fail the test. */
void vectors_install(void);
void set_sync_handler(exc_handler_t h);
void set_irq_handler(exc_handler_t h);
void set_fiq_handler(exc_handler_t h);

/* Runs fn at EL0 on the given stack until it calls el0_exit(). */
void run_at_el0(void (*fn)(void), uint64_t sp_el0);
/* From EL0: returns to run_at_el0's caller (SVC #0xfff). */
#define el0_exit() __asm__ volatile("svc #0xfff" ::: "memory")

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

#define read_sysreg(r)                                                                             \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " #r : "=r"(v_));                                                \
        v_;                                                                                        \
    })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb() __asm__ volatile("dsb sy" ::: "memory")
