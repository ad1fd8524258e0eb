/* CPACR_EL1.FPEN trapping at EL1: with FPEN = 0b00 or 0b10 an FP
   instruction traps to EL1 with EC 0x07 (access to SIMD/FP) and ELR at the
   instruction; with 0b01 (EL0 only) or 0b11 it runs. Carries its own
   exception vector table: the synchronous handler records ESR and ELR and
   resumes after the trapping instruction. */
#include "baremetal.h"

static int failures;
volatile uint64_t trap_count, trap_esr, trap_elr;

/* Vector table: current EL with SP_ELx synchronous -> fp_trap_sync; any
   other exception stops the test. */
__asm__(".section .text.vectors, \"ax\"\n"
        ".balign 2048\n"
        ".global fp_trap_vectors\n"
        "fp_trap_vectors:\n"
        ".rept 4\n"
        "  b fp_trap_unexpected\n"
        "  .balign 128\n"
        ".endr\n"
        "  b fp_trap_sync\n" /* 0x200: synchronous, current EL, SP_ELx */
        "  .balign 128\n"
        ".rept 11\n"
        "  b fp_trap_unexpected\n"
        "  .balign 128\n"
        ".endr\n"
        "fp_trap_sync:\n"
        "  stp x0, x1, [sp, #-16]!\n"
        "  mrs x0, esr_el1\n"
        "  lsr x0, x0, #26\n"
        "  cmp x0, #0x07\n"
        "  b.ne fp_trap_unexpected\n"
        "  adrp x1, trap_count\n"
        "  ldr x0, [x1, :lo12:trap_count]\n"
        "  add x0, x0, #1\n"
        "  str x0, [x1, :lo12:trap_count]\n"
        "  mrs x0, esr_el1\n"
        "  adrp x1, trap_esr\n"
        "  str x0, [x1, :lo12:trap_esr]\n"
        "  mrs x0, elr_el1\n"
        "  adrp x1, trap_elr\n"
        "  str x0, [x1, :lo12:trap_elr]\n"
        "  add x0, x0, #4\n"
        "  msr elr_el1, x0\n"
        "  ldp x0, x1, [sp], #16\n"
        "  eret\n"
        /* Report and stop; with VBAR_EL1 cleared, a further exception
           (test_exit's semihosting call) cannot loop back here. */
        "fp_trap_unexpected:\n"
        "  msr vbar_el1, xzr\n"
        "  isb\n"
        "  bl fp_trap_report_unexpected\n"
        "  mov x0, #2\n"
        "  b test_exit\n"
        ".text\n");

extern char fp_trap_vectors[];

void fp_trap_report_unexpected(void) {
    uint64_t esr, elr;
    __asm__ volatile("mrs %0, esr_el1\n\tmrs %1, elr_el1" : "=r"(esr), "=r"(elr));
    puts_uart("fp_trap: unexpected exception, ESR ");
    print_hex(esr);
    puts_uart(" ELR ");
    print_hex(elr);
    puts_uart("\n");
}

static void set_fpen(uint64_t fpen) {
    uint64_t v;
    __asm__ volatile("mrs %0, cpacr_el1" : "=r"(v));
    v = (v & ~(3ull << 20)) | (fpen << 20);
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" : : "r"(v));
}

/* FADD of 1.5 and 2.25 through X registers; returns the result bits and
   the address of the FADD (where a trap must report ELR). */
static uint64_t fadd_via_fp(uint64_t* insn_addr) {
    uint64_t r, at;
    __asm__ volatile(".arch_extension fp\n\t"
                     "mov %0, #0\n\t"
                     "adr %1, 1f\n\t"
                     "1: fmov d0, %2\n\t"
                     "fmov d1, %3\n\t"
                     "fadd d0, d0, d1\n\t"
                     "fmov %0, d0"
                     : "=&r"(r), "=&r"(at)
                     : "r"(0x3ff8000000000000ull), "r"(0x4002000000000000ull)
                     : "v0", "v1");
    *insn_addr = at;
    return r;
}

static void expect_trap(const char* name, uint64_t fpen) {
    uint64_t at;
    set_fpen(fpen);
    trap_count = 0;
    fadd_via_fp(&at);
    /* Every FP instruction of the sequence traps once; the first reports
       its own address. */
    CHECK_EQ(name, trap_count, 4);
    CHECK_EQ("ESR.EC", trap_esr >> 26, 0x07);
    CHECK_EQ("ESR.IL", (trap_esr >> 25) & 1, 1);
    /* ISS of a trap from AArch64: CV = 1, COND = 0b1110, rest RES0. */
    CHECK_EQ("ESR.ISS", trap_esr & 0x1ffffff, 0x1e00000);
    puts_uart(name);
    puts_uart(": ESR ");
    print_hex(trap_esr);
    puts_uart("\n");
    CHECK_EQ("ELR of the last trap", trap_elr, at + 12);
}

/* MRS/MSR of FPCR and FPSR are FP accesses: each traps once. */
static void expect_fpcr_fpsr_trap(uint64_t fpen) {
    uint64_t v = 0;
    set_fpen(fpen);
    trap_count = 0;
    __asm__ volatile("mrs %0, fpcr\n\t"
                     "msr fpcr, %0\n\t"
                     "mrs %0, fpsr\n\t"
                     "msr fpsr, %0"
                     : "+r"(v));
    CHECK_EQ("FPCR/FPSR accesses trap", trap_count, 4);
    CHECK_EQ("FPCR/FPSR ESR.EC", trap_esr >> 26, 0x07);
}

static void expect_run(const char* name, uint64_t fpen) {
    uint64_t at;
    set_fpen(fpen);
    trap_count = 0;
    uint64_t r = fadd_via_fp(&at);
    CHECK_EQ(name, trap_count, 0);
    CHECK_EQ("1.5 + 2.25", r, 0x400e000000000000ull); /* 3.75 */
}

int main(void) {
    __asm__ volatile("msr vbar_el1, %0\n\tisb" : : "r"(fp_trap_vectors));
    expect_trap("FPEN=00 traps at EL1", 0);
    expect_trap("FPEN=10 traps at EL1", 2);
    expect_fpcr_fpsr_trap(0);
    expect_run("FPEN=01 runs at EL1", 1);
    expect_run("FPEN=11 runs at EL1", 3);
    if (failures) {
        puts_uart("fp_trap: ");
        print_dec((uint64_t)failures);
        puts_uart(" failures\n");
        return 1;
    }
    puts_uart("fp_trap: all checks passed\n");
    return 0;
}
