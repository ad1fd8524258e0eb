// A KVM virtual machine: the VM fd, guest RAM as user memory slots, the
// vCPUs (KVM_ARM_VCPU_INIT with PSCI 0.2, secondaries powered off) and the
// run loop, one host thread per vCPU. MMIO exits go to the board's device
// models; SYSTEM_EVENT exits (PSCI SYSTEM_OFF / SYSTEM_RESET, handled by the
// kernel) stop the VM with a reason the board acts on.
#pragma once
#include "accel/kvm/kvm_interface.hpp"
#include "accel/kvm/kvm_vcpu_regs.hpp"
#include "hw/device.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kestrel {

class KvmError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Why run() returned. Pause: the board asked for the vCPUs to stop (e.g.
// to save or load state) and will run the VM again.
enum class KvmStop { None, PowerOff, Reset, Crash, Quit, Pause, Error };

// What the board does with guest accesses that leave the kernel.
struct KvmExitHandlers {
    std::function<MemResult(uint64_t pa, unsigned size, uint64_t& value)> mmio_read;
    std::function<MemResult(uint64_t pa, unsigned size, uint64_t value)> mmio_write;
};

class KvmVm {
  public:
    explicit KvmVm(KvmInterface& kvm);
    ~KvmVm();
    KvmVm(const KvmVm&) = delete;
    KvmVm& operator=(const KvmVm&) = delete;

    // KVM_CREATE_VM with an IPA size that covers highest_pa (from
    // KVM_CAP_ARM_VM_IPA_SIZE). Throws KvmError.
    void create(uint64_t highest_pa);
    // One user memory slot per call (host must be page aligned).
    void add_memory(uint64_t gpa, uint64_t size, void* host);
    // KVM_CREATE_VCPU and the kvm_run mapping of each.
    void create_vcpus(unsigned n);
    // KVM_ARM_PREFERRED_TARGET + KVM_ARM_VCPU_INIT: PSCI 0.2, every vCPU but
    // the first powered off. Called again at a board reset, which the kernel
    // turns into a vCPU reset.
    void init_vcpus();

    int vm_fd() const { return vm_fd_; }
    unsigned num_vcpus() const { return static_cast<unsigned>(vcpus_.size()); }
    int vcpu_fd(unsigned i) const { return vcpus_.at(i).fd; }
    unsigned ipa_bits() const { return ipa_bits_; }

    std::optional<std::string> get_regs(unsigned i, CpuState& s, SysRegState& sys);
    std::optional<std::string> set_regs(unsigned i, const CpuState& s, const SysRegState& sys);
    // The vCPU's power state (KVM_GET/SET_MP_STATE, kvm::KVM_MP_STATE_*):
    // whether PSCI has it powered off.
    std::optional<std::string> get_mp_state(unsigned i, uint32_t& state);
    std::optional<std::string> set_mp_state(unsigned i, uint32_t state);
    // A single register (e.g. PC, X0 at boot). Throws KvmError.
    void set_reg(unsigned i, uint64_t id, uint64_t value);

    // Runs every vCPU on its own host thread until the VM stops; returns why.
    KvmStop run(const KvmExitHandlers& h);
    // Stops run() soon; safe from any thread (also from a vCPU thread).
    void request_stop(KvmStop why);
    // The message of the last KvmStop::Error.
    const std::string& error() const { return error_; }
    // Kestrel's physical counter, for the virtual counter offset in snapshots.
    std::function<uint64_t()> counter;
    // MMIO exits that hit no device (reads return 0, writes are dropped).
    uint64_t unhandled_mmio() const { return unhandled_mmio_; }

  private:
    struct Vcpu {
        int fd = -1;
        kvm::Run* run = nullptr;
        KvmRegSet regs;
        std::thread thread;
    };
    void vcpu_loop(unsigned i, const KvmExitHandlers& h);
    bool handle_exit(unsigned i, const KvmExitHandlers& h);
    void fail(const std::string& msg);

    KvmInterface& kvm_;
    int vm_fd_ = -1;
    unsigned ipa_bits_ = kvm::kDefaultIpaBits;
    unsigned next_slot_ = 0;
    std::vector<Vcpu> vcpus_;
    std::mutex mu_;
    std::condition_variable cv_;
    KvmStop stop_ = KvmStop::None;
    bool pause_pending_ = false; // under mu_
    std::atomic<bool> stopping_{false};
    std::string error_;
    std::atomic<uint64_t> unhandled_mmio_{0};
    std::mutex mmio_mu_; // device models are not thread-safe: one MMIO at a time
};

} // namespace kestrel
