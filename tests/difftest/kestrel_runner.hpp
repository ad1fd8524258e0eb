// Runs difftest cases on a Kestrel core at EL0 (as qemu-aarch64 user mode
// does), through the real translation-block cache, and reports the result
// in the harness's format.
#pragma once
#include "accel/tcg/tb_cache.hpp"
#include "cpu/cpu.hpp"
#include "tests/difftest/difftest_format.h"

#include <memory>
#include <vector>

namespace kestrel::difftest {

class KestrelRunner {
  public:
    // prologue: the first page of the harness's code region, so loads from
    // the code region see the same bytes in both worlds.
    KestrelRunner(const CpuModel& model, const uint8_t* prologue, uint64_t buf_seed);
    ~KestrelRunner();
    KestrelRunner(const KestrelRunner&) = delete;
    KestrelRunner& operator=(const KestrelRunner&) = delete;

    dt_result run(const dt_case& c);

  private:
    void load_state(const dt_state& st);
    void save_state(dt_state& st);
    void scan_buffer(dt_result& r);

    Bus bus_;
    uint8_t* buf_ = nullptr;
    std::unique_ptr<Cpu> cpu_;
    std::unique_ptr<TbCache> tbs_;
    std::vector<uint64_t> pristine_; // the buffer's pattern, to find and undo changes
};

// The Linux signal a user process would receive for this exception.
int signal_for(const GuestException& e);

} // namespace kestrel::difftest
