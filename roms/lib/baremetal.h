/* Minimal runtime for bare-metal test programs on the virt board. */
#pragma once
#include <stdint.h>

void putc_uart(char c);
void puts_uart(const char* s);
void print_hex(uint64_t v);
void print_dec(uint64_t v);
/* Powers off through PSCI when code is 0; otherwise reports failure through
   semihosting (when enabled) or stops the core with an undefined
   instruction, which Kestrel reports as a non-zero exit. */
void test_exit(int code) __attribute__((noreturn));
uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

#define CHECK_EQ(name, got, want)                                                                  \
    do {                                                                                           \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                                      \
        if (g_ != w_) {                                                                            \
            puts_uart("FAIL ");                                                                    \
            puts_uart(name);                                                                       \
            puts_uart(": got ");                                                                   \
            print_hex(g_);                                                                         \
            puts_uart(" want ");                                                                   \
            print_hex(w_);                                                                         \
            puts_uart("\n");                                                                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
