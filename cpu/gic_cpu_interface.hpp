// The CPU-side view of an interrupt controller's system-register interface
// (ICC_*_EL1). cpu/ only knows this abstract class; the GIC (intc/gicv3/)
// implements it, so the core does not depend on the controller.
#pragma once
#include <cstdint>

namespace kestrel {

// The ICC registers a core can reach with MRS/MSR at EL1.
enum class IccReg : uint8_t {
    IAR0,
    IAR1,
    EOIR0,
    EOIR1,
    HPPIR0,
    HPPIR1,
    BPR0,
    BPR1,
    DIR,
    PMR,
    RPR,
    CTLR,
    SRE,
    IGRPEN0,
    IGRPEN1,
    AP0R0,
    AP1R0,
    SGI0R,
    SGI1R,
    ASGI1R,
    SRE_EL2,
};

class GicCpuInterface {
  public:
    virtual ~GicCpuInterface() = default;
    // cpu is the core's index (Cpu::index).
    virtual uint64_t icc_read(unsigned cpu, IccReg reg) = 0;
    virtual void icc_write(unsigned cpu, IccReg reg, uint64_t value) = 0;
};

} // namespace kestrel
