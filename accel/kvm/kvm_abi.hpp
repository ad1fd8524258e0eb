// The parts of the Linux KVM user-space ABI that Kestrel's KVM accelerator
// uses, for an arm64 guest. They are ABI (numbers and layouts never change),
// so they are written out here instead of taken from the host's
// <linux/kvm.h> and <asm/kvm.h>: an x86-64 host has no arm64 <asm/kvm.h>,
// and the KVM code must compile (and be unit-tested) on every Linux host.
// When Kestrel is built for aarch64, kvm_abi_check.cpp compares every value
// here with the real kernel headers.
#pragma once
#include <cstddef>
#include <cstdint>

namespace kestrel::kvm {

// --- ioctl numbers (asm-generic encoding, the same on x86-64 and arm64) ------
namespace detail {
constexpr unsigned long kIocNone = 0, kIocWrite = 1, kIocRead = 2;
constexpr unsigned long ioc(unsigned long dir, unsigned long type, unsigned long nr,
                            unsigned long size) {
    return (dir << 30) | (size << 16) | (type << 8) | nr;
}
constexpr unsigned long kKvmio = 0xae;
constexpr unsigned long io(unsigned long nr) {
    return ioc(kIocNone, kKvmio, nr, 0);
}
constexpr unsigned long iow(unsigned long nr, unsigned long size) {
    return ioc(kIocWrite, kKvmio, nr, size);
}
constexpr unsigned long ior(unsigned long nr, unsigned long size) {
    return ioc(kIocRead, kKvmio, nr, size);
}
constexpr unsigned long iowr(unsigned long nr, unsigned long size) {
    return ioc(kIocRead | kIocWrite, kKvmio, nr, size);
}
} // namespace detail

// --- structures -------------------------------------------------------------
struct UserspaceMemoryRegion { // struct kvm_userspace_memory_region
    uint32_t slot;
    uint32_t flags;
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
};
static_assert(sizeof(UserspaceMemoryRegion) == 32);

struct VcpuInit { // struct kvm_vcpu_init (arm64)
    uint32_t target;
    uint32_t features[7];
};
static_assert(sizeof(VcpuInit) == 32);

struct OneReg { // struct kvm_one_reg
    uint64_t id;
    uint64_t addr;
};
static_assert(sizeof(OneReg) == 16);

struct RegListHeader { // struct kvm_reg_list, followed by n u64 register ids
    uint64_t n;
};

struct CreateDevice { // struct kvm_create_device
    uint32_t type;
    uint32_t fd;
    uint32_t flags;
};
static_assert(sizeof(CreateDevice) == 12);

struct DeviceAttr { // struct kvm_device_attr
    uint32_t flags;
    uint32_t group;
    uint64_t attr;
    uint64_t addr;
};
static_assert(sizeof(DeviceAttr) == 24);

struct MpState { // struct kvm_mp_state
    uint32_t mp_state;
};
static_assert(sizeof(MpState) == 4);

struct IrqLevel { // struct kvm_irq_level
    uint32_t irq;
    uint32_t level;
};
static_assert(sizeof(IrqLevel) == 8);

// struct kvm_run: the fixed header and the exit union (which starts at
// byte 32 on every architecture). Only the members Kestrel reads are named;
// the kernel's mapping is larger (KVM_GET_VCPU_MMAP_SIZE).
struct RunMmio {
    uint64_t phys_addr;
    uint8_t data[8];
    uint32_t len;
    uint8_t is_write;
};
struct RunSystemEvent {
    uint32_t type;
    uint32_t ndata;
    uint64_t data[16]; // data[0] was named "flags" before ndata existed
};
struct RunFailEntry {
    uint64_t hardware_entry_failure_reason;
    uint32_t cpu;
};
struct RunInternal {
    uint32_t suberror;
    uint32_t ndata;
    uint64_t data[16];
};
struct RunArmNisv {
    uint64_t esr_iss;
    uint64_t fault_ipa;
};
struct Run {
    uint8_t request_interrupt_window;
    uint8_t immediate_exit;
    uint8_t padding1[6];
    uint32_t exit_reason;
    uint8_t ready_for_interrupt_injection;
    uint8_t if_flag;
    uint16_t flags;
    uint64_t cr8;
    uint64_t apic_base;
    union {
        RunMmio mmio;
        RunSystemEvent system_event;
        RunFailEntry fail_entry;
        RunInternal internal;
        RunArmNisv arm_nisv;
        char padding[256];
    };
};
static_assert(offsetof(Run, exit_reason) == 8);
static_assert(offsetof(Run, mmio) == 32);
static_assert(offsetof(RunMmio, len) == 16 && offsetof(RunMmio, is_write) == 20);
static_assert(offsetof(RunSystemEvent, data) == 8);

// --- system ioctls (/dev/kvm) -------------------------------------------------
constexpr unsigned long KVM_GET_API_VERSION = detail::io(0x00);
constexpr unsigned long KVM_CREATE_VM = detail::io(0x01);
constexpr unsigned long KVM_CHECK_EXTENSION = detail::io(0x03);
constexpr unsigned long KVM_GET_VCPU_MMAP_SIZE = detail::io(0x04);
constexpr int kApiVersion = 12;
// --- VM ioctls ------------------------------------------------------------------
constexpr unsigned long KVM_CREATE_VCPU = detail::io(0x41);
constexpr unsigned long KVM_SET_USER_MEMORY_REGION =
    detail::iow(0x46, sizeof(UserspaceMemoryRegion));
constexpr unsigned long KVM_IRQ_LINE = detail::iow(0x61, sizeof(IrqLevel));
constexpr unsigned long KVM_ARM_PREFERRED_TARGET = detail::ior(0xaf, sizeof(VcpuInit));
constexpr unsigned long KVM_CREATE_DEVICE = detail::iowr(0xe0, sizeof(CreateDevice));
// --- vCPU ioctls ----------------------------------------------------------------
constexpr unsigned long KVM_RUN = detail::io(0x80);
constexpr unsigned long KVM_GET_ONE_REG = detail::iow(0xab, sizeof(OneReg));
constexpr unsigned long KVM_SET_ONE_REG = detail::iow(0xac, sizeof(OneReg));
constexpr unsigned long KVM_ARM_VCPU_INIT = detail::iow(0xae, sizeof(VcpuInit));
constexpr unsigned long KVM_GET_REG_LIST = detail::iowr(0xb0, sizeof(RegListHeader));
constexpr unsigned long KVM_GET_MP_STATE = detail::ior(0x98, sizeof(MpState));
constexpr unsigned long KVM_SET_MP_STATE = detail::iow(0x99, sizeof(MpState));
// --- device ioctls (also accepted on VM and vCPU fds) -----------------------------
constexpr unsigned long KVM_SET_DEVICE_ATTR = detail::iow(0xe1, sizeof(DeviceAttr));
constexpr unsigned long KVM_GET_DEVICE_ATTR = detail::iow(0xe2, sizeof(DeviceAttr));
constexpr unsigned long KVM_HAS_DEVICE_ATTR = detail::iow(0xe3, sizeof(DeviceAttr));

// --- capabilities (KVM_CHECK_EXTENSION) -----------------------------------------
constexpr int KVM_CAP_USER_MEMORY = 3;
constexpr int KVM_CAP_NR_VCPUS = 9;
constexpr int KVM_CAP_NR_MEMSLOTS = 10;
constexpr int KVM_CAP_MP_STATE = 14;
constexpr int KVM_CAP_ONE_REG = 70;
constexpr int KVM_CAP_DEVICE_CTRL = 89;
constexpr int KVM_CAP_ARM_PSCI_0_2 = 102;
constexpr int KVM_CAP_MAX_VCPUS = 66;
constexpr int KVM_CAP_ARM_VM_IPA_SIZE = 165;
constexpr int KVM_CAP_ARM_IRQ_LINE_LAYOUT_2 = 174;

// KVM_CREATE_VM machine type on arm64: the IPA size in bits [7:0] (0: 40 bits).
constexpr unsigned long vm_type_ipa_size(unsigned bits) {
    return bits & 0xff;
}
constexpr unsigned kDefaultIpaBits = 40;

// --- exit reasons ---------------------------------------------------------------
constexpr uint32_t KVM_EXIT_UNKNOWN = 0;
constexpr uint32_t KVM_EXIT_EXCEPTION = 1;
constexpr uint32_t KVM_EXIT_MMIO = 6;
constexpr uint32_t KVM_EXIT_SHUTDOWN = 8;
constexpr uint32_t KVM_EXIT_FAIL_ENTRY = 9;
constexpr uint32_t KVM_EXIT_INTR = 10;
constexpr uint32_t KVM_EXIT_INTERNAL_ERROR = 17;
constexpr uint32_t KVM_EXIT_SYSTEM_EVENT = 24;
constexpr uint32_t KVM_EXIT_ARM_NISV = 28;
constexpr uint32_t KVM_SYSTEM_EVENT_SHUTDOWN = 1;
constexpr uint32_t KVM_SYSTEM_EVENT_RESET = 2;
constexpr uint32_t KVM_SYSTEM_EVENT_CRASH = 3;

// --- vCPU power states (KVM_GET/SET_MP_STATE; the ones arm64 knows) ----------------
constexpr uint32_t KVM_MP_STATE_RUNNABLE = 0;   // running, or blocked in WFI
constexpr uint32_t KVM_MP_STATE_STOPPED = 5;    // powered off (PSCI CPU_OFF, or never on)
constexpr uint32_t KVM_MP_STATE_SUSPENDED = 10; // PSCI SYSTEM_SUSPEND (an opt-in exit)

// --- arm64 vCPU features (KVM_ARM_VCPU_INIT features[0] bits) ------------------------
constexpr unsigned KVM_ARM_VCPU_POWER_OFF = 0;
constexpr unsigned KVM_ARM_VCPU_EL1_32BIT = 1;
constexpr unsigned KVM_ARM_VCPU_PSCI_0_2 = 2;
constexpr unsigned KVM_ARM_VCPU_PMU_V3 = 3;

// --- ONE_REG register ids -----------------------------------------------------------
constexpr uint64_t KVM_REG_ARM64 = 0x6000000000000000ull;
constexpr uint64_t KVM_REG_SIZE_SHIFT = 52;
constexpr uint64_t KVM_REG_SIZE_MASK = 0x00f0000000000000ull;
constexpr uint64_t KVM_REG_SIZE_U32 = 0x0020000000000000ull;
constexpr uint64_t KVM_REG_SIZE_U64 = 0x0030000000000000ull;
constexpr uint64_t KVM_REG_SIZE_U128 = 0x0040000000000000ull;
constexpr uint64_t KVM_REG_ARM_COPROC_MASK = 0x000000000fff0000ull;
constexpr uint64_t KVM_REG_ARM_CORE = 0x0010ull << 16;
constexpr uint64_t KVM_REG_ARM64_SYSREG = 0x0013ull << 16;
constexpr uint64_t KVM_REG_ARM_FW = 0x0014ull << 16;

// Bytes of a register with this id.
constexpr unsigned reg_size(uint64_t id) {
    return 1u << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

// struct kvm_regs (arm64) byte offsets: user_pt_regs {regs[31], sp, pc,
// pstate}, sp_el1, elr_el1, spsr[5], then the 16-byte aligned
// user_fpsimd_state {vregs[32], fpsr, fpcr}.
constexpr uint64_t kCoreOffX0 = 0, kCoreOffSp = 248, kCoreOffPc = 256, kCoreOffPstate = 264,
                   kCoreOffSpEl1 = 272, kCoreOffElrEl1 = 280, kCoreOffSpsr = 288,
                   kCoreOffVregs = 336, kCoreOffFpsr = 848, kCoreOffFpcr = 852;
constexpr uint64_t core_reg(uint64_t byte_offset, uint64_t size) {
    return KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (byte_offset / 4);
}
constexpr uint64_t core_x(unsigned n) {
    return core_reg(kCoreOffX0 + 8ull * n, KVM_REG_SIZE_U64);
}
constexpr uint64_t core_v(unsigned n) {
    return core_reg(kCoreOffVregs + 16ull * n, KVM_REG_SIZE_U128);
}
constexpr uint64_t kRegSpEl0 = core_reg(kCoreOffSp, KVM_REG_SIZE_U64);
constexpr uint64_t kRegPc = core_reg(kCoreOffPc, KVM_REG_SIZE_U64);
constexpr uint64_t kRegPstate = core_reg(kCoreOffPstate, KVM_REG_SIZE_U64);
constexpr uint64_t kRegSpEl1 = core_reg(kCoreOffSpEl1, KVM_REG_SIZE_U64);
constexpr uint64_t kRegElrEl1 = core_reg(kCoreOffElrEl1, KVM_REG_SIZE_U64);
constexpr uint64_t kRegSpsrEl1 = core_reg(kCoreOffSpsr, KVM_REG_SIZE_U64);
constexpr uint64_t kRegFpsr = core_reg(kCoreOffFpsr, KVM_REG_SIZE_U32);
constexpr uint64_t kRegFpcr = core_reg(kCoreOffFpcr, KVM_REG_SIZE_U32);

// An AArch64 system register by its MRS/MSR encoding.
constexpr uint64_t sys_reg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | (uint64_t{op0} << 14) |
           (uint64_t{op1} << 11) | (uint64_t{crn} << 7) | (uint64_t{crm} << 3) | op2;
}
// Timer registers. The kernel's names for the virtual timer count and
// compare value have each other's encodings (an accident that became ABI):
// TIMER_CNT is encoded as CNTV_CVAL_EL0 and TIMER_CVAL as CNTVCT_EL0.
constexpr uint64_t KVM_REG_ARM_TIMER_CTL = sys_reg(3, 3, 14, 3, 1);
constexpr uint64_t KVM_REG_ARM_TIMER_CVAL = sys_reg(3, 3, 14, 0, 2);
constexpr uint64_t KVM_REG_ARM_TIMER_CNT = sys_reg(3, 3, 14, 3, 2);
constexpr uint64_t KVM_REG_ARM_PTIMER_CTL = sys_reg(3, 3, 14, 2, 1);
constexpr uint64_t KVM_REG_ARM_PTIMER_CVAL = sys_reg(3, 3, 14, 2, 2);
constexpr uint64_t KVM_REG_ARM_PTIMER_CNT = sys_reg(3, 3, 14, 0, 1);
constexpr uint64_t KVM_REG_ARM_PSCI_VERSION = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW;

// --- in-kernel devices ------------------------------------------------------------
constexpr uint32_t KVM_DEV_TYPE_ARM_VGIC_V3 = 7;
constexpr uint32_t KVM_DEV_TYPE_ARM_VGIC_ITS = 8;
constexpr uint32_t KVM_CREATE_DEVICE_TEST = 1;

// vGIC device attribute groups.
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_ADDR = 0;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_DIST_REGS = 1;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_NR_IRQS = 3;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_CTRL = 4;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_REDIST_REGS = 5;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS = 6;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO = 7;
constexpr uint32_t KVM_DEV_ARM_VGIC_GRP_ITS_REGS = 8;
// KVM_DEV_ARM_VGIC_GRP_CTRL attributes.
constexpr uint64_t KVM_DEV_ARM_VGIC_CTRL_INIT = 0;
constexpr uint64_t KVM_DEV_ARM_ITS_SAVE_TABLES = 1;
constexpr uint64_t KVM_DEV_ARM_ITS_RESTORE_TABLES = 2;
constexpr uint64_t KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES = 3;
constexpr uint64_t KVM_DEV_ARM_ITS_CTRL_RESET = 4;
// KVM_DEV_ARM_VGIC_GRP_ADDR attributes.
constexpr uint64_t KVM_VGIC_V3_ADDR_TYPE_DIST = 2;
constexpr uint64_t KVM_VGIC_V3_ADDR_TYPE_REDIST = 3;
constexpr uint64_t KVM_VGIC_ITS_ADDR_TYPE = 4;
constexpr uint64_t KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION = 5;
// DIST/REDIST/CPU_SYSREGS/LEVEL_INFO attr: the vCPU's affinity in [63:32].
constexpr unsigned KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT = 32;
constexpr unsigned KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT = 10;
constexpr uint64_t VGIC_LEVEL_INFO_LINE_LEVEL = 0;
// The redistributor frames per vCPU that the kernel's vGICv3 exposes.
constexpr uint64_t KVM_VGIC_V3_REDIST_SIZE = 0x20000;

// The affinity field of a vGIC attribute: Aff3.Aff2.Aff1.Aff0 of an MPIDR.
constexpr uint64_t vgic_mpidr_field(uint64_t mpidr) {
    const uint64_t aff = (((mpidr >> 32) & 0xff) << 24) | (mpidr & 0xffffff);
    return aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;
}

// --- KVM_IRQ_LINE irq field (arm64) -------------------------------------------------
constexpr unsigned KVM_ARM_IRQ_VCPU2_SHIFT = 28;
constexpr unsigned KVM_ARM_IRQ_TYPE_SHIFT = 24;
constexpr unsigned KVM_ARM_IRQ_VCPU_SHIFT = 16;
constexpr uint32_t KVM_ARM_IRQ_TYPE_SPI = 1;
constexpr uint32_t KVM_ARM_IRQ_TYPE_PPI = 2;
constexpr uint32_t irq_line_spi(unsigned intid) {
    return (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | intid;
}
constexpr uint32_t irq_line_ppi(unsigned vcpu, unsigned intid) {
    return (KVM_ARM_IRQ_TYPE_PPI << KVM_ARM_IRQ_TYPE_SHIFT) |
           (((vcpu >> 8) & 0xf) << KVM_ARM_IRQ_VCPU2_SHIFT) |
           ((vcpu & 0xff) << KVM_ARM_IRQ_VCPU_SHIFT) | intid;
}

} // namespace kestrel::kvm
