// Choosing the accelerator from -accel (a ':'-separated list tried in
// order, as in "-accel kvm:tcg") and what the host offers.
#pragma once
#include "accel/kvm/kvm_interface.hpp"

#include <string>
#include <vector>

namespace kestrel {

struct AccelDecision {
    bool kvm = false;
    std::string notice; // printed, the run goes on (a fallback)
    std::string error;  // printed, exit status 1
};

// wanted: accelerator names in order of preference ("kvm", "tcg").
// cpu_host: -cpu host was given (only KVM can offer it).
AccelDecision choose_accelerator(const std::vector<std::string>& wanted, bool cpu_host,
                                 const KvmAvailability& kvm);

} // namespace kestrel
