/* Runs single A64 instructions for the FP cross-check under qemu-aarch64.
   Reads fixed-size records (struct fpcheck_case) from stdin; for each one
   loads V0-V3, X0, X1, FPCR and NZCV, clears FPSR, executes the given
   instruction word and writes back V0, X0, NZCV and FPSR (or marks the
   case undefined when the instruction raised SIGILL). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fpcheck_case.h"

void fpcheck_run(struct fpcheck_case* c, void* code);
__asm__(".text\n"
        ".global fpcheck_run\n"
        "fpcheck_run:\n"
        "  stp x29, x30, [sp, #-32]!\n"
        "  str x19, [sp, #16]\n"
        "  mov x19, x0\n"
        "  mov x3, x1\n"
        "  ldr q0, [x19, #0]\n"
        "  ldr q1, [x19, #16]\n"
        "  ldr q2, [x19, #32]\n"
        "  ldr q3, [x19, #48]\n"
        "  ldr x2, [x19, #72]\n"
        "  msr fpcr, x2\n"
        "  msr fpsr, xzr\n"
        "  ldr x2, [x19, #80]\n"
        "  msr nzcv, x2\n"
        "  ldr x0, [x19, #88]\n"
        "  ldr x1, [x19, #64]\n"
        "  blr x3\n"
        "  mrs x2, fpsr\n"
        "  str x2, [x19, #104]\n"
        "  mrs x2, nzcv\n"
        "  str x2, [x19, #80]\n"
        "  str x0, [x19, #88]\n"
        "  str q0, [x19, #0]\n"
        "  msr fpcr, xzr\n"
        "  ldr x19, [sp, #16]\n"
        "  ldp x29, x30, [sp], #32\n"
        "  ret\n");

static sigjmp_buf undef_jmp;

static void on_sigill(int sig) {
    (void)sig;
    siglongjmp(undef_jmp, 1);
}

int main(void) {
    uint32_t* code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigill;
    sigaction(SIGILL, &sa, 0);
    struct fpcheck_case c;
    while (fread(&c, sizeof c, 1, stdin) == 1) {
        code[0] = c.insn;
        code[1] = 0xd65f03c0; /* ret */
        __builtin___clear_cache((char*)code, (char*)(code + 2));
        c.undef = 0;
        if (sigsetjmp(undef_jmp, 1) == 0)
            fpcheck_run(&c, code);
        else
            c.undef = 1;
        fwrite(&c, sizeof c, 1, stdout);
    }
    return 0;
}
