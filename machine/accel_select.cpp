#include "machine/accel_select.hpp"

namespace kestrel {

AccelDecision choose_accelerator(const std::vector<std::string>& wanted, bool cpu_host,
                                 const KvmAvailability& kvm) {
    AccelDecision d;
    for (size_t i = 0; i < wanted.size(); i++) {
        const bool last = i + 1 == wanted.size();
        if (wanted[i] == "kvm") {
            if (kvm.status == KvmAvailability::Ok) {
                d.kvm = true;
                return d;
            }
            if (last) {
                d.error = "-accel kvm: " + kvm.message;
                return d;
            }
            d.notice = kvm.message + "; falling back to " + wanted[i + 1];
            continue;
        }
        // tcg
        if (cpu_host) {
            d.error = "-cpu host is only available with -accel kvm (the host CPU cannot be "
                      "emulated; choose a model with -cpu help)";
            if (!d.notice.empty()) d.error = d.notice + "; " + d.error;
            d.notice.clear();
        }
        return d;
    }
    d.error = "no accelerator given";
    return d;
}

} // namespace kestrel
