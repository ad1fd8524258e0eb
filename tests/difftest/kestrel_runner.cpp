#include "tests/difftest/kestrel_runner.hpp"

#include "tests/common/identity_map.hpp"

#include <csignal>
#include <cstring>

namespace kestrel::difftest {

namespace {

// Blocks to run before giving up: a case is one test block plus the block
// at its landing pad.
constexpr int kMaxBlocks = 8;

// The level-1 table of the identity map, outside the mapped first GiB so
// no test access can reach it.
constexpr uint64_t kTableBase = 0x40000000;
static_assert(DT_CODE_BASE + DT_CODE_SIZE <= kTableBase && DT_BUF_BASE + DT_BUF_SIZE <= kTableBase,
              "the test regions lie in the first GiB");

} // namespace

int signal_for(const GuestException& e) {
    switch (e.ec) {
    case ExcClass::Unknown: return SIGILL;
    case ExcClass::PCAlign:
    case ExcClass::SPAlign: return SIGBUS;
    case ExcClass::BRK64: return SIGTRAP;
    case ExcClass::FPExc64: return SIGFPE;
    case ExcClass::InsnAbortLower:
    case ExcClass::InsnAbortSame:
    case ExcClass::DataAbortLower:
    case ExcClass::DataAbortSame:
        return (e.iss & 0x3f) == 0x21 ? SIGBUS : SIGSEGV; // DFSC alignment fault
    default: return 1000 + static_cast<int>(e.ec);        // not a fault a user-mode test expects
    }
}

KestrelRunner::KestrelRunner(const CpuModel& model, const uint8_t* prologue, uint64_t buf_seed) {
    uint8_t* code = bus_.add_ram(DT_CODE_BASE, DT_CODE_SIZE, "difftest-code");
    buf_ = bus_.add_ram(DT_BUF_BASE, DT_BUF_SIZE, "difftest-buffer");
    for (uint64_t a = DT_CODE_BASE; a < DT_CODE_BASE + DT_CODE_SIZE; a += 4) {
        uint32_t w = dt_pad_word(a);
        std::memcpy(code + (a - DT_CODE_BASE), &w, 4);
    }
    std::memcpy(code, prologue, DT_PROLOGUE_SIZE);
    pristine_.resize(DT_BUF_SIZE / 8);
    for (uint64_t i = 0; i < DT_BUF_SIZE / 8; i++)
        pristine_[i] = dt_pattern_word(buf_seed, i);
    std::memcpy(buf_, pristine_.data(), DT_BUF_SIZE);
    cpu_ = std::make_unique<Cpu>(0, model, bus_);
    tbs_ = std::make_unique<TbCache>(bus_, model.features);
    tbs_->attach(cpu_.get());
    // EL0 with the EL1 controls Linux gives user space: cache maintenance,
    // CTR_EL0 and DC ZVA allowed, WFI/WFE not trapped, FP/SIMD enabled.
    // SP alignment checking stays off, as in qemu's user-mode emulation.
    cpu_->sys.sctlr_el1 |= (1u << 26) | (1u << 18) | (1u << 16) | (1u << 15) | (1u << 14);
    cpu_->sys.sctlr_el1 &= ~((1ull << 4) | (1ull << 3));
    cpu_->sys.cpacr_el1 = 3u << 20;
    // User space runs on Normal memory, where unaligned accesses and DC ZVA
    // work; with the MMU off data memory would be Device, where they fault.
    // The first GiB (code and buffer) is mapped read/write/execute at EL0;
    // everything else faults, as unmapped memory does for a user process.
    bus_.add_ram(kTableBase, 0x1000, "difftest-page-tables");
    test::IdentityMap map(bus_, kTableBase);
    map.clear();
    map.map(0, test::IdentityMap::kBlockSize, test::IdentityMap::kNormalEl0Rw);
    map.enable(*cpu_);
}

KestrelRunner::~KestrelRunner() = default;

void KestrelRunner::load_state(const dt_state& st) {
    CpuState& s = cpu_->s;
    s = CpuState{};
    s.el = 0;
    s.spsel = 0;
    s.daif = 0;
    for (int i = 0; i < 31; i++)
        s.x[i] = st.x[i];
    s.sp_el[0] = st.sp;
    s.pc = DT_TEST_ADDR;
    s.nzcv = st.nzcv & 0xf0000000u;
    s.fpcr = st.fpcr;
    s.fpsr = st.fpsr;
    for (int i = 0; i < 32; i++) {
        s.v[i].lo = st.v[i][0];
        s.v[i].hi = st.v[i][1];
    }
    cpu_->update_mmu_idx();
}

void KestrelRunner::save_state(dt_state& st) {
    const CpuState& s = cpu_->s;
    for (int i = 0; i < 31; i++)
        st.x[i] = s.x[i];
    st.sp = s.sp_el[0];
    st.pc = s.pc;
    st.nzcv = s.nzcv;
    st.fpcr = s.fpcr;
    st.fpsr = s.fpsr;
    for (int i = 0; i < 32; i++) {
        st.v[i][0] = s.v[i].lo;
        st.v[i][1] = s.v[i].hi;
    }
}

void KestrelRunner::scan_buffer(dt_result& r) {
    uint32_t nd = 0;
    for (uint64_t i = 0; i < DT_BUF_SIZE / 8; i++) {
        uint64_t want = pristine_[i], got;
        std::memcpy(&got, buf_ + 8 * i, 8);
        if (got == want) continue;
        if (nd < DT_MAX_DIFFS) {
            r.diffs[nd].offset = static_cast<uint32_t>(8 * i);
            r.diffs[nd].value = got;
        }
        nd++;
        std::memcpy(buf_ + 8 * i, &want, 8);
    }
    r.ndiffs = nd;
}

dt_result KestrelRunner::run(const dt_case& c) {
    dt_result r{};
    r.signo = -1;
    const unsigned n = c.ninsns > DT_MAX_INSNS ? DT_MAX_INSNS : c.ninsns;
    // Writing through the bus invalidates the blocks translated from the
    // previous case, as a guest store to code would.
    bus_.write_block(DT_TEST_ADDR, c.insn, 4ull * n);
    load_state(c.init);
    Cpu& cpu = *cpu_;
    for (int blocks = 0; blocks < kMaxBlocks && r.signo == -1; blocks++) {
        try {
            // The execution loop of TcgExecutor::run_slice, minus exception
            // delivery: the exception is the outcome.
            TranslationBlock* tb = tbs_->get(cpu);
            const uint64_t base = cpu.s.pc;
            const size_t count = tb->ops.size();
            for (size_t i = 0; i < count; i++) {
                cpu.s.pc = base + 4 * i;
                tb->ops[i].fn(cpu, tb->ops[i].insn);
            }
            if (!tb->last_sets_pc) cpu.s.pc = base + 4 * count;
        } catch (const GuestException& e) {
            r.signo = signal_for(e);
            r.fault_addr = e.far_valid ? e.far : 0;
        } catch (const CpuExit&) {
            r.signo = 2000; // the core halted: no user-mode equivalent
        }
        tbs_->collect();
    }
    save_state(r.final);
    scan_buffer(r);
    for (unsigned i = 0; i < n; i++) {
        uint32_t pad = dt_pad_word(DT_TEST_ADDR + 4 * i);
        bus_.write_block(DT_TEST_ADDR + 4 * i, &pad, 4);
    }
    return r;
}

} // namespace kestrel::difftest
