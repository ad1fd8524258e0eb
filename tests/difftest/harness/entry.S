// Startup, the register-loading prologue and the call into a test case for
// the differential-test harness (a static Linux program run by qemu-aarch64).
#include "../difftest_format.h"

    .text
    .globl _start
_start:
    mov x29, #0
    mov x30, #0
    bl harness_main
    mov x8, #94 // exit_group(status)
    svc #0

// Copied to DT_CODE_BASE. Loads every register from the dt_state at
// DT_STATE_ADDR and then branches to the test instructions; the final B is
// patched after copying. Needs no register of its own: x30 serves as the
// base until it loads its own value last.
    .globl dt_prologue_start, dt_prologue_branch
    .balign 4
dt_prologue_start:
    clrex // no exclusive monitor state carried over from the previous case
    movz x30, #(DT_STATE_ADDR >> 16), lsl #16
    ldp q0, q1, [x30, #0]
    ldp q2, q3, [x30, #32]
    ldp q4, q5, [x30, #64]
    ldp q6, q7, [x30, #96]
    ldp q8, q9, [x30, #128]
    ldp q10, q11, [x30, #160]
    ldp q12, q13, [x30, #192]
    ldp q14, q15, [x30, #224]
    ldp q16, q17, [x30, #256]
    ldp q18, q19, [x30, #288]
    ldp q20, q21, [x30, #320]
    ldp q22, q23, [x30, #352]
    ldp q24, q25, [x30, #384]
    ldp q26, q27, [x30, #416]
    ldp q28, q29, [x30, #448]
    ldp q30, q31, [x30, #480]
    add x30, x30, #DT_STATE_X_OFFSET
    ldr x0, [x30, #(DT_STATE_SP_OFFSET - DT_STATE_X_OFFSET)]
    mov sp, x0
    ldr w0, [x30, #(DT_STATE_NZCV_OFFSET - DT_STATE_X_OFFSET)]
    msr nzcv, x0
    ldr w0, [x30, #(DT_STATE_FPCR_OFFSET - DT_STATE_X_OFFSET)]
    msr fpcr, x0
    ldr w0, [x30, #(DT_STATE_FPSR_OFFSET - DT_STATE_X_OFFSET)]
    msr fpsr, x0
    ldp x0, x1, [x30, #0]
    ldp x2, x3, [x30, #16]
    ldp x4, x5, [x30, #32]
    ldp x6, x7, [x30, #48]
    ldp x8, x9, [x30, #64]
    ldp x10, x11, [x30, #80]
    ldp x12, x13, [x30, #96]
    ldp x14, x15, [x30, #112]
    ldp x16, x17, [x30, #128]
    ldp x18, x19, [x30, #144]
    ldp x20, x21, [x30, #160]
    ldp x22, x23, [x30, #176]
    ldp x24, x25, [x30, #192]
    ldp x26, x27, [x30, #208]
    ldp x28, x29, [x30, #224]
    ldr x30, [x30, #240]
dt_prologue_branch:
    b . // patched: branch to DT_TEST_ADDR
    .globl dt_prologue_end
dt_prologue_end:

// void dt_run(void): runs the current case. It never returns by itself:
// the case always ends in a signal, whose handler records the state and
// resumes at dt_resume with the stack pointer saved here.
    .globl dt_run, dt_resume
dt_run:
    stp x29, x30, [sp, #-160]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x0, sp
    adrp x1, dt_host_sp
    str x0, [x1, :lo12:dt_host_sp]
    movz x0, #(DT_CODE_BASE >> 16), lsl #16
    br x0
dt_resume:
    msr fpcr, xzr
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    ldp x29, x30, [sp], #160
    ret

// Signal return trampoline (SA_RESTORER), so no vDSO is needed.
    .globl dt_sigreturn
dt_sigreturn:
    mov x8, #139 // rt_sigreturn
    svc #0

    .bss
    .balign 8
    .globl dt_host_sp
dt_host_sp:
    .quad 0
    .section .note.GNU-stack, "", %progbits
