/* Prints a greeting through the PL011 and powers off. */
#include "baremetal.h"

int main(void) {
    puts_uart("Hello from Kestrel\n");
    return 0;
}
