// A fake kernel behind KvmInterface for unit tests: VM and vCPU fds, a
// register file per vCPU (KVM_GET/SET_ONE_REG with a configurable
// KVM_GET_REG_LIST), scripted KVM_RUN exits, and the vGIC device served by
// VgicModel. Every call is recorded.
#pragma once
#include "accel/kvm/kvm_interface.hpp"
#include "tests/unit/kvm_vgic_model.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kestrel::test {

class FakeKvm : public KvmInterface {
  public:
    static constexpr int kVmFd = 10, kFirstVcpuFd = 20, kVgicFd = 90;

    explicit FakeKvm(KernelBehaviour b = KernelBehaviour::V617, VgicHost host = {})
        : vgic(b, host) {}

    VgicModel vgic;
    std::map<int, int> caps = {{kvm::KVM_CAP_ARM_VM_IPA_SIZE, 44}, {kvm::KVM_CAP_NR_MEMSLOTS, 512},
                               {kvm::KVM_CAP_ONE_REG, 1},          {kvm::KVM_CAP_DEVICE_CTRL, 1},
                               {kvm::KVM_CAP_ARM_PSCI_0_2, 1},     {kvm::KVM_CAP_MAX_VCPUS, 512}};
    // Registers each new vCPU lists in KVM_GET_REG_LIST (core registers
    // are always accepted by ONE_REG, as in the kernel).
    std::vector<uint64_t> listed_regs;
    // Fails the next ONE_REG access to this id with this errno.
    std::optional<std::pair<uint64_t, int>> fail_reg;
    // Fails the next KVM_GET_MP_STATE / KVM_SET_MP_STATE with this errno.
    std::optional<int> fail_get_mp, fail_set_mp;
    // Fails the next device attribute access (get or set) to this group
    // and attribute with this errno.
    struct AttrFailure {
        uint32_t group;
        uint64_t attr;
        int err;
    };
    std::optional<AttrFailure> fail_attr;

    struct Vcpu {
        unsigned long id = 0;
        std::map<uint64_t, std::array<uint8_t, 16>> regs;
        std::optional<kvm::VcpuInit> init;
        // KVM_MP_STATE_*: KVM_ARM_VCPU_INIT sets it from the POWER_OFF feature.
        uint32_t mp_state = kvm::KVM_MP_STATE_RUNNABLE;
        std::unique_ptr<kvm::Run> run;
        // Each KVM_RUN pops one exit; an empty script exits with a
        // SYSTEM_EVENT shutdown (a powered-off vCPU waits to be kicked).
        std::deque<std::function<void(kvm::Run&)>> script;
        unsigned runs = 0;
    };
    std::vector<Vcpu> vcpus;
    std::vector<kvm::UserspaceMemoryRegion> slots;
    std::vector<unsigned long> vm_types;
    std::vector<std::pair<uint32_t, bool>> irq_lines;
    std::mutex mu; // vCPU threads run concurrently

    Vcpu& vcpu(int fd) { return vcpus.at(static_cast<size_t>(fd - kFirstVcpuFd)); }

