/* Guest for scripts/bench-savevm: fills most of RAM the way a booted
   system looks to a snapshot (a quarter random words, a quarter repeated
   text, the rest zero, in 64 KiB stripes), prints READY, then counts like
   counter.c so a restore can be seen to work. */
#include "baremetal.h"
#include "vectors.h"

int main(void) {
    /* RAM starts at 0x40000000; leave the first 16 MiB (image, stack). */
    uint64_t ram_end = 0x40000000ull + (512ull << 20);
    uint64_t start = 0x41000000ull;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    static const char text[] = "the quick brown fox jumps over the lazy kestrel. ";
    for (uint64_t a = start; a < ram_end; a += 65536) {
        uint64_t* p = (uint64_t*)a;
        unsigned kind = (unsigned)((a >> 16) & 3);
        if (kind == 0) {
            for (unsigned i = 0; i < 8192; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                p[i] = x;
            }
        } else if (kind == 1) {
            char* c = (char*)a;
            for (unsigned i = 0; i < 65536; i++)
                c[i] = text[i % (sizeof text - 1)];
        }
    }
    puts_uart("READY\n");
    uint64_t freq = read_sysreg(cntfrq_el0), next = read_sysreg(cntvct_el0);
    for (uint64_t n = 1;; n++) {
        while (read_sysreg(cntvct_el0) < next)
            ;
        next += freq / 10;
        puts_uart("n=");
        print_dec(n);
        puts_uart("\n");
    }
}
