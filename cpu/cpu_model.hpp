// CPU models: identification registers and the features they advertise.
#pragma once
#include "cpu/decoder.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kestrel {

struct CpuModel {
    std::string name;
    uint64_t midr = 0;
    uint64_t revidr = 0;
    uint64_t id_aa64pfr0 = 0;
    uint64_t id_aa64pfr1 = 0;
    uint64_t id_aa64dfr0 = 0;
    uint64_t id_aa64dfr1 = 0;
    uint64_t id_aa64isar0 = 0;
    uint64_t id_aa64isar1 = 0;
    uint64_t id_aa64isar2 = 0;
    uint64_t id_aa64mmfr0 = 0;
    uint64_t id_aa64mmfr1 = 0;
    uint64_t id_aa64mmfr2 = 0;
    uint64_t id_aa64zfr0 = 0;
    uint64_t ctr_el0 = 0;
    uint64_t clidr = 0;
    uint64_t dczid = 0;
    uint64_t features = 0; // feature_bit() mask, derived from the ID registers

    bool has(Feature f) const { return features & feature_bit(f); }
};

// Returns the named model ("cortex-a57", "cortex-a72", "max"), or nothing.
std::optional<CpuModel> find_cpu_model(std::string_view name);
// Names of all models, for -cpu help.
std::string cpu_model_names();

} // namespace kestrel
