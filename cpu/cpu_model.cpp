// CPU models. ID registers advertise only what Kestrel implements; each
// feature bit the decoder checks is derived from them, so the two never
// disagree.
#include "cpu/cpu_model.hpp"

namespace kestrel {

namespace {

uint64_t field(uint64_t reg, unsigned lsb) { return (reg >> lsb) & 0xf; }

uint64_t derive_features(const CpuModel& m) {
    uint64_t f = feature_bit(Feature::Base);
    auto set = [&f](Feature x, bool on) {
        if (on) f |= feature_bit(x);
    };
    set(Feature::FP, field(m.id_aa64pfr0, 16) != 0xf);
    set(Feature::AdvSIMD, field(m.id_aa64pfr0, 20) != 0xf);
    set(Feature::FP16, field(m.id_aa64pfr0, 16) == 1);
    set(Feature::AES, field(m.id_aa64isar0, 4) >= 1);
    set(Feature::PMULL, field(m.id_aa64isar0, 4) >= 2);
    set(Feature::SHA1, field(m.id_aa64isar0, 8) >= 1);
    set(Feature::SHA256, field(m.id_aa64isar0, 12) >= 1);
    set(Feature::SHA512, field(m.id_aa64isar0, 12) >= 2);
    set(Feature::CRC32, field(m.id_aa64isar0, 16) >= 1);
    set(Feature::LSE, field(m.id_aa64isar0, 20) >= 2);
    set(Feature::RDM, field(m.id_aa64isar0, 28) >= 1);
    set(Feature::SHA3, field(m.id_aa64isar0, 32) >= 1);
    set(Feature::SM3, field(m.id_aa64isar0, 36) >= 1);
    set(Feature::SM4, field(m.id_aa64isar0, 40) >= 1);
    set(Feature::DotProd, field(m.id_aa64isar0, 44) >= 1);
    set(Feature::FlagM, field(m.id_aa64isar0, 52) >= 1);
    set(Feature::JSCVT, field(m.id_aa64isar1, 12) >= 1);
    set(Feature::FCMA, field(m.id_aa64isar1, 16) >= 1);
    set(Feature::LRCPC, field(m.id_aa64isar1, 20) >= 1);
    set(Feature::FRINTTS, field(m.id_aa64isar1, 32) >= 1);
    set(Feature::SB, field(m.id_aa64isar1, 36) >= 1);
    set(Feature::PAN, field(m.id_aa64mmfr1, 20) >= 1);
    set(Feature::ATS1E1, field(m.id_aa64mmfr1, 20) >= 2);
    return f;
}

CpuModel base_model(const char* name, uint64_t midr) {
    CpuModel m;
    m.name = name;
    m.midr = midr;
    // EL0 and EL1 AArch64 only; FP and AdvSIMD implemented without FP16 (0).
    m.id_aa64pfr0 = 0x0000000000000011ull;
    // GIC = 1: the GICv3 system-register interface (ICC_*) is implemented.
    m.id_aa64pfr0 |= 1ull << 24;
    // PARange 48 bits, 16-bit ASIDs, little-endian only, 4 KiB / 16 KiB /
    // 64 KiB granules.
    m.id_aa64mmfr0 = 0x0000000000101025ull;
    m.id_aa64dfr0 = 0x0000000010305106ull;
    m.ctr_el0 = 0x8444c004ull;
    m.clidr = 0x0a200023ull;
    m.dczid = 0x04; // DC ZVA permitted, 64-byte blocks
    // CRC32 = 1: CRC32* and CRC32C* (the real cores implement them).
    m.id_aa64isar0 |= 1ull << 16;
    return m;
}

} // namespace

std::optional<CpuModel> find_cpu_model(std::string_view name) {
    CpuModel m;
    if (name == "cortex-a57") {
        m = base_model("cortex-a57", 0x411fd070ull);
    } else if (name == "cortex-a72") {
        m = base_model("cortex-a72", 0x410fd083ull);
    } else if (name == "max") {
        m = base_model("max", 0x411fd070ull);
        m.id_aa64mmfr1 |= 1ull << 20; // FEAT_PAN
        m.id_aa64isar0 |= 2ull << 20; // Atomic: LSE (v8.1 atomics)
    } else {
        return std::nullopt;
    }
    // Crypto extension (all three models): AES=2 (AES+PMULL), SHA1=1,
    // SHA2=1. Advertised only together with AdvSIMD, since software that
    // sees these also uses the plain SIMD instructions.
    if (field(m.id_aa64pfr0, 20) != 0xf) m.id_aa64isar0 |= (2ull << 4) | (1ull << 8) | (1ull << 12);
    m.features = derive_features(m);
    return m;
}

std::string cpu_model_names() { return "cortex-a57 cortex-a72 max"; }

} // namespace kestrel
