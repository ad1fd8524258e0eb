// Configuration of a GICv3/GICv4.1: chosen once per machine; every ID
// register is derived from it.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace kestrel {

enum class GicVersion : uint8_t { V3, V4_1 };

// A configuration the GIC cannot be built with; the board reports it.
class GicConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct GicConfig {
    GicVersion version = GicVersion::V3;
    // Total INTIDs below the LPI range, including the 32 SGIs/PPIs: a
    // multiple of 32 between 64 and 1024 (INTIDs 1020..1023 are special and
    // never implemented). 256 as on the common virt board (224 SPIs).
    unsigned num_irqs = 256;
    // MPIDR_EL1 of each core, one redistributor each, in order.
    std::vector<uint64_t> cpu_mpidr = {0x80000000};

    unsigned num_cpus() const { return static_cast<unsigned>(cpu_mpidr.size()); }
    bool v4() const { return version == GicVersion::V4_1; }
    // Bytes of one redistributor: RD + SGI frames, plus VLPI + reserved on v4.
    uint64_t redist_stride() const { return v4() ? 0x40000 : 0x20000; }
    // Highest SPI INTID + 1 (never beyond 1020).
    unsigned spi_limit() const { return num_irqs > 1020 ? 1020 : num_irqs; }

    // Throws GicConfigError naming the problem.
    void validate() const;
    // MPIDR values the virt board gives its cores: Aff0 = index % 16,
    // Aff1 = index / 16, bit 31 RES1.
    static std::vector<uint64_t> virt_mpidrs(unsigned ncpus);
};

// The vPEID width advertised on GICv4.1 (GICD_TYPER2.VID + 1 with VIL = 1).
constexpr unsigned kGicVpeIdBits = 16;

} // namespace kestrel
