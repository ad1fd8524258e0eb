// Exception vectors for bare-metal tests: every entry saves the general
// registers and ELR/SPSR/ESR/FAR in a frame on SP_EL1, calls
// exception_dispatch(frame, vector index) in C, then restores (ELR and
// SPSR as the handler left them) and returns with ERET.
    .set FRAME_SIZE, 288
    .set OFF_ELR, 248
    .set OFF_ESR, 264

    .macro ventry index
    .balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #0]
    mov x1, #\index
    b vector_common
    .endm

    .section .text.vectors, "ax"
    .balign 0x800
    .global exception_vectors
exception_vectors:
    ventry 0
    ventry 1
    ventry 2
    ventry 3
    ventry 4
    ventry 5
    ventry 6
    ventry 7
    ventry 8
    ventry 9
    ventry 10
    ventry 11
    ventry 12
    ventry 13
    ventry 14
    ventry 15

vector_common:
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    str x30, [sp, #240]
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [sp, #OFF_ELR]
    mrs x2, esr_el1
    mrs x3, far_el1
    stp x2, x3, [sp, #OFF_ESR]
    mov x0, sp
    bl exception_dispatch
    ldp x2, x3, [sp, #OFF_ELR]
    msr elr_el1, x2
    msr spsr_el1, x3
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    ldp x0, x1, [sp, #0]
    add sp, sp, #FRAME_SIZE
    eret

// void run_at_el0(void (*fn)(void), uint64_t sp_el0): runs fn at EL0 (SP_EL0,
// interrupts unmasked) until it calls el0_exit(), then returns here at EL1.
    .text
    .global run_at_el0
run_at_el0:
    adrp x9, el1_context
    add x9, x9, :lo12:el1_context
    stp x19, x20, [x9, #0]
    stp x21, x22, [x9, #16]
    stp x23, x24, [x9, #32]
    stp x25, x26, [x9, #48]
    stp x27, x28, [x9, #64]
    stp x29, x30, [x9, #80]
    mov x10, sp
    str x10, [x9, #96]
    msr sp_el0, x1
    msr elr_el1, x0
    msr spsr_el1, xzr          // EL0t, DAIF clear
    eret

// Where the EL0-exit SVC handler sends the core: restores the EL1 context
// saved by run_at_el0 and returns to its caller.
    .global el0_return
el0_return:
    adrp x9, el1_context
    add x9, x9, :lo12:el1_context
    ldr x10, [x9, #96]
    mov sp, x10
    ldp x19, x20, [x9, #0]
    ldp x21, x22, [x9, #16]
    ldp x23, x24, [x9, #32]
    ldp x25, x26, [x9, #48]
    ldp x27, x28, [x9, #64]
    ldp x29, x30, [x9, #80]
    ret

    .bss
    .balign 16
el1_context:
    .skip 112
