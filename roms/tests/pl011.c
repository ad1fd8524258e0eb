/* The PL011 as the guest sees it: identification, reset values, register
   widths and the transmit interrupt status. */
#include "baremetal.h"

#define UART(off) (*(volatile uint32_t*)(uint64_t)(0x09000000u + (off)))

int main(void) {
    int failures = 0;
    static const uint32_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (int i = 0; i < 8; i++)
        CHECK_EQ("PeriphID/CellID", UART(0xfe0 + 4 * i), ids[i]);
    CHECK_EQ("FR.TXFE", UART(0x18) & 0x80, 0x80);
    CHECK_EQ("FR.RXFE", UART(0x18) & 0x10, 0x10);
    CHECK_EQ("IFLS reset", UART(0x34), 0x12);
    uint32_t ibrd = UART(0x24), fbrd = UART(0x28);
    UART(0x24) = 0x12345;
    CHECK_EQ("IBRD is 16 bits", UART(0x24), 0x2345);
    UART(0x28) = 0xff;
    CHECK_EQ("FBRD is 6 bits", UART(0x28), 0x3f);
    UART(0x24) = ibrd;
    UART(0x28) = fbrd;
    UART(0x44) = 0x7ff; /* ICR: clear everything */
    UART(0x00) = '.';
    CHECK_EQ("RIS.TX after a write", UART(0x3c) & 0x20, 0x20);
    uint32_t imsc = UART(0x38);
    UART(0x38) = 0x20;
    CHECK_EQ("MIS = RIS & IMSC", UART(0x40), 0x20);
    UART(0x44) = 0x20;
    CHECK_EQ("ICR clears TX", UART(0x3c) & 0x20, 0);
    CHECK_EQ("MIS after ICR", UART(0x40), 0);
    UART(0x38) = imsc;
    putc_uart('\n');
    return failures;
}
