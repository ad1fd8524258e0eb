#include "machine/virt/psci.hpp"

#include "cpu/log.hpp"

namespace kestrel {

namespace {

constexpr uint64_t kAffinityMask = 0xff00ffffffull; // Aff3, Aff2, Aff1, Aff0

bool is_supported(uint32_t fn) {
    switch (fn) {
    case psci::kVersion:
    case psci::kCpuSuspend32:
    case psci::kCpuSuspend64:
    case psci::kCpuOff:
    case psci::kCpuOn32:
    case psci::kCpuOn64:
    case psci::kAffinityInfo32:
    case psci::kAffinityInfo64:
    case psci::kMigrateInfoType:
    case psci::kSystemOff:
    case psci::kSystemReset:
    case psci::kFeatures: return true;
    default: return false;
    }
}

} // namespace

Cpu* Psci::find_cpu(uint64_t mpidr) const {
    for (Cpu* c : cpus_)
        if ((c->mpidr & kAffinityMask) == (mpidr & kAffinityMask)) return c;
    return nullptr;
}

int64_t Psci::cpu_on(Cpu& caller, uint64_t target, uint64_t entry, uint64_t context) {
    Cpu* t = find_cpu(target);
    if (!t) return psci::kInvalidParameters;
    if (t->run_state != CpuRunState::Off) return psci::kAlreadyOn;
    if (entry & 3) return psci::kInvalidAddress;
    // The core starts from its reset state in the caller's exception
    // level, MMU and caches off, interrupts masked, x0 = context ID.
    t->reset();
    if (on_cpu_reset) on_cpu_reset(*t);
    t->s.el = caller.s.el;
    t->update_mmu_idx();
    t->s.pc = entry;
    t->s.x[0] = context;
    t->run_state = CpuRunState::Running;
    return psci::kSuccess;
}

int64_t Psci::cpu_suspend(Cpu& c, uint64_t power_state) {
    // Original power_state format: StateID [15:0], StateType [16],
    // PowerLevel [25:24]; everything else is reserved.
    constexpr uint64_t kReserved = 0xfcfe0000ull | 0xffffffff00000000ull;
    if (power_state & kReserved) return psci::kInvalidParameters;
    // Standby: the core waits as WFI does and returns SUCCESS once an
    // interrupt (even a masked one) is pending. A powerdown request is
    // entered the same way and then returns as if a wakeup abandoned it,
    // which PSCI allows; no context is lost.
    if (!c.irq_line.load(std::memory_order_relaxed) && !c.fiq_line.load(std::memory_order_relaxed))
        c.run_state = CpuRunState::WaitForInterrupt;
    return psci::kSuccess;
}

int64_t Psci::affinity_info(uint64_t target, uint64_t lowest_level) const {
    if (lowest_level != 0) return psci::kInvalidParameters;
    Cpu* t = find_cpu(target);
    if (!t) return psci::kInvalidParameters;
    return t->run_state == CpuRunState::Off ? 1 : 0; // 0 ON, 1 OFF
}

bool Psci::call(Cpu& c) {
    uint32_t fn = static_cast<uint32_t>(c.s.x[0]);
    bool is64 = fn & 0x40000000u;
    auto arg = [&](unsigned n) { return is64 ? c.s.x[n] : (c.s.x[n] & 0xffffffffu); };
    int64_t ret = psci::kNotSupported;
    switch (fn) {
    case psci::kVersion: ret = static_cast<int64_t>(psci::kVersion1_1); break;
    case psci::kFeatures:
        ret = is_supported(static_cast<uint32_t>(arg(1))) ? psci::kSuccess : psci::kNotSupported;
        break;
    case psci::kCpuSuspend32:
    case psci::kCpuSuspend64: ret = cpu_suspend(c, arg(1)); break;
    case psci::kCpuOff: c.run_state = CpuRunState::Off; throw CpuExit{};
    case psci::kCpuOn32:
    case psci::kCpuOn64: ret = cpu_on(c, arg(1), arg(2), arg(3)); break;
    case psci::kAffinityInfo32:
    case psci::kAffinityInfo64: ret = affinity_info(arg(1), arg(2)); break;
    case psci::kMigrateInfoType: ret = static_cast<int64_t>(psci::kMigrateNotRequired); break;
    case psci::kSystemOff:
        if (on_system_off) on_system_off(c);
        throw CpuExit{};
    case psci::kSystemReset:
        if (on_system_reset) on_system_reset(c);
        throw CpuExit{};
    default:
        if (log_enabled(kLogUnimp))
            log_printf("psci: CPU%u: unsupported SMCCC function 0x%08x\n", c.index, fn);
        break;
    }
    c.s.x[0] = static_cast<uint64_t>(ret);
    return true;
}

} // namespace kestrel
