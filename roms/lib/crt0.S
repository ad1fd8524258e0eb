// Entry for bare-metal test programs: stack, BSS, main, then power off.
    .section .text.boot
    .global _start
_start:
    ldr x1, =__stack_top
    mov sp, x1
    ldr x1, =__bss_start
    ldr x2, =__bss_end
1:  cmp x1, x2
    b.hs 2f
    str xzr, [x1], #8
    b 1b
2:  bl main
    b test_exit
