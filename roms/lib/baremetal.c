#include "baremetal.h"

#define UART_DR ((volatile uint32_t*)0x09000000)
#define UART_FR ((volatile uint32_t*)0x09000018)

void putc_uart(char c) {
    while (*UART_FR & (1u << 5)) /* TXFF */
        ;
    *UART_DR = (uint32_t)(unsigned char)c;
}

void puts_uart(const char* s) {
    while (*s) putc_uart(*s++);
}

void print_hex(uint64_t v) {
    puts_uart("0x");
    for (int i = 60; i >= 0; i -= 4) putc_uart("0123456789abcdef"[(v >> i) & 0xf]);
}

void print_dec(uint64_t v) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) putc_uart(buf[--n]);
}

uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

void test_exit(int code) {
    if (code == 0) {
        puts_uart("TEST PASSED\n");
        psci_call(0x84000008u, 0, 0, 0); /* SYSTEM_OFF */
    }
    puts_uart("TEST FAILED\n");
    /* Drop the test's vectors: an exception below must stop the core, not
       re-enter a handler that fails again. */
    __asm__ volatile("msr vbar_el1, xzr\n isb" ::: "memory");
    /* Semihosting SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit. */
    static uint64_t block[2] = {0x20026, 1};
    register uint64_t x0 __asm__("x0") = 0x20;
    register uint64_t x1 __asm__("x1") = (uint64_t)block;
    __asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
    __asm__ volatile(".word 0x00000000"); /* UDF: stops the core without semihosting */
    for (;;)
        ;
}
