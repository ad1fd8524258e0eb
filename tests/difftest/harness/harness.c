/* Differential-test harness: runs batches of single-instruction cases on
 * qemu-aarch64 and reports the final architectural state of each.
 *
 * Freestanding (raw syscalls, no libc) so nothing else in the process uses
 * TPIDR_EL0, the stack or the FP registers behind our back. Protocol:
 * stdin carries a dt_batch_header and dt_case records, stdout receives a
 * dt_result_header and one dt_result per case (see difftest_format.h). */
#include "../difftest_format.h"

enum {
    SYS_READ = 63,
    SYS_WRITE = 64,
    SYS_EXIT_GROUP = 94,
    SYS_SIGALTSTACK = 132,
    SYS_RT_SIGACTION = 134,
    SYS_MMAP = 222,
};

static long syscall6(long n, long a, long b, long c, long d, long e, long f) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}

/* The compiler may emit calls to these for struct copies. */
void* memcpy(void* dst, const void* src, unsigned long n) {
    unsigned char* d = dst;
    const unsigned char* s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}
void* memset(void* dst, int c, unsigned long n) {
    unsigned char* d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

static void die(int code) {
    syscall6(SYS_EXIT_GROUP, code, 0, 0, 0, 0, 0);
    for (;;) {
    }
}

static int read_full(void* buf, unsigned long n) {
    unsigned char* p = buf;
    unsigned long got = 0;
    while (got < n) {
        long r = syscall6(SYS_READ, 0, (long)(p + got), (long)(n - got), 0, 0, 0);
        if (r <= 0) return got == 0 ? 0 : -1;
        got += (unsigned long)r;
    }
    return 1;
}

static unsigned char out_buf[1 << 16];
static unsigned long out_len;

static void flush_out(void) {
    unsigned long done = 0;
    while (done < out_len) {
        long r = syscall6(SYS_WRITE, 1, (long)(out_buf + done), (long)(out_len - done), 0, 0, 0);
        if (r <= 0) die(3);
        done += (unsigned long)r;
    }
    out_len = 0;
}

static void write_out(const void* src, unsigned long n) {
    const unsigned char* s = src;
    while (n) {
        if (out_len == sizeof out_buf) flush_out();
        unsigned long k = sizeof out_buf - out_len;
        if (k > n) k = n;
        memcpy(out_buf + out_len, s, k);
        out_len += k;
        s += k;
        n -= k;
    }
}

/* Kernel (and qemu-user) signal frame layout, arch/arm64 uapi. */
struct dt_sigcontext {
    uint64_t fault_address;
    uint64_t regs[31];
    uint64_t sp;
    uint64_t pc;
    uint64_t pstate;
    uint64_t pad;
    uint8_t reserved[4096];
};
struct dt_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t ss_pad;
    uint64_t ss_size;
    uint64_t sigmask;
    uint8_t unused[120];
    uint64_t pad;
    struct dt_sigcontext mc;
};
_Static_assert(offsetof(struct dt_ucontext, mc) == 176, "ucontext layout");
_Static_assert(offsetof(struct dt_sigcontext, reserved) == 288, "sigcontext layout");
#define FPSIMD_MAGIC 0x46508001u

struct kernel_sigaction {
    void (*handler)(int, void*, void*);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};
#define SA_SIGINFO 0x4ul
#define SA_ONSTACK 0x08000000ul
#define SA_RESTORER 0x04000000ul

extern uint64_t dt_host_sp;
extern void dt_run(void);
extern void dt_resume(void);
extern void dt_sigreturn(void);
extern const uint32_t dt_prologue_start[], dt_prologue_branch[], dt_prologue_end[];

static dt_result result;

/* Every case ends here: record the interrupted state, then resume in
 * dt_resume on the harness stack as if dt_run had returned. */
static void on_signal(int sig, void* info, void* ucv) {
    (void)info;
    struct dt_ucontext* uc = ucv;
    result.signo = sig;
    result.fault_addr = uc->mc.fault_address;
    for (int i = 0; i < 31; i++)
        result.final.x[i] = uc->mc.regs[i];
    result.final.sp = uc->mc.sp;
    result.final.pc = uc->mc.pc;
    result.final.nzcv = (uint32_t)(uc->mc.pstate & 0xf0000000u);
    unsigned off = 0;
    while (off + 8 <= sizeof uc->mc.reserved) {
        const uint32_t* head = (const uint32_t*)(uc->mc.reserved + off);
        if (head[0] == 0 || head[1] == 0) break;
        if (head[0] == FPSIMD_MAGIC) {
            result.final.fpsr = head[2];
            result.final.fpcr = head[3];
            const uint64_t* v = (const uint64_t*)(uc->mc.reserved + off + 16);
            for (int i = 0; i < 32; i++) {
                result.final.v[i][0] = v[2 * i];
                result.final.v[i][1] = v[2 * i + 1];
            }
        }
        off += head[1];
    }
    uc->mc.pc = (uint64_t)dt_resume;
    uc->mc.sp = dt_host_sp;
}

