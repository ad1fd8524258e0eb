// The GIC of a KVM guest: the kernel's vGICv3 (KVM_DEV_TYPE_ARM_VGIC_V3),
// driven through KvmInterface. Its state travels as the same GicV3State the
// software GIC uses (intc/gicv3/gic_state.hpp): pull_from_kernel() and
// push_to_kernel() translate between the two, so a snapshot means the same
// thing whichever accelerator wrote it.
//
// Life cycle (the kernel's order): the vCPUs exist -> create() (device,
// addresses, NR_IRQS, the ID registers the kernel shows before init) ->
// optionally prepare_restore() of a start-up snapshot (-loadvm, -incoming),
// which may write GICD_TYPER2 before init -> init() (CTRL_INIT, reset) ->
// run. A running VM restores with prepare_restore() (no side effects) then
// push_to_kernel().
//
// GICD_TYPER2 is an ID register: its value is the kernel's, read before any
// push, and a reset never writes it. A snapshot's TYPER2 is written only so
// that the kernel can validate that this VM's GIC configuration is one it
// can offer (see docs/kvm.md).
#pragma once
#include "accel/kvm/kvm_interface.hpp"
#include "intc/gicv3/gic_config.hpp"
#include "intc/gicv3/gic_state.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kestrel {

// An ioctl on the vGIC failed; the message names the register and errno.
class KvmGicError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct KvmGicLayout {
    uint64_t dist_base = 0x0800'0000;
    uint64_t redist_base = 0x080a'0000;
    uint64_t redist_region_size = 0x00f6'0000;
};

// The outcome of checking a snapshot's GIC state against the kernel.
struct GicRestoreCheck {
    std::optional<std::string> error; // set: the load must fail with this message
    std::vector<std::string> warnings;
};

class KvmGic {
  public:
    // cfg.num_irqs and cfg.cpu_mpidr (one per vCPU, as KVM assigns them;
    // GicConfig::virt_mpidrs() matches KVM's default). cfg.version must be
    // V3: the kernel's vGIC is a GICv3 (a GICv4.1 host only adds
    // GICD_TYPER2.nASSGIcap). Throws GicConfigError otherwise.
    KvmGic(KvmInterface& kvm, int vm_fd, const GicConfig& cfg, const KvmGicLayout& layout = {});
    ~KvmGic();
    KvmGic(const KvmGic&) = delete;
    KvmGic& operator=(const KvmGic&) = delete;

    // KVM_CREATE_DEVICE, distributor/redistributor addresses, NR_IRQS; reads
    // GICD_IIDR and GICD_TYPER2 when the kernel allows it before init.
    // Throws KvmGicError.
    void create();
    // KVM_DEV_ARM_VGIC_CTRL_INIT (after every vCPU exists), then the ID
    // registers (TYPER2 too if it could not be read before) and the reset
    // state. Throws KvmGicError.
    void init();
    bool initialized() const { return initialized_; }
    // Whether the kernel let us read TYPER2 before CTRL_INIT (6.17+).
    bool typer2_before_init() const { return typer2_pre_init_; }

    // The kernel's GICD_TYPER2 for this VM: the reset value.
    uint32_t kernel_typer2() const { return state_ids_.gicd_typer2; }
    // The architectural reset state with this kernel's ID registers.
    GicV3State reset_state() const;
    // Board reset: pushes reset_state() (every register but the ID
    // registers: TYPER2 in particular is never written by a reset).
    std::optional<std::string> reset();

    // An SPI input line (INTID 32..) through KVM_IRQ_LINE. Errors are
    // counted (line_errors()) and reported once, never fatal.
    void set_spi(unsigned intid, bool level);
    uint64_t line_errors() const { return line_errors_; }

    // --- save / restore (every result: an error message or nothing) --------
    // KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES: LPI pending bits to guest RAM.
    // Call before guest RAM is saved.
    std::optional<std::string> save_pending_tables();
    std::optional<std::string> pull_from_kernel(GicV3State& out);
    // Checks a snapshot's state before anything of the running VM changes:
    // geometry, the ID registers the kernel validates (IIDR, TYPER2) and
    // what the kernel's vGIC cannot hold (warnings). Before init (a
    // start-up restore) a differing TYPER2 is written now, before
    // CTRL_INIT, so a kernel that allows it can take the snapshot's value.
    GicRestoreCheck prepare_restore(const GicV3State& staged);
    // Writes a state into the kernel in its required order: ID registers,
    // GICD_CTLR, redistributors (PROPBASER/PENDBASER before GICR_CTLR),
    // distributor, CPU interfaces. Initialises the vGIC first if needed.
    std::optional<std::string> push_to_kernel(const GicV3State& st);

    const GicConfig& config() const { return cfg_; }
    int device_fd() const { return dev_fd_; }
    // Where warnings go (default: stderr, prefixed "kestrel: ").
    std::function<void(const std::string&)> warn;

  private:
    uint32_t dist_get(uint64_t off);
    void dist_set(uint64_t off, uint32_t v);
    uint32_t redist_get(unsigned cpu, uint64_t off);
    void redist_set(unsigned cpu, uint64_t off, uint32_t v);
    uint64_t icc_get(unsigned cpu, uint32_t enc);
    void icc_set(unsigned cpu, uint32_t enc, uint64_t v);
    uint32_t level_get(unsigned cpu, unsigned first_intid);
    void level_set(unsigned cpu, unsigned first_intid, uint32_t v);
    void read_id_registers();
    void pull(GicV3State& out);
    void push(const GicV3State& st, bool write_ids);
    void push_redistributor(unsigned cpu, const GicV3CpuState& c);
    void push_distributor(const GicV3State& st);
    void push_cpu_interface(unsigned cpu, const GicV3CpuState& c);
    int write_typer2(uint32_t v);
    std::string typer2_refusal(uint32_t source, int ret, bool running) const;
    void report(const std::string& msg) const;

    KvmInterface& kvm_;
    int vm_fd_;
    GicConfig cfg_;
    KvmGicLayout layout_;
    int dev_fd_ = -1;
    bool initialized_ = false;
    bool typer2_pre_init_ = false;
    bool iidr_known_ = false;
    // The ID registers as this kernel reports them (other fields unused).
    GicV3State state_ids_;
    // ICC_CTLR_EL1 of each vCPU as the kernel reports it after init (its
    // read-only fields are the host's capabilities).
    std::vector<uint64_t> kernel_icc_ctlr_;
    uint64_t line_errors_ = 0;
    // SPI levels raised before CTRL_INIT (the kernel would initialise the
    // vGIC on the first KVM_IRQ_LINE); replayed by init().
    std::vector<uint8_t> early_lines_;
};

// The ICC_* system register encodings (op0:op1:CRn:CRm:op2) of the vGIC's
// KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS group.
namespace icc_enc {
constexpr uint32_t enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
constexpr uint32_t PMR = enc(3, 0, 4, 6, 0), BPR0 = enc(3, 0, 12, 8, 3),
                   AP0R0 = enc(3, 0, 12, 8, 4), AP1R0 = enc(3, 0, 12, 9, 0),
                   BPR1 = enc(3, 0, 12, 12, 3), CTLR = enc(3, 0, 12, 12, 4),
                   SRE = enc(3, 0, 12, 12, 5), IGRPEN0 = enc(3, 0, 12, 12, 6),
                   IGRPEN1 = enc(3, 0, 12, 12, 7);
// AP0R<n> = AP0R0 + n, AP1R<n> = AP1R0 + n.
} // namespace icc_enc

} // namespace kestrel
