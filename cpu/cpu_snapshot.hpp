// Capturing a core's state for a snapshot and installing it again.
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/cpu_state_desc.hpp"

#include <optional>
#include <string>

namespace kestrel {

CpuSnapshotState capture_cpu_snapshot(const Cpu& cpu);
// Why st cannot be installed on this core, or nothing. max_el is the
// highest exception level the board gives the core (1, or 2 with
// virtualization).
std::optional<std::string> cpu_snapshot_problem(const CpuSnapshotState& st, unsigned max_el);
// Installs st and rebuilds the caches (TLB, translation regime, timer
// output lines). The caller flushes translated code.
void restore_cpu_snapshot(Cpu& cpu, const CpuSnapshotState& st);

} // namespace kestrel
