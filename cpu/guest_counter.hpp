// The guest's system counter (CNTPCT_EL0) and how snapshots and the
// monitor move it. The counter follows host monotonic time while the
// machine runs; it stands still while the monitor has the machine stopped,
// and a restored snapshot sets it to the value saved, so the guest never
// sees the time that passed outside it (the virtual counter does not jump
// by the wall-clock time spent saved).
//
// One counter per process: every core of the one machine shares it.
#pragma once
#include <cstdint>

namespace kestrel {

// The count now, in ticks of kCounterFrequencyHz (declared in sysreg.hpp).
uint64_t guest_counter_ticks();
// Makes the counter read `ticks` now and continue from there.
void set_guest_counter_ticks(uint64_t ticks);
// Freezes / unfreezes the counter (monitor stop/cont). Nested calls are
// not counted: a second freeze is a no-op.
void freeze_guest_counter();
void thaw_guest_counter();
bool guest_counter_frozen();

} // namespace kestrel
