// The thin kernel-interface layer of the KVM accelerator: one virtual call
// per ioctl Kestrel issues. Everything above it (VM set-up, register sync,
// the run loop, the KVM-backed GIC) talks only to this class, so it runs
// against a fake or a model of the kernel in unit tests; LinuxKvm is the
// real implementation over ioctl(2).
//
// Conventions: file descriptors are plain ints; every call returns a value
// >= 0 on success and -errno on failure, as the kernel does.
#pragma once
#include "accel/kvm/kvm_abi.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kestrel {

class KvmInterface {
  public:
    virtual ~KvmInterface() = default;

    // --- /dev/kvm ---------------------------------------------------------
    virtual int api_version() = 0;
    virtual int check_extension(int cap) = 0;
    virtual int vcpu_mmap_size() = 0;
    // Returns the VM fd.
    virtual int create_vm(unsigned long type) = 0;

    // --- VM -----------------------------------------------------------------
    virtual int vm_check_extension(int vm, int cap) = 0;
    virtual int set_user_memory_region(int vm, const kvm::UserspaceMemoryRegion& r) = 0;
    virtual int arm_preferred_target(int vm, kvm::VcpuInit& out) = 0;
    // Returns the vCPU fd.
    virtual int create_vcpu(int vm, unsigned long id) = 0;
    // Returns the device fd.
    virtual int create_device(int vm, uint32_t type) = 0;
    virtual int irq_line(int vm, uint32_t irq, bool level) = 0;

    // --- vCPU ---------------------------------------------------------------
    // The shared kvm_run page of a vCPU (mapped once, unmapped by close()).
    virtual kvm::Run* map_run(int vcpu) = 0;
    virtual int arm_vcpu_init(int vcpu, const kvm::VcpuInit& init) = 0;
    // data holds reg_size(id) bytes.
    virtual int get_one_reg(int vcpu, uint64_t id, void* data) = 0;
    virtual int set_one_reg(int vcpu, uint64_t id, const void* data) = 0;
    virtual int get_reg_list(int vcpu, std::vector<uint64_t>& ids) = 0;
    // KVM_GET/SET_MP_STATE: the vCPU's power state (kvm::KVM_MP_STATE_*).
    virtual int get_mp_state(int vcpu, uint32_t& state) = 0;
    virtual int set_mp_state(int vcpu, uint32_t state) = 0;
    // Enters the guest; returns when the vCPU exits (see map_run()).
    virtual int run(int vcpu) = 0;

    // --- devices (the vGIC) ---------------------------------------------------
    // data points at the attribute's value (u32 or u64 as the group defines).
    virtual int set_device_attr(int fd, uint32_t group, uint64_t attr, const void* data) = 0;
    virtual int get_device_attr(int fd, uint32_t group, uint64_t attr, void* data) = 0;
    virtual int has_device_attr(int fd, uint32_t group, uint64_t attr) = 0;

    virtual void close(int fd) = 0;
};

// "-EINVAL (Invalid argument)" style text for a negative return value.
std::string kvm_errno_text(int ret);

// Why KVM cannot be used on this host, or Ok.
struct KvmAvailability {
    enum Status {
        Ok,
        NotArm64, // the host CPU is not arm64
        NoDevice, // /dev/kvm does not exist (no KVM in the kernel, or not loaded)
        NoPermission,
        OpenFailed,
        BadApi,        // KVM_GET_API_VERSION is not 12
        MissingFeature // a capability Kestrel needs is absent
    };
    Status status = Ok;
    std::string message; // one line naming the reason
};

// The real kernel interface: /dev/kvm and ioctl(2).
class LinuxKvm final : public KvmInterface {
  public:
    // Opens /dev/kvm; check availability() before using the object.
    LinuxKvm();
    ~LinuxKvm() override;
    LinuxKvm(const LinuxKvm&) = delete;
    LinuxKvm& operator=(const LinuxKvm&) = delete;

    // Whether this host can run an arm64 guest with KVM, and if not, why
    // (not an arm64 host, no /dev/kvm, no permission, old kernel).
    const KvmAvailability& availability() const { return avail_; }

    int api_version() override;
    int check_extension(int cap) override;
    int vcpu_mmap_size() override;
    int create_vm(unsigned long type) override;
    int vm_check_extension(int vm, int cap) override;
    int set_user_memory_region(int vm, const kvm::UserspaceMemoryRegion& r) override;
    int arm_preferred_target(int vm, kvm::VcpuInit& out) override;
    int create_vcpu(int vm, unsigned long id) override;
    int create_device(int vm, uint32_t type) override;
    int irq_line(int vm, uint32_t irq, bool level) override;
    kvm::Run* map_run(int vcpu) override;
    int arm_vcpu_init(int vcpu, const kvm::VcpuInit& init) override;
    int get_one_reg(int vcpu, uint64_t id, void* data) override;
    int set_one_reg(int vcpu, uint64_t id, const void* data) override;
    int get_reg_list(int vcpu, std::vector<uint64_t>& ids) override;
    int get_mp_state(int vcpu, uint32_t& state) override;
    int set_mp_state(int vcpu, uint32_t state) override;
    int run(int vcpu) override;
    int set_device_attr(int fd, uint32_t group, uint64_t attr, const void* data) override;
    int get_device_attr(int fd, uint32_t group, uint64_t attr, void* data) override;
    int has_device_attr(int fd, uint32_t group, uint64_t attr) override;
    void close(int fd) override;

  private:
    struct Mapping {
        int fd;
        void* addr;
        size_t size;
    };
    int sys_fd_ = -1;
    KvmAvailability avail_;
    std::vector<Mapping> maps_;
};

// The availability check alone (for tests of the messages): is_arm64 and
// the open() errno (0 = opened) decide the status.
KvmAvailability kvm_availability_from(bool is_arm64, int open_errno, const std::string& machine);

} // namespace kestrel
