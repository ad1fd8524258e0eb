// Register sync of one vCPU between the kernel (KVM_GET/SET_ONE_REG) and
// Kestrel's CpuState/SysRegState, so a snapshot of a KVM guest holds the
// same fields as one of a TCG guest: core registers (X0-X30, SP_EL0/EL1,
// PC, PSTATE, ELR/SPSR_EL1), FP/SIMD (V0-V31, FPSR, FPCR), the EL1 system
// registers Kestrel models, and the generic timer.
#pragma once
#include "accel/kvm/kvm_interface.hpp"
#include "cpu/cpu_state.hpp"
#include "cpu/sysreg_state.hpp"

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace kestrel {

// One system register Kestrel keeps and the kernel exposes through ONE_REG.
struct KvmSysRegMap {
    const char* name;
    uint64_t id;
    uint64_t SysRegState::*field;
};
// Every such register (the timer's count is handled separately).
const std::vector<KvmSysRegMap>& kvm_sysreg_map();

// PSTATE in the kernel's (SPSR) layout from Kestrel's fields, and back.
uint64_t kvm_pstate_from(const CpuState& s);
void kvm_pstate_to(uint64_t pstate, CpuState& s);

// The registers this vCPU's kernel exposes (KVM_GET_REG_LIST): system
// registers missing from it (e.g. PMU registers without a vPMU) are skipped.
using KvmRegSet = std::unordered_set<uint64_t>;

// counter_now: Kestrel's physical counter (CNTPCT) now. The kernel's
// virtual count (KVM_REG_ARM_TIMER_CNT) is kept as CNTVOFF_EL2 relative to
// it, the same offset a TCG snapshot holds.
std::optional<std::string> kvm_get_vcpu_regs(KvmInterface& kvm, int vcpu_fd,
                                             const KvmRegSet& present, uint64_t counter_now,
                                             CpuState& s, SysRegState& sys);
std::optional<std::string> kvm_set_vcpu_regs(KvmInterface& kvm, int vcpu_fd,
                                             const KvmRegSet& present, uint64_t counter_now,
                                             const CpuState& s, const SysRegState& sys);

} // namespace kestrel
