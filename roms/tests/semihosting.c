/* Semihosting (run with -semihosting): console output, ":tt" handles and
   SYS_WRITE's "bytes not written" result. */
#include "baremetal.h"

static uint64_t semihost(uint64_t op, uint64_t arg) {
    register uint64_t x0 __asm__("x0") = op;
    register uint64_t x1 __asm__("x1") = arg;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

int main(void) {
    int failures = 0;
    semihost(0x04, (uint64_t) "semihosting: SYS_WRITE0 works\n");
    char c = '\n';
    semihost(0x03, (uint64_t)&c); /* SYS_WRITEC */
    static const char tt[] = ":tt";
    uint64_t open_block[3] = {(uint64_t)tt, 4 /* "w" */, 3};
    uint64_t handle = semihost(0x01, (uint64_t)open_block);
    CHECK_EQ("SYS_OPEN(:tt, w)", handle, 1);
    static const char msg[] = "semihosting: SYS_WRITE works\n";
    uint64_t write_block[3] = {handle, (uint64_t)msg, sizeof msg - 1};
    CHECK_EQ("SYS_WRITE", semihost(0x05, (uint64_t)write_block), 0);
    uint64_t istty_block[1] = {handle};
    /* 1 or 0 depending on whether the host's stdout is a terminal. */
    CHECK_EQ("SYS_ISTTY answers", semihost(0x09, (uint64_t)istty_block) <= 1, 1);
    uint64_t t0 = semihost(0x10, 0), t1 = semihost(0x10, 0); /* SYS_CLOCK */
    CHECK_EQ("SYS_CLOCK monotonic", t1 >= t0, 1);
    return failures;
}
