#include "cpu/guest_counter.hpp"

#include "cpu/sysreg.hpp"

#include <chrono>
#include <mutex>

namespace kestrel {

namespace {

// Guest nanoseconds = host nanoseconds - offset, or `frozen_ns` while frozen.
// Reads are frequent (every CNTPCT read), writes rare: a mutex is simple
// and cheap enough uncontended.
std::mutex g_mu;
int64_t g_offset_ns = 0;
bool g_frozen = false;
int64_t g_frozen_ns = 0;

int64_t host_ns() {
    using namespace std::chrono;
    static const auto start = steady_clock::now();
    return duration_cast<nanoseconds>(steady_clock::now() - start).count();
}

int64_t guest_ns_locked() {
    return g_frozen ? g_frozen_ns : host_ns() - g_offset_ns;
}

// kCounterFrequencyHz is 62.5 MHz: exactly 16 ns per tick.
constexpr uint64_t kNsPerTick = 1'000'000'000 / kCounterFrequencyHz;
static_assert(kNsPerTick * kCounterFrequencyHz == 1'000'000'000);

} // namespace

uint64_t guest_counter_ticks() {
    std::lock_guard lk(g_mu);
    int64_t ns = guest_ns_locked();
    return ns < 0 ? 0 : static_cast<uint64_t>(ns) / kNsPerTick;
}

void set_guest_counter_ticks(uint64_t ticks) {
    std::lock_guard lk(g_mu);
    // Beyond ~290 years of guest time the nanosecond count would overflow.
    if (ticks > (uint64_t{1} << 62) / kNsPerTick) ticks = (uint64_t{1} << 62) / kNsPerTick;
    int64_t ns = static_cast<int64_t>(ticks * kNsPerTick);
    if (g_frozen)
        g_frozen_ns = ns;
    else
        g_offset_ns = host_ns() - ns;
}

void freeze_guest_counter() {
    std::lock_guard lk(g_mu);
    if (g_frozen) return;
    g_frozen_ns = guest_ns_locked();
    g_frozen = true;
}

void thaw_guest_counter() {
    std::lock_guard lk(g_mu);
    if (!g_frozen) return;
    g_offset_ns = host_ns() - g_frozen_ns;
    g_frozen = false;
}

bool guest_counter_frozen() {
    std::lock_guard lk(g_mu);
    return g_frozen;
}

} // namespace kestrel