static void* map_fixed(uint64_t addr, uint64_t size, int prot) {
    long r =
        syscall6(SYS_MMAP, (long)addr, (long)size, prot, 0x32 /* PRIVATE|FIXED|ANONYMOUS */, -1, 0);
    if ((uint64_t)r != addr) die(2);
    return (void*)addr;
}

static void install_handlers(void) {
    static uint8_t alt_stack[1 << 16] __attribute__((aligned(16)));
    struct {
        void* sp;
        int flags;
        unsigned long size;
    } ss = {alt_stack, 0, sizeof alt_stack};
    if (syscall6(SYS_SIGALTSTACK, (long)&ss, 0, 0, 0, 0, 0) != 0) die(4);
    static const int sigs[] = {4 /* ILL */, 5 /* TRAP */, 7 /* BUS */, 8 /* FPE */, 11 /* SEGV */};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct kernel_sigaction sa = {on_signal, SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
                                      dt_sigreturn, 0};
        if (syscall6(SYS_RT_SIGACTION, sigs[i], (long)&sa, 0, 8, 0, 0) != 0) die(5);
    }
}

static void set_code(uint32_t* code, uint64_t addr, uint32_t word) {
    code[(addr - DT_CODE_BASE) / 4] = word;
    __builtin___clear_cache((char*)&code[(addr - DT_CODE_BASE) / 4],
                            (char*)&code[(addr - DT_CODE_BASE) / 4 + 1]);
}

/* Records the changed words of the scratch buffer and restores them. The
 * whole buffer is compared after every case, so this is the hot loop: it
 * checks eight words at a time. */
static uint32_t scan_buffer(uint64_t* buf, const uint64_t* pristine, uint64_t nwords) {
    uint32_t nd = 0;
    for (uint64_t i = 0; i < nwords; i += 8) {
        uint64_t acc = 0;
        for (int j = 0; j < 8; j++)
            acc |= buf[i + j] ^ pristine[i + j];
        if (!acc) continue;
        for (int j = 0; j < 8; j++) {
            if (buf[i + j] == pristine[i + j]) continue;
            if (nd < DT_MAX_DIFFS) {
                result.diffs[nd].offset = (uint32_t)((i + j) * 8);
                result.diffs[nd].value = buf[i + j];
            }
            nd++;
            buf[i + j] = pristine[i + j];
        }
    }
    return nd;
}

int harness_main(void) {
    uint32_t* code = map_fixed(DT_CODE_BASE, DT_CODE_SIZE, 7);
    dt_state* state = map_fixed(DT_STATE_ADDR, 4096, 3);
    uint64_t* buf = map_fixed(DT_BUF_BASE, DT_BUF_SIZE, 3);

    for (uint64_t a = DT_CODE_BASE; a < DT_CODE_BASE + DT_CODE_SIZE; a += 4)
        code[(a - DT_CODE_BASE) / 4] = dt_pad_word(a);
    unsigned n = (unsigned)(dt_prologue_end - dt_prologue_start);
    unsigned branch = (unsigned)(dt_prologue_branch - dt_prologue_start);
    for (unsigned i = 0; i < n; i++)
        code[i] = dt_prologue_start[i];
    code[branch] =
        0x14000000u | (uint32_t)(((DT_TEST_ADDR - DT_CODE_BASE) / 4 - branch) & 0x3ffffff);
    __builtin___clear_cache((char*)code, (char*)code + DT_CODE_SIZE);
    install_handlers();

    dt_batch_header hdr;
    if (read_full(&hdr, sizeof hdr) != 1 || hdr.magic != DT_BATCH_MAGIC) die(6);
    const uint64_t nwords = DT_BUF_SIZE / 8;
    static uint64_t pristine[DT_BUF_SIZE / 8];
    for (uint64_t i = 0; i < nwords; i++)
        buf[i] = pristine[i] = dt_pattern_word(hdr.buf_seed, i);

    static dt_result_header rh;
    rh.magic = DT_RESULT_MAGIC;
    rh.ncases = hdr.ncases;
    memcpy(rh.prologue, code, DT_PROLOGUE_SIZE);
    write_out(&rh, sizeof rh);

    static dt_case c;
    for (uint32_t k = 0; k < hdr.ncases; k++) {
        if (read_full(&c, sizeof c) != 1 || c.ninsns < 1 || c.ninsns > DT_MAX_INSNS) die(7);
        for (unsigned i = 0; i < c.ninsns; i++)
            set_code(code, DT_TEST_ADDR + 4 * i, c.insn[i]);
        *state = c.init;
        memset(&result, 0, sizeof result);
        result.signo = -1;
        dt_run();
        result.ndiffs = scan_buffer(buf, pristine, nwords);
        for (unsigned i = 0; i < c.ninsns; i++)
            set_code(code, DT_TEST_ADDR + 4 * i, dt_pad_word(DT_TEST_ADDR + 4 * i));
        write_out(&result, sizeof result);
    }
    flush_out();
    return 0;
}