    int api_version() override { return kvm::kApiVersion; }
    int check_extension(int cap) override {
        auto it = caps.find(cap);
        return it == caps.end() ? 0 : it->second;
    }
    int vcpu_mmap_size() override { return 4096; }
    int create_vm(unsigned long type) override {
        vm_types.push_back(type);
        return kVmFd;
    }
    int vm_check_extension(int, int cap) override { return check_extension(cap); }
    int set_user_memory_region(int, const kvm::UserspaceMemoryRegion& r) override {
        slots.push_back(r);
        return 0;
    }
    int arm_preferred_target(int, kvm::VcpuInit& out) override {
        out = {};
        out.target = 5; // KVM_ARM_TARGET_GENERIC_V8
        return 0;
    }
    int create_vcpu(int, unsigned long id) override {
        if (vgic.initialized()) return -EBUSY;
        Vcpu v;
        v.id = id;
        for (uint64_t r : listed_regs)
            v.regs[r] = {};
        vcpus.push_back(std::move(v));
        // KVM's default MPIDR: Aff0 = id % 16, Aff1 = id / 16.
        vgic.add_vcpu((1ull << 31) | ((id / 16) << 8) | (id % 16));
        return kFirstVcpuFd + static_cast<int>(vcpus.size() - 1);
    }
    int create_device(int, uint32_t type) override {
        return type == kvm::KVM_DEV_TYPE_ARM_VGIC_V3 ? kVgicFd : -ENODEV;
    }
    int irq_line(int, uint32_t irq, bool level) override {
        std::lock_guard lk(mu);
        irq_lines.emplace_back(irq, level);
        return vgic.irq_line(irq, level);
    }
    kvm::Run* map_run(int fd) override {
        Vcpu& v = vcpu(fd);
        if (!v.run) v.run = std::make_unique<kvm::Run>();
        return v.run.get();
    }
    int arm_vcpu_init(int fd, const kvm::VcpuInit& init) override {
        vcpu(fd).init = init;
        vcpu(fd).mp_state = (init.features[0] & (1u << kvm::KVM_ARM_VCPU_POWER_OFF))
                                ? kvm::KVM_MP_STATE_STOPPED
                                : kvm::KVM_MP_STATE_RUNNABLE;
        return 0;
    }
    int get_mp_state(int fd, uint32_t& state) override {
        if (fail_get_mp) return -*std::exchange(fail_get_mp, std::nullopt);
        state = vcpu(fd).mp_state;
        return 0;
    }
    int set_mp_state(int fd, uint32_t state) override {
        if (fail_set_mp) return -*std::exchange(fail_set_mp, std::nullopt);
        // arm64 takes RUNNABLE, STOPPED and (with the opt-in) SUSPENDED.
        if (state != kvm::KVM_MP_STATE_RUNNABLE && state != kvm::KVM_MP_STATE_STOPPED)
            return -EINVAL;
        vcpu(fd).mp_state = state;
        return 0;
    }
    static bool is_core(uint64_t id) {
        return (id & kvm::KVM_REG_ARM_COPROC_MASK) == kvm::KVM_REG_ARM_CORE;
    }
    int get_one_reg(int fd, uint64_t id, void* data) override {
        if (fail_reg && fail_reg->first == id)
            return -std::exchange(fail_reg, std::nullopt)->second;
        Vcpu& v = vcpu(fd);
        auto it = v.regs.find(id);
        if (it == v.regs.end()) {
            if (!is_core(id)) return -ENOENT;
            it = v.regs.emplace(id, std::array<uint8_t, 16>{}).first;
        }
        std::memcpy(data, it->second.data(), kvm::reg_size(id));
        return 0;
    }
    int set_one_reg(int fd, uint64_t id, const void* data) override {
        if (fail_reg && fail_reg->first == id)
            return -std::exchange(fail_reg, std::nullopt)->second;
        Vcpu& v = vcpu(fd);
        if (!is_core(id) && !v.regs.count(id)) return -ENOENT;
        std::array<uint8_t, 16> b{};
        std::memcpy(b.data(), data, kvm::reg_size(id));
        v.regs[id] = b;
        return 0;
    }
    int get_reg_list(int fd, std::vector<uint64_t>& ids) override {
        ids.clear();
        for (auto& [id, val] : vcpu(fd).regs)
            ids.push_back(id);
        return 0;
    }
    int run(int fd) override {
        std::function<void(kvm::Run&)> step;
        Vcpu* v;
        {
            std::lock_guard lk(mu);
            v = &vcpu(fd);
            v->runs++;
            if (v->run->immediate_exit) return -EINTR;
            if (!v->script.empty()) {
                step = std::move(v->script.front());
                v->script.pop_front();
            }
        }
        if (step) {
            step(*v->run);
        } else if (v->mp_state == kvm::KVM_MP_STATE_STOPPED) {
            // A powered-off vCPU (never turned on by PSCI CPU_ON here)
            // stays in KVM_RUN until it is kicked.
            while (!__atomic_load_n(&v->run->immediate_exit, __ATOMIC_ACQUIRE))
                std::this_thread::yield();
            return -EINTR;
        } else {
            v->run->exit_reason = kvm::KVM_EXIT_SYSTEM_EVENT;
            v->run->system_event.type = kvm::KVM_SYSTEM_EVENT_SHUTDOWN;
        }
        return 0;
    }
    int set_device_attr(int fd, uint32_t group, uint64_t attr, const void* data) override {
        if (fd != kVgicFd) return -ENXIO;
        std::lock_guard lk(mu);
        if (int e = injected_attr_failure(group, attr)) return e;
        return vgic.set_attr(group, attr, data);
    }
    int get_device_attr(int fd, uint32_t group, uint64_t attr, void* data) override {
        if (fd != kVgicFd) return -ENXIO;
        std::lock_guard lk(mu);
        if (int e = injected_attr_failure(group, attr)) return e;
        return vgic.get_attr(group, attr, data);
    }
    int has_device_attr(int fd, uint32_t group, uint64_t attr) override {
        if (fd != kVgicFd) return -ENXIO;
        return vgic.has_attr(group, attr);
    }
    void close(int) override {}

  private:
    int injected_attr_failure(uint32_t group, uint64_t attr) {
        if (!fail_attr || fail_attr->group != group || fail_attr->attr != attr) return 0;
        return -std::exchange(fail_attr, std::nullopt)->err;
    }
};

} // namespace kestrel::test
