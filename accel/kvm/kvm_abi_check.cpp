// Built only for aarch64 hosts: compares every constant and layout of
// kvm_abi.hpp with the kernel's own headers, so a mistake in the
// hand-written ABI breaks the (cross) build instead of a guest. The kernel
// defines these names as macros, so Kestrel's values are captured under
// other names before <linux/kvm.h> is included.
#include "accel/kvm/kvm_abi.hpp"

#include <cstddef>

#define KESTREL_KVM_ABI_NAMES(X)                                                                   \
    X(KVM_CAP_USER_MEMORY)                                                                         \
    X(KVM_CAP_NR_MEMSLOTS)                                                                         \
    X(KVM_CAP_ONE_REG)                                                                             \
    X(KVM_CAP_MP_STATE)                                                                            \
    X(KVM_GET_MP_STATE)                                                                            \
    X(KVM_SET_MP_STATE)                                                                            \
    X(KVM_MP_STATE_RUNNABLE)                                                                       \
    X(KVM_MP_STATE_STOPPED)                                                                        \
    X(KVM_MP_STATE_SUSPENDED)                                                                      \
    X(KVM_CAP_DEVICE_CTRL)                                                                         \
    X(KVM_CAP_ARM_PSCI_0_2)                                                                        \
    X(KVM_CAP_MAX_VCPUS)                                                                           \
    X(KVM_CAP_ARM_VM_IPA_SIZE)                                                                     \
    X(KVM_CAP_ARM_IRQ_LINE_LAYOUT_2)                                                               \
    X(KVM_EXIT_MMIO)                                                                               \
    X(KVM_EXIT_SYSTEM_EVENT)                                                                       \
    X(KVM_EXIT_ARM_NISV)                                                                           \
    X(KVM_EXIT_FAIL_ENTRY)                                                                         \
    X(KVM_EXIT_INTERNAL_ERROR)                                                                     \
    X(KVM_EXIT_INTR)                                                                               \
    X(KVM_SYSTEM_EVENT_SHUTDOWN)                                                                   \
    X(KVM_SYSTEM_EVENT_RESET)                                                                      \
    X(KVM_SYSTEM_EVENT_CRASH)                                                                      \
    X(KVM_ARM_VCPU_POWER_OFF)                                                                      \
    X(KVM_ARM_VCPU_PSCI_0_2)                                                                       \
    X(KVM_REG_ARM64)                                                                               \
    X(KVM_REG_SIZE_U32)                                                                            \
    X(KVM_REG_SIZE_U64)                                                                            \
    X(KVM_REG_SIZE_U128)                                                                           \
    X(KVM_REG_ARM_CORE)                                                                            \
    X(KVM_REG_ARM64_SYSREG)                                                                        \
    X(KVM_REG_ARM_TIMER_CTL)                                                                       \
    X(KVM_REG_ARM_TIMER_CNT)                                                                       \
    X(KVM_REG_ARM_TIMER_CVAL)                                                                      \
    X(KVM_REG_ARM_PTIMER_CTL)                                                                      \
    X(KVM_REG_ARM_PTIMER_CNT)                                                                      \
    X(KVM_REG_ARM_PTIMER_CVAL)                                                                     \
    X(KVM_REG_ARM_PSCI_VERSION)                                                                    \
    X(KVM_DEV_TYPE_ARM_VGIC_V3)                                                                    \
    X(KVM_DEV_TYPE_ARM_VGIC_ITS)                                                                   \
    X(KVM_DEV_ARM_VGIC_GRP_ADDR)                                                                   \
    X(KVM_DEV_ARM_VGIC_GRP_DIST_REGS)                                                              \
    X(KVM_DEV_ARM_VGIC_GRP_NR_IRQS)                                                                \
    X(KVM_DEV_ARM_VGIC_GRP_CTRL)                                                                   \
    X(KVM_DEV_ARM_VGIC_GRP_REDIST_REGS)                                                            \
    X(KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS)                                                            \
    X(KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO)                                                             \
    X(KVM_DEV_ARM_VGIC_GRP_ITS_REGS)                                                               \
    X(KVM_DEV_ARM_VGIC_CTRL_INIT)                                                                  \
    X(KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES)                                                        \
    X(KVM_VGIC_V3_ADDR_TYPE_DIST)                                                                  \
    X(KVM_VGIC_V3_ADDR_TYPE_REDIST)                                                                \
    X(KVM_VGIC_ITS_ADDR_TYPE)                                                                      \
    X(KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT)                                                             \
    X(KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT)                                                      \
    X(VGIC_LEVEL_INFO_LINE_LEVEL)                                                                  \
    X(KVM_ARM_IRQ_TYPE_SHIFT)                                                                      \
    X(KVM_ARM_IRQ_VCPU_SHIFT)                                                                      \
    X(KVM_ARM_IRQ_VCPU2_SHIFT)                                                                     \
    X(KVM_ARM_IRQ_TYPE_SPI)                                                                        \
    X(KVM_ARM_IRQ_TYPE_PPI)                                                                        \
    X(KVM_GET_API_VERSION)

