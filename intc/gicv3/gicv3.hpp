// Kestrel's software GICv3 / GICv4.1: distributor, one redistributor per
// core, the CPU interfaces (ICC_* system registers) and one ITS.
//
// Behaviour lives in separate files: distributor.cpp, redistributor.cpp,
// lpi.cpp, cpu_interface.cpp, its.cpp, gic_reset.cpp; this class ties them
// together. Its state is one GicV3State (gic_state.hpp); everything else in
// here is a cache recomputed from that state and the LPI tables in RAM.
//
// Threading: every entry point takes the GIC's lock, so devices may raise
// lines from any thread. on_line_change is called with the lock held and
// must not call back into the GIC.
#pragma once
#include "cpu/gic_cpu_interface.hpp"
#include "hw/device.hpp"
#include "intc/gicv3/gic_config.hpp"
#include "intc/gicv3/gic_state.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace kestrel {

class Bus;
class Cpu;

// Where the GIC's frames sit in the physical address space. The virt board
// uses machine/virt/memory_map.hpp: {kGicDistBase, kGicRedistBase,
// kGicRedistSize, kGicItsBase}.
struct GicV3Layout {
    uint64_t dist_base = 0x0800'0000;
    uint64_t redist_base = 0x080a'0000;
    uint64_t redist_region_size = 0x00f6'0000; // must hold every redistributor
    uint64_t its_base = 0x0808'0000;
};

constexpr uint64_t kGicDistFrameSize = 0x1'0000;
constexpr uint64_t kGicItsFrameSize = 0x2'0000;

class GicV3 final : public GicCpuInterface {
  public:
    // Throws GicConfigError for an impossible configuration.
    explicit GicV3(const GicConfig& cfg);
    ~GicV3() override;
    GicV3(const GicV3&) = delete;
    GicV3& operator=(const GicV3&) = delete;

    // Maps distributor, redistributors and ITS on the bus and wires the
    // cores: cpus[i] gets redistributor i (its MPIDR must match the
    // configuration), Cpu::gic points here and Cpu::irq_line/fiq_line follow
    // the GIC. LPI tables are read from and written to this bus. Throws
    // GicConfigError when the cores or the layout do not fit, BusError on
    // overlap.
    void attach(Bus& bus, const std::vector<Cpu*>& cpus, const GicV3Layout& layout = {});
    // Only the bus (for unit tests that drive the GIC without cores).
    void attach_bus(Bus& bus) { bus_ = &bus; }

    // --- inputs from devices ---------------------------------------------
    // Level of an SPI input line (INTID 32..). Edge-triggered SPIs latch a
    // pending state on a rising edge.
    void set_spi(unsigned intid, bool level);
    // Level of a PPI input (INTID 16..31) of one core, e.g. timers 30/27.
    void set_ppi(unsigned cpu, unsigned intid, bool level);
    // A message-signalled interrupt: a write of event_id to GITS_TRANSLATER
    // by the device device_id. Returns false when the ITS dropped it.
    bool send_msi(uint32_t device_id, uint32_t event_id);

    // Called whenever the IRQ or FIQ output of a core changes (the board
    // kicks the executor from it).
    std::function<void(unsigned cpu)> on_line_change;

    // --- CPU interface (GicCpuInterface) -----------------------------------
    uint64_t icc_read(unsigned cpu, IccReg reg) override;
    void icc_write(unsigned cpu, IccReg reg, uint64_t value) override;

    // --- MMIO (offsets relative to each frame group's base) ----------------
    MemResult dist_read(uint64_t off, unsigned size, uint64_t& value);
    MemResult dist_write(uint64_t off, unsigned size, uint64_t value);
    MemResult redist_read(uint64_t off, unsigned size, uint64_t& value);
    MemResult redist_write(uint64_t off, unsigned size, uint64_t value);
    MemResult its_read(uint64_t off, unsigned size, uint64_t& value);
    MemResult its_write(uint64_t off, unsigned size, uint64_t value);

