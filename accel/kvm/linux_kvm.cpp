// LinuxKvm: the KvmInterface over /dev/kvm and ioctl(2). Compiles on every
// Linux host (the arm64 ABI comes from kvm_abi.hpp); only an arm64 host can
// actually run a guest with it.
#include "accel/kvm/kvm_interface.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace kestrel {

using namespace kvm;

std::string kvm_errno_text(int ret) {
    const int e = ret < 0 ? -ret : ret;
    const char* name = e == EINVAL   ? "EINVAL"
                       : e == EBUSY  ? "EBUSY"
                       : e == ENXIO  ? "ENXIO"
                       : e == EFAULT ? "EFAULT"
                       : e == ENOENT ? "ENOENT"
                       : e == EEXIST ? "EEXIST"
                       : e == E2BIG  ? "E2BIG"
                       : e == ENODEV ? "ENODEV"
                       : e == ENOMEM ? "ENOMEM"
                       : e == EPERM  ? "EPERM"
                       : e == EACCES ? "EACCES"
                       : e == ENOSYS ? "ENOSYS"
                       : e == ENOTTY ? "ENOTTY"
                                     : nullptr;
    std::string s = "-";
    s += name ? name : std::to_string(e);
    s += " (";
    s += std::strerror(e);
    s += ")";
    return s;
}

KvmAvailability kvm_availability_from(bool is_arm64, int open_errno, const std::string& machine) {
    KvmAvailability a;
    if (!is_arm64) {
        a.status = KvmAvailability::NotArm64;
        a.message = "KVM cannot run an arm64 guest on this host: the host CPU is " + machine +
                    ", not arm64 (aarch64)";
    } else if (open_errno == ENOENT || open_errno == ENODEV || open_errno == ENXIO) {
        a.status = KvmAvailability::NoDevice;
        a.message = "KVM is not available: /dev/kvm does not exist (the kernel has no KVM, "
                    "or the host has no virtualization extensions / runs without EL2)";
    } else if (open_errno == EACCES || open_errno == EPERM) {
        a.status = KvmAvailability::NoPermission;
        a.message = "KVM is not available: no permission to open /dev/kvm (add the user to "
                    "the 'kvm' group)";
    } else if (open_errno != 0) {
        a.status = KvmAvailability::OpenFailed;
        a.message =
            std::string("KVM is not available: cannot open /dev/kvm: ") + std::strerror(open_errno);
    }
    return a;
}

namespace {

int sys_ret(long r) {
    return r < 0 ? -errno : static_cast<int>(r);
}

} // namespace

LinuxKvm::LinuxKvm() {
    struct utsname u {};
    std::string machine = uname(&u) == 0 ? u.machine : "unknown";
#if defined(__aarch64__)
    const bool arm64 = true;
#else
    const bool arm64 = false;
#endif
    int err = 0;
    if (arm64) {
        sys_fd_ = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (sys_fd_ < 0) err = errno;
    }
    avail_ = kvm_availability_from(arm64, err, machine);
    if (avail_.status != KvmAvailability::Ok) return;
    int v = api_version();
    if (v != kApiVersion) {
        avail_.status = KvmAvailability::BadApi;
        avail_.message = v < 0 ? "KVM is not usable: KVM_GET_API_VERSION on /dev/kvm failed: " +
                                     kvm_errno_text(v)
                               : "KVM is not usable: API version " + std::to_string(v) +
                                     ", expected " + std::to_string(kApiVersion);
        return;
    }
    struct Need {
        int cap;
        const char* what;
    };
    for (Need n :
         {Need{KVM_CAP_USER_MEMORY, "user memory slots"},
          Need{KVM_CAP_ONE_REG, "ONE_REG register access"},
          Need{KVM_CAP_DEVICE_CTRL, "in-kernel devices"}, Need{KVM_CAP_ARM_PSCI_0_2, "PSCI 0.2"}}) {
        if (check_extension(n.cap) <= 0) {
            avail_.status = KvmAvailability::MissingFeature;
            avail_.message = std::string("KVM is not usable: the kernel lacks ") + n.what;
            return;
        }
    }
}

LinuxKvm::~LinuxKvm() {
    for (const Mapping& m : maps_)
        munmap(m.addr, m.size);
    if (sys_fd_ >= 0) ::close(sys_fd_);
}

