#include "vectors.h"

#include "baremetal.h"

extern char exception_vectors[];
extern char el0_return[];

static exc_handler_t sync_handler;
static exc_handler_t irq_handler;
static exc_handler_t fiq_handler;

void vectors_install(void) {
    write_sysreg(vbar_el1, (uint64_t)exception_vectors);
    isb();
}

void set_sync_handler(exc_handler_t h) { sync_handler = h; }
void set_irq_handler(exc_handler_t h) { irq_handler = h; }
void set_fiq_handler(exc_handler_t h) { fiq_handler = h; }

static void unhandled(struct exc_frame* f, unsigned vector) {
    puts_uart("unhandled exception: vector ");
    print_dec(vector);
    puts_uart(" ESR ");
    print_hex(f->esr);
    puts_uart(" ELR ");
    print_hex(f->elr);
    puts_uart(" FAR ");
    print_hex(f->far);
    puts_uart("\n");
    test_exit(1);
}

void exception_dispatch(struct exc_frame* f, unsigned vector);
void exception_dispatch(struct exc_frame* f, unsigned vector) {
    if (VEC_KIND(vector) == VEC_SYNC) {
        /* The EL0 exit call returns to run_at_el0's caller at EL1h with
           interrupts masked as they were. */
        if (VEC_GROUP(vector) == 2 && ESR_EC(f->esr) == 0x15 && ESR_ISS(f->esr) == 0xfff) {
            f->elr = (uint64_t)el0_return;
            f->spsr = 0x3c5;
            return;
        }
        if (sync_handler) {
            sync_handler(f, vector);
            return;
        }
    } else if (VEC_KIND(vector) == VEC_IRQ && irq_handler) {
        irq_handler(f, vector);
        return;
    } else if (VEC_KIND(vector) == VEC_FIQ && fiq_handler) {
        fiq_handler(f, vector);
        return;
    }
    unhandled(f, vector);
}