    // --- state ---------------------------------------------------------------
    // Architectural reset: every register to its reset value, ID registers
    // unchanged. Input line levels are kept (the devices still drive them).
    void reset();
    const GicConfig& config() const { return cfg_; }
    const GicV3State& state() const { return s_; }
    // For savevm. load_state() checks, installs and rebuilds the caches (LPI
    // pending sets are read back from the pending tables); on a mismatch it
    // throws GicConfigError and leaves the running state untouched.
    // state_mismatch() returns why a state does not fit ("" = fits).
    void load_state(const GicV3State& st);
    std::string state_mismatch(const GicV3State& candidate) const;
    // Field-by-field loaders write mutable_state(), then call state_loaded()
    // (which, on a mismatch, resets the GIC and throws GicConfigError).
    GicV3State& mutable_state() { return s_; }
    void state_loaded();

    // Output lines as the GIC drives them (also mirrored to the cores).
    bool irq_out(unsigned cpu) const;
    bool fiq_out(unsigned cpu) const;
    // Guest programming errors seen so far (bad offsets, widths, commands).
    uint64_t guest_errors() const { return guest_errors_; }
    // Guest-error lines go to stderr (rate-limited) when enabled (default).
    static void set_guest_error_logging(bool on);

    Device& dist_device() { return *dist_dev_; }
    Device& redist_device() { return *redist_dev_; }
    Device& its_device() { return *its_dev_; }

  private:
    struct CpuCache {
        uint32_t hppi = 1023; // highest-priority pending interrupt, or 1023
        uint8_t hppi_prio = 0xff;
        uint8_t hppi_group = 0;
        bool irq = false, fiq = false;
        std::set<uint32_t> lpis; // pending LPIs (mirror of the pending table)
    };
    struct Candidate {
        uint32_t intid = 1023;
        uint8_t prio = 0xff;
        uint8_t group = 0;
    };

    // gicv3.cpp: line computation
    void update();
    bool group_enabled(unsigned cpu, unsigned group) const;
    int cpu_for_affinity(uint64_t aff) const;
    void guest_error(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

    // distributor.cpp
    uint32_t dist_read32(uint64_t off, bool& ok);
    void dist_write32(uint64_t off, uint32_t v, bool& ok);
    uint32_t spi_pending_word(unsigned w) const;

    // redistributor.cpp
    MemResult rd_frame_access(unsigned cpu, uint64_t off, unsigned size, uint64_t& value,
                              bool write);
    MemResult sgi_frame_access(unsigned cpu, uint64_t off, unsigned size, uint64_t& value,
                               bool write);
    MemResult vlpi_frame_access(unsigned cpu, uint64_t off, unsigned size, uint64_t& value,
                                bool write);
    uint32_t gicr_ctlr_value(unsigned cpu) const;
    void write_gicr_ctlr(unsigned cpu, uint32_t v);

    // lpi.cpp: LPI tables in guest RAM
    unsigned lpi_id_bits(unsigned cpu) const;
    bool lpi_in_range(unsigned cpu, uint32_t intid) const;
    bool lpi_config(unsigned cpu, uint32_t intid, uint8_t& prio) const;
    void set_lpi_pending(unsigned cpu, uint32_t intid, bool pending);
    void rebuild_lpi_cache(unsigned cpu);

    // cpu_interface.cpp
    uint8_t running_priority(unsigned cpu) const;
    uint8_t group_priority_mask(unsigned cpu, unsigned group) const;
    bool can_signal(unsigned cpu, uint8_t prio, unsigned group) const;
    uint32_t acknowledge(unsigned cpu, unsigned group);
    void end_of_interrupt(unsigned cpu, unsigned group, uint32_t intid);
    void deactivate(unsigned cpu, uint32_t intid);
    void generate_sgi(unsigned cpu, uint64_t value, IccReg reg);
    uint32_t hppir(unsigned cpu, unsigned group) const;

    // its.cpp
    uint64_t its_reg_read(uint64_t off, bool& ok);
    void its_reg_write(uint64_t off, uint64_t v, unsigned size, bool& ok);
    void its_process_queue();
    bool its_execute(const uint64_t cmd[4]);
    bool its_translate(uint32_t device_id, uint32_t event_id, unsigned& cpu, uint32_t& intid);
    uint64_t its_table_base(unsigned n) const;
    uint64_t its_table_size(unsigned n) const;

    GicConfig cfg_;
    GicV3State s_;
    std::vector<CpuCache> cache_;
    std::vector<Cpu*> cpus_;
    Bus* bus_ = nullptr;
    uint64_t guest_errors_ = 0;
    mutable std::recursive_mutex mu_;
    std::unique_ptr<Device> dist_dev_, redist_dev_, its_dev_;
};

} // namespace kestrel
