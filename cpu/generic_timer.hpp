// The per-core generic timer: the physical (CNTP_*) and virtual (CNTV_*)
// EL1 timers compared against the system counter. Its state lives in
// SysRegState (saved with the core); this class computes ISTATUS and drives
// one level-sensitive output line per timer.
#pragma once
#include "cpu/sysreg_state.hpp"

#include <cstdint>
#include <functional>

namespace kestrel {

class GenericTimer {
  public:
    enum Which : unsigned { kPhys = 0, kVirt = 1 };
    // GIC PPI INTIDs of the non-secure physical and the virtual timer.
    static constexpr unsigned kPhysIntid = 30, kVirtIntid = 27;

    explicit GenericTimer(SysRegState& sys) : sys_(sys) {}

    // Output lines (level): called whenever a line changes.
    std::function<void(bool level)> irq_out[2];
    // The counter source, replaceable by tests. Returns CNTPCT_EL0.
    uint64_t (*counter)() = nullptr;

    uint64_t physical_count() const;
    uint64_t virtual_count() const { return physical_count() - sys_.cntvoff_el2; }

    // CNTx_CTL_EL0 with ISTATUS (bit 2) computed from the counter.
    uint64_t read_ctl(Which w) const;
    void write_ctl(Which w, uint64_t v);
    uint64_t read_cval(Which w) const { return cval(w); }
    void write_cval(Which w, uint64_t v);
    // TVAL: the signed 32-bit distance from the count to CVAL.
    uint64_t read_tval(Which w) const;
    void write_tval(Which w, uint64_t v);

    // Re-evaluates both outputs against the current count. Returns host
    // nanoseconds until the next enabled timer fires, or -1 for none.
    int64_t update();
    bool output(Which w) const { return level_[w]; }
    // Forgets the output levels (after a core reset).
    void reset() { level_[0] = level_[1] = false; }
    // Recomputes both outputs and drives them even when the cached level
    // already agrees (after a snapshot load replaced the registers).
    void resync();

  private:
    uint64_t& ctl(Which w) { return w == kPhys ? sys_.cntp_ctl_el0 : sys_.cntv_ctl_el0; }
    uint64_t ctl(Which w) const { return w == kPhys ? sys_.cntp_ctl_el0 : sys_.cntv_ctl_el0; }
    uint64_t& cval(Which w) { return w == kPhys ? sys_.cntp_cval_el0 : sys_.cntv_cval_el0; }
    uint64_t cval(Which w) const { return w == kPhys ? sys_.cntp_cval_el0 : sys_.cntv_cval_el0; }
    uint64_t count(Which w) const { return w == kPhys ? physical_count() : virtual_count(); }
    bool condition_met(Which w) const { return count(w) >= cval(w); }
    void set_output(Which w, bool level);

    SysRegState& sys_;
    bool level_[2] = {false, false};
};

} // namespace kestrel
