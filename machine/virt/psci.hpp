// PSCI 1.1 firmware services over the SMCCC calling convention (HVC or SMC
// #0 from EL1): function ID in w0, arguments in x1..x3, result in x0.
// 32-bit (0x84xx_xxxx) calls take W-register arguments; 64-bit
// (0xC4xx_xxxx) calls take X registers.
#pragma once
#include "cpu/cpu.hpp"

#include <functional>
#include <vector>

namespace kestrel {

namespace psci {
enum : uint32_t {
    kVersion = 0x84000000,
    kCpuSuspend32 = 0x84000001,
    kCpuSuspend64 = 0xc4000001,
    kCpuOff = 0x84000002,
    kCpuOn32 = 0x84000003,
    kCpuOn64 = 0xc4000003,
    kAffinityInfo32 = 0x84000004,
    kAffinityInfo64 = 0xc4000004,
    kMigrate32 = 0x84000005,
    kMigrate64 = 0xc4000005,
    kMigrateInfoType = 0x84000006,
    kMigrateInfoUpCpu32 = 0x84000007,
    kMigrateInfoUpCpu64 = 0xc4000007,
    kSystemOff = 0x84000008,
    kSystemReset = 0x84000009,
    kFeatures = 0x8400000a,
};
// Return codes.
constexpr int64_t kSuccess = 0, kNotSupported = -1, kInvalidParameters = -2, kDenied = -3,
                  kAlreadyOn = -4, kOnPending = -5, kInternalFailure = -6, kNotPresent = -7,
                  kDisabled = -8, kInvalidAddress = -9;
constexpr uint64_t kVersion1_1 = 0x10001;
constexpr uint64_t kMigrateNotRequired = 2;
} // namespace psci

class Psci {
  public:
    explicit Psci(std::vector<Cpu*> cpus) : cpus_(std::move(cpus)) {}

    // Board actions; both are called on the calling core, which then stops
    // (the call throws CpuExit afterwards).
    std::function<void(Cpu&)> on_system_off;
    std::function<void(Cpu&)> on_system_reset;
    // Called after CPU_ON reset a core, before it runs (the board resyncs
    // the interrupt lines a core reset forgets).
    std::function<void(Cpu&)> on_cpu_reset;

    // Handles the call in the core's registers. Returns true (always: an
    // unknown SMCCC function answers NOT_SUPPORTED). Throws CpuExit when
    // the calling core stops (CPU_OFF, SYSTEM_OFF, SYSTEM_RESET).
    bool call(Cpu& caller);

    // The core whose MPIDR affinity fields match, or nullptr.
    Cpu* find_cpu(uint64_t mpidr) const;

  private:
    int64_t cpu_on(Cpu& caller, uint64_t target, uint64_t entry, uint64_t context);
    int64_t cpu_suspend(Cpu& c, uint64_t power_state);
    int64_t affinity_info(uint64_t target, uint64_t lowest_level) const;

    std::vector<Cpu*> cpus_;
};

} // namespace kestrel
