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

private:
    // Runs one core for up to budget instructions.
    void run_slice(Cpu& cpu, int64_t budget);
    void idle_wait(int64_t ns);

    Bus& bus_;
    std::vector<Cpu*> cpus_;
    TbCache tbs_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    bool kicked_ = false;
    uint64_t blocks_ = 0;
};

} // namespace kestrel
