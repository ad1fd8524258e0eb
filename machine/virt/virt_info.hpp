// Readable dumps of machine state for the monitor's `info` commands.
#pragma once
#include "cpu/cpu.hpp"

#include <string>
#include <vector>

namespace kestrel {

// `info registers`: general registers, PSTATE, FP control and the main
// EL1 system registers of one core.
std::string format_cpu_registers(const Cpu& cpu);
// `info cpus`: one line per core, '*' marking the first.
std::string format_cpu_list(const std::vector<const Cpu*>& cpus);
const char* run_state_name(CpuRunState s);

} // namespace kestrel
