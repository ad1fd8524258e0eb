#include "cpu/cpu_snapshot.hpp"

namespace kestrel {

CpuSnapshotState capture_cpu_snapshot(const Cpu& cpu) {
    CpuSnapshotState st;
    st.s = cpu.s;
    st.sys = cpu.sys;
    st.run_state = static_cast<uint8_t>(cpu.run_state);
    st.exit_code = cpu.exit_code;
    return st;
}

std::optional<std::string> cpu_snapshot_problem(const CpuSnapshotState& st, unsigned max_el) {
    if (st.run_state > static_cast<uint8_t>(CpuRunState::Off))
        return "run state " + std::to_string(st.run_state) + " is not valid";
    if (st.s.el > max_el)
        return "the core runs at EL" + std::to_string(st.s.el) + ", this machine has EL" +
               std::to_string(max_el) + " at most";
    for (uint8_t bit : {st.s.spsel, st.s.pan, st.s.uao, st.s.ss, st.s.il})
        if (bit > 1) return "a PSTATE bit holds " + std::to_string(bit);
    switch (st.s.excl_size) {
    case 0:
    case 1:
    case 2:
    case 4:
    case 8:
    case 16: break;
    default: return "exclusive monitor size " + std::to_string(st.s.excl_size) + " is not valid";
    }
    return std::nullopt;
}

void restore_cpu_snapshot(Cpu& cpu, const CpuSnapshotState& st) {
    cpu.s = st.s;
    cpu.sys = st.sys;
    cpu.run_state = static_cast<CpuRunState>(st.run_state);
    cpu.exit_code = st.exit_code;
    cpu.tlb.flush();
    cpu.update_mmu_idx();
    // The timer's cached output levels belong to the old registers; drive
    // the lines (GIC PPIs or the core's IRQ input) from the new ones.
    cpu.timer.resync();
}

} // namespace kestrel
