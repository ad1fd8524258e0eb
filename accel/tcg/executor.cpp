#include "accel/tcg/executor.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace kestrel {

TcgExecutor::TcgExecutor(Bus& bus, std::vector<Cpu*> cpus)
    : bus_(bus), cpus_(std::move(cpus)),
      tbs_(bus, cpus_.empty() ? 1 : cpus_[0]->model.features, /*extended_blocks=*/true) {
    for (Cpu* c : cpus_)
        tbs_.attach(c);
    if (const char* e = std::getenv("KESTREL_INSN_LIMIT"); e && *e)
        insn_limit_ = std::strtoull(e, nullptr, 0);
    if (const char* e = std::getenv("KESTREL_TCG_STATS"); e && *e) print_stats_ = true;
}

void TcgExecutor::report_stats() const {
    if (!print_stats_) return;
    auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    const TbCache::Stats& st = tbs_.stats();
    std::fprintf(stderr, "tcg: %llu guest instructions, %llu blocks run, %llu translated\n",
                 u(insns_), u(blocks_), u(tbs_.translations()));
    std::fprintf(stderr,
                 "tcg: %llu blocks not found by a link; of those %llu in the jump cache, %llu in "
                 "the pa table, %llu in the map; %llu collections\n",
                 u(st.lookups), u(st.jump_hits), u(st.fast_hits), u(st.map_hits),
                 u(st.collections));
}

void TcgExecutor::stop() {
    stop_ = true;
    for (Cpu* c : cpus_)
        c->exit_request = true;
    kick();
}

void TcgExecutor::kick() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        kicked_ = true;
    }
    cv_.notify_all();
}

bool TcgExecutor::run_sync(const std::function<void()>& fn) {
    bool done = false;
    std::unique_lock<std::mutex> lk(mu_);
    if (!running_) return false;
    requests_.emplace_back(&fn, &done);
    kicked_ = true;
    for (Cpu* c : cpus_)
        c->exit_request = true;
    cv_.notify_all();
    done_cv_.wait(lk, [&] { return done || !running_; });
    return done;
}

void TcgExecutor::drain_requests() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!requests_.empty()) {
        auto [fn, done] = requests_.front();
        requests_.erase(requests_.begin());
        lk.unlock();
        (*fn)();
        lk.lock();
        *done = true;
        done_cv_.notify_all();
    }
}

void TcgExecutor::idle_wait(int64_t ns) {
    std::unique_lock<std::mutex> lk(mu_);
    if (ns < 0 || ns > 50'000'000) ns = 50'000'000; // re-check at least every 50 ms
    cv_.wait_for(lk, std::chrono::nanoseconds(ns),
                 [this] { return kicked_ || !requests_.empty(); });
    kicked_ = false;
}

void TcgExecutor::run_slice(Cpu& cpu, const int64_t slice) {
    // Counted locally: members would be reloaded and stored around every call.
    int64_t budget = slice;
    uint64_t blocks = 0;
    // The block just run to its end, whose successor is at the PC: its
    // links find the next block without a cache lookup. Null after an
    // exception or interrupt (the PC is a vector, not a successor) and after
    // a collection (it may have been freed).
    TranslationBlock* prev = nullptr;
    while (budget > 0 && cpu.run_state == CpuRunState::Running) {
        if (cpu.exit_request.load(std::memory_order_relaxed)) break;
        try {
            if (cpu.irq_line.load(std::memory_order_relaxed) ||
                cpu.fiq_line.load(std::memory_order_relaxed)) {
                if (cpu.check_interrupts()) prev = nullptr;
            }
            TranslationBlock* from = prev;
            prev = nullptr;
            TranslationBlock* tb = from ? tbs_.next(cpu, *from) : tbs_.get(cpu);
            // PSTATE.IL (set by an illegal exception return) makes the next
            // instruction take an Illegal Execution state exception.
            if (cpu.s.il) [[unlikely]] {
                GuestException e;
                e.ec = ExcClass::IllegalState;
                throw e;
            }
            const uint64_t base = cpu.s.pc;
            const DecodedOp* op = tb->ops.data();
            const size_t n = tb->ops.size();
            // Runs the ops up to each exit (a conditional branch inside the
            // block) and goes on only when its branch fell through.
            size_t i = 0;
            for (unsigned x = 0;; x++) {
                const size_t end = x < tb->num_exits ? tb->exits[x] + 1u : n;
                for (; i < end; i++) {
                    cpu.s.pc = base + 4 * i;
                    op[i].fn(cpu, op[i].insn);
                }
                if (end == n || cpu.s.pc != base + 4 * end) break;
            }
            if (i == n && !tb->last_sets_pc) cpu.s.pc = base + 4 * n;
            budget -= static_cast<int64_t>(i);
            blocks++;
            prev = tb;
        } catch (const GuestException& e) {
            cpu.take_exception(e);
            budget -= 1;
        } catch (const CpuExit&) {
            break;
        }
        if (tbs_.collect()) prev = nullptr;
    }
    insns_ += static_cast<uint64_t>(slice - budget);
    blocks_ += blocks;
}

int TcgExecutor::run() {
    constexpr int64_t kSlice = 20000;
    {
        std::lock_guard<std::mutex> lk(mu_);
        running_ = true;
    }
    while (!stop_) {
        drain_requests();
        if (paused_) {
            idle_wait(-1);
            continue;
        }
        bool any_running = false, any_alive = false;
        for (Cpu* c : cpus_) {
            c->exit_request = false;
            if (c->run_state == CpuRunState::WaitForInterrupt &&
                (c->irq_line.load() || c->fiq_line.load()))
                c->run_state = CpuRunState::Running;
            if (c->run_state == CpuRunState::Running) {
                run_slice(*c, kSlice);
                any_running = true;
            }
            if (c->run_state != CpuRunState::Halted && c->run_state != CpuRunState::Off)
                any_alive = true;
            if (stop_) break;
        }
        int64_t next = poll_devices ? poll_devices() : -1;
        if (insn_limit_ && insns_ >= insn_limit_) break;
        if (stop_) break;
        if (!any_alive) {
            if (on_all_halted && on_all_halted()) continue;
            break;
        }
        if (!any_running) {
            bool woken = false;
            for (Cpu* c : cpus_)
                if (c->run_state == CpuRunState::WaitForInterrupt &&
                    (c->irq_line.load() || c->fiq_line.load()))
                    woken = true;
            if (!woken) idle_wait(next);
        }
    }
    {
        std::lock_guard<std::mutex> lk(mu_);
        running_ = false;
    }
    drain_requests();
    done_cv_.notify_all();
    report_stats();
    for (Cpu* c : cpus_)
        if (c->run_state == CpuRunState::Halted && c->exit_code != 0) return c->exit_code;
    return 0;
}

} // namespace kestrel