int LinuxKvm::api_version() {
    return sys_ret(ioctl(sys_fd_, KVM_GET_API_VERSION, 0));
}
int LinuxKvm::check_extension(int cap) {
    return sys_ret(ioctl(sys_fd_, KVM_CHECK_EXTENSION, cap));
}
int LinuxKvm::vcpu_mmap_size() {
    return sys_ret(ioctl(sys_fd_, KVM_GET_VCPU_MMAP_SIZE, 0));
}
int LinuxKvm::create_vm(unsigned long type) {
    // EINTR is documented for KVM_CREATE_VM; retry as the kernel suggests.
    for (;;) {
        int r = sys_ret(ioctl(sys_fd_, KVM_CREATE_VM, type));
        if (r != -EINTR) return r;
    }
}
int LinuxKvm::vm_check_extension(int vm, int cap) {
    return sys_ret(ioctl(vm, KVM_CHECK_EXTENSION, cap));
}
int LinuxKvm::set_user_memory_region(int vm, const UserspaceMemoryRegion& r) {
    return sys_ret(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
}
int LinuxKvm::arm_preferred_target(int vm, VcpuInit& out) {
    return sys_ret(ioctl(vm, KVM_ARM_PREFERRED_TARGET, &out));
}
int LinuxKvm::create_vcpu(int vm, unsigned long id) {
    return sys_ret(ioctl(vm, KVM_CREATE_VCPU, id));
}
int LinuxKvm::create_device(int vm, uint32_t type) {
    CreateDevice d{type, 0, 0};
    int r = sys_ret(ioctl(vm, KVM_CREATE_DEVICE, &d));
    return r < 0 ? r : static_cast<int>(d.fd);
}
int LinuxKvm::irq_line(int vm, uint32_t irq, bool level) {
    IrqLevel l{irq, level ? 1u : 0u};
    return sys_ret(ioctl(vm, KVM_IRQ_LINE, &l));
}
Run* LinuxKvm::map_run(int vcpu) {
    int size = vcpu_mmap_size();
    if (size < static_cast<int>(sizeof(Run))) return nullptr;
    void* p = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (p == MAP_FAILED) return nullptr;
    maps_.push_back({vcpu, p, static_cast<size_t>(size)});
    return static_cast<Run*>(p);
}
int LinuxKvm::arm_vcpu_init(int vcpu, const VcpuInit& init) {
    return sys_ret(ioctl(vcpu, KVM_ARM_VCPU_INIT, &init));
}
int LinuxKvm::get_one_reg(int vcpu, uint64_t id, void* data) {
    OneReg r{id, reinterpret_cast<uint64_t>(data)};
    return sys_ret(ioctl(vcpu, KVM_GET_ONE_REG, &r));
}
int LinuxKvm::set_one_reg(int vcpu, uint64_t id, const void* data) {
    OneReg r{id, reinterpret_cast<uint64_t>(data)};
    return sys_ret(ioctl(vcpu, KVM_SET_ONE_REG, &r));
}
int LinuxKvm::get_reg_list(int vcpu, std::vector<uint64_t>& ids) {
    // The first call with n = 0 fails with E2BIG and reports the count.
    std::vector<uint64_t> buf(1, 0);
    int r = sys_ret(ioctl(vcpu, KVM_GET_REG_LIST, buf.data()));
    if (r == 0) {
        ids.clear();
        return 0;
    }
    if (r != -E2BIG) return r;
    const uint64_t n = buf[0];
    buf.assign(n + 1, 0);
    buf[0] = n;
    r = sys_ret(ioctl(vcpu, KVM_GET_REG_LIST, buf.data()));
    if (r < 0) return r;
    ids.assign(buf.begin() + 1, buf.begin() + 1 + static_cast<long>(buf[0]));
    return 0;
}
int LinuxKvm::get_mp_state(int vcpu, uint32_t& state) {
    MpState m{};
    int r = sys_ret(ioctl(vcpu, KVM_GET_MP_STATE, &m));
    if (r >= 0) state = m.mp_state;
    return r;
}
int LinuxKvm::set_mp_state(int vcpu, uint32_t state) {
    MpState m{state};
    return sys_ret(ioctl(vcpu, KVM_SET_MP_STATE, &m));
}
int LinuxKvm::run(int vcpu) {
    return sys_ret(ioctl(vcpu, KVM_RUN, 0));
}
int LinuxKvm::set_device_attr(int fd, uint32_t group, uint64_t attr, const void* data) {
    DeviceAttr a{0, group, attr, reinterpret_cast<uint64_t>(data)};
    return sys_ret(ioctl(fd, KVM_SET_DEVICE_ATTR, &a));
}
int LinuxKvm::get_device_attr(int fd, uint32_t group, uint64_t attr, void* data) {
    DeviceAttr a{0, group, attr, reinterpret_cast<uint64_t>(data)};
    return sys_ret(ioctl(fd, KVM_GET_DEVICE_ATTR, &a));
}
int LinuxKvm::has_device_attr(int fd, uint32_t group, uint64_t attr) {
    DeviceAttr a{0, group, attr, 0};
    return sys_ret(ioctl(fd, KVM_HAS_DEVICE_ATTR, &a));
}
void LinuxKvm::close(int fd) {
    for (size_t i = 0; i < maps_.size(); i++) {
        if (maps_[i].fd == fd) {
            munmap(maps_[i].addr, maps_[i].size);
            maps_.erase(maps_.begin() + static_cast<long>(i));
            break;
        }
    }
    if (fd >= 0) ::close(fd);
}

} // namespace kestrel
