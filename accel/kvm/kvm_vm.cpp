#include "accel/kvm/kvm_vm.hpp"

#include "cpu/sysreg.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <pthread.h>

namespace kestrel {

using namespace kvm;

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

// vCPU threads are kicked out of KVM_RUN with a signal whose handler does
// nothing: the ioctl returns -EINTR (immediate_exit covers the race where
// the signal arrives before the thread enters the kernel).
constexpr int kKickSignal = SIGUSR1;
void kick_handler(int) {}
void install_kick_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = kick_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; // no SA_RESTART: KVM_RUN must return
        sigaction(kKickSignal, &sa, nullptr);
    });
}

} // namespace

KvmVm::KvmVm(KvmInterface& kvm) : counter(guest_counter_ticks), kvm_(kvm) {}

KvmVm::~KvmVm() {
    for (Vcpu& v : vcpus_)
        if (v.fd >= 0) kvm_.close(v.fd);
    if (vm_fd_ >= 0) kvm_.close(vm_fd_);
}

void KvmVm::create(uint64_t highest_pa) {
    unsigned need = 32;
    while (need < 52 && (highest_pa >> need) != 0)
        need++;
    const int max_ipa = kvm_.check_extension(KVM_CAP_ARM_VM_IPA_SIZE);
    unsigned long type = 0; // 40-bit IPA
    if (need > kDefaultIpaBits) {
        if (max_ipa < static_cast<int>(need))
            throw KvmError("KVM: guest physical addresses up to " + hex(highest_pa) + " need " +
                           std::to_string(need) + "-bit IPAs; the host offers " +
                           std::to_string(max_ipa > 0 ? max_ipa : 40));
        type = vm_type_ipa_size(need);
        ipa_bits_ = need;
    } else if (max_ipa > 0) {
        // Ask for exactly what is needed (at least 32 bits) when the kernel
        // lets us choose; smaller stage-2 tables.
        ipa_bits_ = need < 32 ? 32 : need;
        if (ipa_bits_ != kDefaultIpaBits) type = vm_type_ipa_size(ipa_bits_);
    }
    int fd = kvm_.create_vm(type);
    if (fd < 0) throw KvmError("KVM_CREATE_VM failed: " + kvm_errno_text(fd));
    vm_fd_ = fd;
}

void KvmVm::add_memory(uint64_t gpa, uint64_t size, void* host) {
    UserspaceMemoryRegion r{};
    r.slot = next_slot_++;
    r.guest_phys_addr = gpa;
    r.memory_size = size;
    r.userspace_addr = reinterpret_cast<uint64_t>(host);
    int ret = kvm_.set_user_memory_region(vm_fd_, r);
    if (ret < 0)
        throw KvmError("KVM_SET_USER_MEMORY_REGION for " + hex(size) + " bytes at " + hex(gpa) +
                       ": " + kvm_errno_text(ret));
}

void KvmVm::create_vcpus(unsigned n) {
    const int max = kvm_.check_extension(KVM_CAP_MAX_VCPUS);
    if (max > 0 && n > static_cast<unsigned>(max))
        throw KvmError("KVM: " + std::to_string(n) + " vCPUs requested, the host allows " +
                       std::to_string(max));
    for (unsigned i = 0; i < n; i++) {
        int fd = kvm_.create_vcpu(vm_fd_, i);
        if (fd < 0)
            throw KvmError("KVM_CREATE_VCPU " + std::to_string(i) + ": " + kvm_errno_text(fd));
        Vcpu v;
        v.fd = fd;
        v.run = kvm_.map_run(fd);
        if (!v.run) {
            kvm_.close(fd);
            throw KvmError("cannot map the kvm_run area of vCPU " + std::to_string(i));
        }
        vcpus_.push_back(std::move(v));
    }
}

void KvmVm::init_vcpus() {
    VcpuInit pref{};
    int r = kvm_.arm_preferred_target(vm_fd_, pref);
    if (r < 0) throw KvmError("KVM_ARM_PREFERRED_TARGET: " + kvm_errno_text(r));
    for (unsigned i = 0; i < vcpus_.size(); i++) {
        VcpuInit init = pref;
        std::memset(init.features, 0, sizeof init.features);
        init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
        if (i != 0) init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
        r = kvm_.arm_vcpu_init(vcpus_[i].fd, init);
        if (r < 0)
            throw KvmError("KVM_ARM_VCPU_INIT of vCPU " + std::to_string(i) + ": " +
                           kvm_errno_text(r));
        std::vector<uint64_t> ids;
        r = kvm_.get_reg_list(vcpus_[i].fd, ids);
        if (r < 0) throw KvmError("KVM_GET_REG_LIST: " + kvm_errno_text(r));
        vcpus_[i].regs = KvmRegSet(ids.begin(), ids.end());
    }
}

std::optional<std::string> KvmVm::get_regs(unsigned i, CpuState& s, SysRegState& sys) {
    return kvm_get_vcpu_regs(kvm_, vcpus_.at(i).fd, vcpus_[i].regs, counter(), s, sys);
}

std::optional<std::string> KvmVm::set_regs(unsigned i, const CpuState& s, const SysRegState& sys) {
    return kvm_set_vcpu_regs(kvm_, vcpus_.at(i).fd, vcpus_[i].regs, counter(), s, sys);
}

std::optional<std::string> KvmVm::get_mp_state(unsigned i, uint32_t& state) {
    int r = kvm_.get_mp_state(vcpus_.at(i).fd, state);
    if (r < 0) return "KVM_GET_MP_STATE of vCPU " + std::to_string(i) + ": " + kvm_errno_text(r);
    return std::nullopt;
}

