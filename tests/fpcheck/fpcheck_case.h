/* One FP cross-check case, shared by the host checker and the guest
   program (offsets are used by the guest's assembly). */
#pragma once
#include <stdint.h>

struct fpcheck_case {
    uint64_t v[4][2];  /*   0: V0-V3 (lo, hi); V0 holds the result afterwards */
    uint64_t x1;       /*  64: integer source */
    uint64_t fpcr;     /*  72 */
    uint64_t nzcv;     /*  80: in and out */
    uint64_t x0;       /*  88: in and out */
    uint32_t insn;     /*  96 */
    uint32_t undef;    /* 100: out: the instruction was UNDEFINED */
    uint64_t fpsr;     /* 104: out */
};
