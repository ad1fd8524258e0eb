/* Record formats and the fixed memory map shared by the differential-test
 * harness (freestanding C, runs under qemu-aarch64) and the host side
 * (C++, runs Kestrel). Plain C so both compilers accept it; every field is
 * little-endian and fixed-width, so the records cross the pipe unchanged. */
#ifndef KESTREL_DIFFTEST_FORMAT_H
#define KESTREL_DIFFTEST_FORMAT_H

#ifdef __ASSEMBLER__
#define DT_U64(x) x
#else
#include <stddef.h>
#include <stdint.h>
#define DT_U64(x) x##ull
#endif

/* The same addresses in both worlds. The code region holds the register
 * loading prologue in its first page and landing pads (UDF words that
 * record where execution went) everywhere else; the test instructions sit
 * in its middle, so branches of either direction land on pads. */
#define DT_CODE_BASE DT_U64(0x10000000)
#define DT_CODE_SIZE DT_U64(0x10000)
#define DT_TEST_ADDR (DT_CODE_BASE + DT_U64(0x8000))
#define DT_PROLOGUE_SIZE DT_U64(0x1000)
/* Initial state read by the prologue (harness only). */
#define DT_STATE_ADDR DT_U64(0x11000000)
/* Scratch data for memory instructions, filled with a seeded pattern. Base
 * registers point DT_BUF_BASE_OFFSET bytes in, which leaves room for the
 * largest scaled unsigned offset (imm12 << 4) above and for negative
 * offsets below. */
#define DT_BUF_BASE DT_U64(0x20000000)
#define DT_BUF_SIZE DT_U64(0x14000)
#define DT_BUF_BASE_OFFSET DT_U64(0x1000)

/* Offsets in dt_state used by the prologue. */
#define DT_STATE_X_OFFSET 512
#define DT_STATE_SP_OFFSET (512 + 248)
#define DT_STATE_NZCV_OFFSET (512 + 264)
#define DT_STATE_FPCR_OFFSET (512 + 268)
#define DT_STATE_FPSR_OFFSET (512 + 272)

#define DT_MAX_INSNS 4
#define DT_MAX_DIFFS 64

#ifndef __ASSEMBLER__

#define DT_BATCH_MAGIC 0x3154444bu  /* "KDT1" */
#define DT_RESULT_MAGIC 0x3152444bu /* "KDR1" */

/* Architectural state compared after each case. V registers come first so
 * the prologue can reach them with LDP Q offsets (multiples of 16). */
typedef struct {
    uint64_t v[32][2]; /* V0..V31: [0] low 64 bits, [1] high 64 bits */
    uint64_t x[31];
    uint64_t sp;
    uint64_t pc;
    uint32_t nzcv; /* bits 31:28 */
    uint32_t fpcr;
    uint32_t fpsr;
    uint32_t reserved;
} dt_state;

#ifdef __cplusplus
#define DT_STATIC_ASSERT static_assert
#else
#define DT_STATIC_ASSERT _Static_assert
#endif
DT_STATIC_ASSERT(offsetof(dt_state, x) == DT_STATE_X_OFFSET, "prologue offsets");
DT_STATIC_ASSERT(offsetof(dt_state, sp) == DT_STATE_SP_OFFSET, "prologue offsets");
DT_STATIC_ASSERT(offsetof(dt_state, nzcv) == DT_STATE_NZCV_OFFSET, "prologue offsets");
DT_STATIC_ASSERT(offsetof(dt_state, fpcr) == DT_STATE_FPCR_OFFSET, "prologue offsets");
DT_STATIC_ASSERT(offsetof(dt_state, fpsr) == DT_STATE_FPSR_OFFSET, "prologue offsets");
DT_STATIC_ASSERT(sizeof(dt_state) == 792, "record layout");

typedef struct {
    uint32_t magic;
    uint32_t ncases;
    uint64_t buf_seed; /* seeds the scratch buffer pattern */
} dt_batch_header;

typedef struct {
    uint32_t ninsns; /* 1..DT_MAX_INSNS, placed from DT_TEST_ADDR on */
    uint32_t reserved;
    uint32_t insn[DT_MAX_INSNS];
    dt_state init; /* init.pc is ignored: execution starts at DT_TEST_ADDR */
} dt_case;

typedef struct {
    uint32_t offset; /* byte offset of a changed 8-byte word in the buffer */
    uint32_t reserved;
    uint64_t value;
} dt_memdiff;

/* Execution always ends in a signal: SIGILL at a landing pad when the
 * instructions completed, or the fault they raised. */
typedef struct {
    int32_t signo;
    uint32_t ndiffs; /* changed buffer words; only the first DT_MAX_DIFFS are kept */
    uint64_t fault_addr;
    dt_state final; /* final.pc: where the signal was raised */
    dt_memdiff diffs[DT_MAX_DIFFS];
} dt_result;

typedef struct {
    uint32_t magic;
    uint32_t ncases;
    uint8_t prologue[DT_PROLOGUE_SIZE]; /* first page of the code region */
} dt_result_header;

/* Landing pad at addr: UDF #imm16 with imm16 naming the word, so loads
 * from the code region see varied but known values. */
static inline uint32_t dt_pad_word(uint64_t addr) {
    return (uint32_t)((addr >> 2) & 0xffff);
}

static inline uint64_t dt_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The scratch buffer word at byte offset 8*i: mostly random, with a share
 * of edge values so loads see zeros, all-ones and sign boundaries too. */
static inline uint64_t dt_pattern_word(uint64_t seed, uint64_t i) {
    uint64_t h = dt_mix64(seed + 0x9e3779b97f4a7c15ull * (i + 1));
    switch (h & 15) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: return 0x8000000000000000ull;
    case 3: return 0x7fffffffffffffffull;
    case 4: return 0x80000000ull | (h & 0xffffffff00000000ull);
    case 5: return 0x7fffffffull;
    default: return dt_mix64(h);
    }
}

#endif /* __ASSEMBLER__ */
#endif