std::optional<std::string> KvmVm::set_mp_state(unsigned i, uint32_t state) {
    int r = kvm_.set_mp_state(vcpus_.at(i).fd, state);
    if (r < 0)
        return "KVM_SET_MP_STATE " + std::to_string(state) + " of vCPU " + std::to_string(i) +
               ": " + kvm_errno_text(r);
    return std::nullopt;
}

void KvmVm::set_reg(unsigned i, uint64_t id, uint64_t value) {
    int r = kvm_.set_one_reg(vcpus_.at(i).fd, id, &value);
    if (r < 0) throw KvmError("KVM_SET_ONE_REG " + hex(id) + ": " + kvm_errno_text(r));
}

void KvmVm::fail(const std::string& msg) {
    {
        std::lock_guard lk(mu_);
        if (error_.empty()) error_ = msg;
    }
    request_stop(KvmStop::Error);
}

void KvmVm::request_stop(KvmStop why) {
    {
        std::lock_guard lk(mu_);
        if (stop_ == KvmStop::None) stop_ = why;
        // A pause asked for between two run() calls is not lost: the next
        // run() returns at once.
        if (why == KvmStop::Pause) pause_pending_ = true;
    }
    stopping_ = true;
    cv_.notify_all();
}

bool KvmVm::handle_exit(unsigned i, const KvmExitHandlers& h) {
    Run& run = *vcpus_[i].run;
    switch (run.exit_reason) {
    case KVM_EXIT_MMIO: {
        RunMmio& m = run.mmio;
        const unsigned len = m.len;
        if (len == 0 || len > 8) {
            fail("KVM MMIO exit with length " + std::to_string(len));
            return false;
        }
        std::lock_guard lk(mmio_mu_);
        if (m.is_write) {
            uint64_t v = 0;
            std::memcpy(&v, m.data, len);
            if (!h.mmio_write || h.mmio_write(m.phys_addr, len, v) != MemResult::Ok)
                unhandled_mmio_++;
        } else {
            uint64_t v = 0;
            if (!h.mmio_read || h.mmio_read(m.phys_addr, len, v) != MemResult::Ok) {
                unhandled_mmio_++;
                v = 0;
            }
            std::memcpy(m.data, &v, len);
        }
        return true;
    }
    case KVM_EXIT_SYSTEM_EVENT:
        switch (run.system_event.type) {
        case KVM_SYSTEM_EVENT_SHUTDOWN: request_stop(KvmStop::PowerOff); return false;
        case KVM_SYSTEM_EVENT_RESET: request_stop(KvmStop::Reset); return false;
        case KVM_SYSTEM_EVENT_CRASH: request_stop(KvmStop::Crash); return false;
        default: return true; // wake-up/suspend: run on
        }
    case KVM_EXIT_INTR: return true;
    case KVM_EXIT_FAIL_ENTRY:
        fail("KVM could not enter vCPU " + std::to_string(i) + " (hardware reason " +
             hex(run.fail_entry.hardware_entry_failure_reason) + ")");
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        fail("KVM internal error on vCPU " + std::to_string(i) + " (suberror " +
             std::to_string(run.internal.suberror) + ")");
        return false;
    case KVM_EXIT_ARM_NISV:
        fail("vCPU " + std::to_string(i) + " accessed device memory at " +
             hex(run.arm_nisv.fault_ipa) +
             " with an instruction the kernel cannot emulate (no syndrome)");
        return false;
    default:
        fail("unexpected KVM exit reason " + std::to_string(run.exit_reason) + " on vCPU " +
             std::to_string(i));
        return false;
    }
}

void KvmVm::vcpu_loop(unsigned i, const KvmExitHandlers& h) {
    while (!stopping_) {
        int r = kvm_.run(vcpus_[i].fd);
        if (r == -EINTR || r == -EAGAIN) continue;
        if (r < 0) {
            std::string m = "KVM_RUN on vCPU " + std::to_string(i) + ": " + kvm_errno_text(r);
            if (r == -ENOSYS)
                m += " (the guest accessed device memory with an instruction the kernel cannot "
                     "emulate: no valid syndrome, e.g. a load/store pair or writeback addressing)";
            fail(m);
            break;
        }
        if (!handle_exit(i, h)) break;
    }
    // An MMIO access is only complete (PC advanced, a load's register
    // written) once the vCPU re-enters the kernel: do so with
    // immediate_exit so the saved state after a stop is consistent.
    vcpus_[i].run->immediate_exit = 1;
    kvm_.run(vcpus_[i].fd);
}

KvmStop KvmVm::run(const KvmExitHandlers& h) {
    install_kick_handler();
    {
        std::lock_guard lk(mu_);
        stop_ = pause_pending_ ? KvmStop::Pause : KvmStop::None;
        stopping_ = stop_ != KvmStop::None;
    }
    for (Vcpu& v : vcpus_)
        v.run->immediate_exit = 0;
    for (unsigned i = 0; i < vcpus_.size(); i++)
        vcpus_[i].thread = std::thread([this, i, &h] { vcpu_loop(i, h); });
    {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [this] { return stop_ != KvmStop::None; });
    }
    for (Vcpu& v : vcpus_) {
        v.run->immediate_exit = 1;
        if (v.thread.joinable()) pthread_kill(v.thread.native_handle(), kKickSignal);
    }
    for (Vcpu& v : vcpus_)
        if (v.thread.joinable()) v.thread.join();
    for (Vcpu& v : vcpus_)
        v.run->immediate_exit = 0;
    std::lock_guard lk(mu_);
    if (stop_ == KvmStop::Pause) pause_pending_ = false;
    return stop_;
}

} // namespace kestrel
