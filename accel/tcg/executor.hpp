// Runs the cores of a machine from the translation-block cache, one host
// thread, round-robin in time slices.
#pragma once
#include "accel/tcg/tb_cache.hpp"
#include "cpu/cpu.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace kestrel {

class TcgExecutor {
  public:
    TcgExecutor(Bus& bus, std::vector<Cpu*> cpus);

    // Runs until every core has halted or stop() is called. Returns the
    // exit code of the first core that halted with a non-zero code, or 0.
    int run();
    // Asks run() to return soon; safe from any thread.
    void stop();
    // Runs fn on the executor thread between blocks and waits for it; safe
    // from any other thread. Works while paused. Returns false when the
    // executor is not running (fn was not run).
    bool run_sync(const std::function<void()>& fn);
    // Pauses or resumes guest execution (the monitor's stop/cont). Called
    // on the executor thread (e.g. inside run_sync) or before run().
    void set_paused(bool p) { paused_ = p; }
    bool paused() const { return paused_; }
    // Wakes the loop when it is sleeping with every core idle (new input,
    // an interrupt raised from another thread).
    void kick();

    // Called between slices, e.g. to update timers. Returns nanoseconds until
    // the next device deadline (or a negative value for none).
    std::function<int64_t()> poll_devices;
    // Called when every core is halted, so the board may decide (reset).
    std::function<bool()> on_all_halted;

    TbCache& tbs() { return tbs_; }
    uint64_t executed_blocks() const { return blocks_; }
    // Guest instructions run: whole blocks, plus one per exception taken.
    uint64_t executed_insns() const { return insns_; }
    // Makes run() return once about this many guest instructions have run
    // (0: no limit), so benchmarks can measure a fixed amount of guest work.
    // The environment variable KESTREL_INSN_LIMIT sets it at construction.
    void set_insn_limit(uint64_t n) { insn_limit_ = n; }

  private:
    // Runs one core for up to budget instructions.
    void run_slice(Cpu& cpu, int64_t slice);
    void idle_wait(int64_t ns);

    Bus& bus_;
    std::vector<Cpu*> cpus_;
    TbCache tbs_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    bool kicked_ = false;
    bool running_ = false;
    bool paused_ = false;
    std::vector<std::pair<const std::function<void()>*, bool*>> requests_;
    std::condition_variable done_cv_;
    void drain_requests();
    // Prints the counters to stderr when KESTREL_TCG_STATS is set.
    void report_stats() const;
    uint64_t blocks_ = 0;
    uint64_t insns_ = 0;
    uint64_t insn_limit_ = 0;
    bool print_stats_ = false;
};

} // namespace kestrel