namespace kestrel::kvm::ours {
#define KESTREL_OURS(n) constexpr auto n##_ = static_cast<unsigned long long>(kestrel::kvm::n);
KESTREL_KVM_ABI_NAMES(KESTREL_OURS)
#undef KESTREL_OURS
} // namespace kestrel::kvm::ours

#include <linux/kvm.h>

namespace kestrel::kvm {

#define KESTREL_SAME(n)                                                                            \
    static_assert(ours::n##_ == static_cast<unsigned long long>(n),                                \
                  #n " differs from the kernel's");
KESTREL_KVM_ABI_NAMES(KESTREL_SAME)
#undef KESTREL_SAME

#define SAME(ours, theirs) static_assert((ours) == (theirs), #ours " differs from the kernel's")

// struct kvm_regs offsets and structure layouts.
SAME(kvm::kCoreOffSp, offsetof(struct kvm_regs, regs.sp));
SAME(kvm::kCoreOffPc, offsetof(struct kvm_regs, regs.pc));
SAME(kvm::kCoreOffPstate, offsetof(struct kvm_regs, regs.pstate));
SAME(kvm::kCoreOffSpEl1, offsetof(struct kvm_regs, sp_el1));
SAME(kvm::kCoreOffElrEl1, offsetof(struct kvm_regs, elr_el1));
SAME(kvm::kCoreOffSpsr, offsetof(struct kvm_regs, spsr));
SAME(kvm::kCoreOffVregs, offsetof(struct kvm_regs, fp_regs.vregs));
SAME(kvm::kCoreOffFpsr, offsetof(struct kvm_regs, fp_regs.fpsr));
SAME(kvm::kCoreOffFpcr, offsetof(struct kvm_regs, fp_regs.fpcr));
SAME(sizeof(UserspaceMemoryRegion), sizeof(struct kvm_userspace_memory_region));
SAME(sizeof(VcpuInit), sizeof(struct kvm_vcpu_init));
SAME(sizeof(DeviceAttr), sizeof(struct kvm_device_attr));
SAME(sizeof(CreateDevice), sizeof(struct kvm_create_device));
SAME(sizeof(MpState), sizeof(struct kvm_mp_state));
SAME(offsetof(Run, exit_reason), offsetof(struct kvm_run, exit_reason));
SAME(offsetof(Run, immediate_exit), offsetof(struct kvm_run, immediate_exit));
SAME(offsetof(Run, mmio), offsetof(struct kvm_run, mmio));
SAME(offsetof(Run, mmio.len), offsetof(struct kvm_run, mmio.len));
SAME(offsetof(Run, mmio.is_write), offsetof(struct kvm_run, mmio.is_write));
SAME(offsetof(Run, system_event.type), offsetof(struct kvm_run, system_event.type));
SAME(offsetof(Run, arm_nisv.fault_ipa), offsetof(struct kvm_run, arm_nisv.fault_ipa));

#undef SAME

} // namespace kestrel::kvm
