#include "cpu/generic_timer.hpp"

#include "cpu/sysreg.hpp"

namespace kestrel {

namespace {
constexpr uint64_t kCtlEnable = 1, kCtlImask = 2, kCtlIstatus = 4;
constexpr uint64_t kNsPerTick = 1'000'000'000 / kCounterFrequencyHz; // 16 ns at 62.5 MHz
} // namespace

uint64_t GenericTimer::physical_count() const {
    return counter ? counter() : guest_counter_ticks();
}

uint64_t GenericTimer::read_ctl(Which w) const {
    uint64_t v = ctl(w) & (kCtlEnable | kCtlImask);
    if ((v & kCtlEnable) && condition_met(w)) v |= kCtlIstatus;
    return v;
}

void GenericTimer::write_ctl(Which w, uint64_t v) {
    ctl(w) = v & (kCtlEnable | kCtlImask);
    update();
}

void GenericTimer::write_cval(Which w, uint64_t v) {
    cval(w) = v;
    update();
}

uint64_t GenericTimer::read_tval(Which w) const {
    return static_cast<uint32_t>(cval(w) - count(w));
}

void GenericTimer::write_tval(Which w, uint64_t v) {
    cval(w) = count(w) + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
    update();
}

void GenericTimer::set_output(Which w, bool level) {
    if (level_[w] == level) return;
    level_[w] = level;
    if (irq_out[w]) irq_out[w](level);
}

void GenericTimer::resync() {
    for (Which w : {kPhys, kVirt}) {
        uint64_t c = ctl(w);
        bool level = (c & kCtlEnable) && condition_met(w) && !(c & kCtlImask);
        level_[w] = level;
        if (irq_out[w]) irq_out[w](level);
    }
}

int64_t GenericTimer::update() {
    int64_t next = -1;
    for (Which w : {kPhys, kVirt}) {
        uint64_t c = ctl(w);
        bool enabled = c & kCtlEnable;
        bool met = enabled && condition_met(w);
        set_output(w, met && !(c & kCtlImask));
        if (enabled && !met) {
            uint64_t ticks = cval(w) - count(w);
            int64_t ns =
                ticks > (1ull << 40) ? (1ll << 62) : static_cast<int64_t>(ticks * kNsPerTick);
            if (next < 0 || ns < next) next = ns;
        }
    }
    return next;
}

} // namespace kestrel
