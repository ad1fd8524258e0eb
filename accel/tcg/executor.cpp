#include "accel/tcg/executor.hpp"

#include <chrono>

namespace kestrel {

TcgExecutor::TcgExecutor(Bus& bus, std::vector<Cpu*> cpus)
    : bus_(bus), cpus_(std::move(cpus)), tbs_(bus, cpus_.empty() ? 1 : cpus_[0]->model.features) {
    for (Cpu* c : cpus_)
        tbs_.attach(c);
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

void TcgExecutor::run_slice(Cpu& cpu, int64_t budget) {
    while (budget > 0 && cpu.run_state == CpuRunState::Running) {
        if (cpu.exit_request.load(std::memory_order_relaxed)) break;
        try {
            if (cpu.irq_line.load(std::memory_order_relaxed) ||
                cpu.fiq_line.load(std::memory_order_relaxed))
                cpu.check_interrupts();
            TranslationBlock* tb = tbs_.get(cpu);
            const uint64_t base = cpu.s.pc;
            const DecodedOp* op = tb->ops.data();
            const size_t n = tb->ops.size();
            for (size_t i = 0; i < n; i++) {
                cpu.s.pc = base + 4 * i;
                op[i].fn(cpu, op[i].insn);
            }
            if (!tb->last_sets_pc) cpu.s.pc = base + 4 * n;
            budget -= static_cast<int64_t>(n);
            blocks_++;
        } catch (const GuestException& e) {
            cpu.take_exception(e);
            budget -= 1;
        } catch (const CpuExit&) {
            break;
        }
        tbs_.collect();
    }
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
    for (Cpu* c : cpus_)
        if (c->run_state == CpuRunState::Halted && c->exit_code != 0) return c->exit_code;
    return 0;
}

} // namespace kestrel
