// Boot stub of the virt board. CPU0 starts here (at the bottom of the
// flash) and enters the kernel the way the arm64 Linux boot protocol
// asks: x0 = physical address of the DTB, x1 = x2 = x3 = 0, then a jump
// to the kernel entry with the MMU off. Kestrel patches the imm16 fields
// of the MOVZ/MOVK groups below when it places the stub: the x0 group
// receives the DTB address, the x4 group the entry address. The stub
// loads nothing from memory, so it stays valid wherever it is placed.
    .text
    .global _start
_start:
    movz x0, #0
    movk x0, #0, lsl #16
    movk x0, #0, lsl #32
    movk x0, #0, lsl #48
    movz x1, #0
    movz x2, #0
    movz x3, #0
    movz x4, #0
    movk x4, #0, lsl #16
    movk x4, #0, lsl #32
    movk x4, #0, lsl #48
    br x4
