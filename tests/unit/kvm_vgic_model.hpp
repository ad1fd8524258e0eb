// A model of the Linux kernel's vGICv3 as user space sees it through
// KVM_{SET,GET,HAS}_DEVICE_ATTR and KVM_IRQ_LINE, so the KVM-backed GIC can
// be tested without an arm64 host. It keeps state the way the kernel does
// (per-interrupt pending latch, line level, 5-bit priorities, VMCR fields,
// Aff2..0 routes) and follows the kernel's user-access rules, including the
// three generations of GICD_TYPER2 handling:
//
//   PreGicV41  (before ~5.7): TYPER2 reads 0, writes are ignored;
//              GICD_CTLR.nASSGIreq does not exist.
//   V57to616   (~5.7..6.16): TYPER2 reads nASSGIcap on a GICv4.1 host with
//              vSGI support, else 0; a write of any other value: -EINVAL.
//   V617       (6.17+): TYPER2 reads the per-VM nASSGIcap (starting as the
//              host's); an equal write is accepted; otherwise -EBUSY once
//              the vGIC is initialised, -EINVAL for a bit other than
//              nASSGIcap or for nASSGIcap=1 on a host without direct vSGIs,
//              else the VM's nASSGIcap is changed. IIDR and TYPER2 are the
//              only registers reachable before CTRL_INIT.
//
// GICD_STATUSR reads all ones and GICR_STATUSR zero, both ignore writes
// (the kernel's register tables; found first on a real 6.1 kernel, where
// the documented "set directly" user access does not exist).
//
// Before CTRL_INIT every register access is -EBUSY (on V617 except GICD_IIDR
// and GICD_TYPER2). Offsets the kernel does not know: -ENXIO.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kestrel::test {

enum class KernelBehaviour { PreGicV41, V57to616, V617 };
enum class HostGic { V3, V41Vsgi };

const char* behaviour_name(KernelBehaviour b);

struct VgicHost {
    HostGic gic = HostGic::V3;
    unsigned pri_bits = 5; // ICH_VTR_EL2.PRIbits + 1
    bool a3v = true;
    bool seis = false;
};

class VgicModel {
  public:
    VgicModel(KernelBehaviour behaviour, VgicHost host);

    // The fake KVM calls these.
    void add_vcpu(uint64_t mpidr);
    int set_attr(uint32_t group, uint64_t attr, const void* data);
    int get_attr(uint32_t group, uint64_t attr, void* data);
    int has_attr(uint32_t group, uint64_t attr);
    int irq_line(uint32_t irq, bool level);

    // --- introspection for tests ------------------------------------------
    struct Access {
        bool write;
        uint32_t group;
        uint64_t attr;
        uint64_t value;
        bool initialized; // vGIC state when the access was made
        int result;
    };
    std::vector<Access> log;
    // Accesses to one distributor register offset (DIST_REGS group).
    std::vector<Access> dist_accesses(uint64_t offset, bool writes_only = true) const;
    bool initialized() const { return initialized_; }
    uint32_t typer2() const;
    bool vm_nassgicap() const { return vm_nassgicap_; }
    unsigned nr_irqs() const { return nr_irqs_; }
    // Direct access to the kernel-side state (e.g. a device raising a line).
    bool spi_line(unsigned intid) const { return irqs_[intid].line; }
    bool spi_latch(unsigned intid) const { return irqs_[intid].latch; }

  private:
    struct Irq {
        bool group = false, enabled = false, latch = false, active = false;
        bool edge = false, line = false;
        uint8_t priority = 0;
        uint32_t route = 0; // Aff2.Aff1.Aff0
    };
    struct Vcpu {
        uint64_t mpidr = 0;
        Irq priv[32];
        uint64_t pendbaser = 0;
        bool lpis = false;
        // The CPU interface, as the kernel keeps it (VMCR fields, APRs).
        uint32_t pmr = 0, bpr0 = 0, bpr1 = 0;
        bool cbpr = false, eoim = false, grpen0 = false, grpen1 = false;
        unsigned num_pri_bits = 5, num_id_bits = 0;
        uint32_t ap0r[4] = {}, ap1r[4] = {};
    };

    bool pre_init_ok(uint32_t group, uint64_t attr) const;
    int vcpu_of(uint64_t attr) const;
    int dist_read(uint64_t off, uint32_t& v);
    int dist_write(uint64_t off, uint32_t v);
    int redist_read(Vcpu& c, unsigned idx, uint64_t off, uint32_t& v);
    int redist_write(Vcpu& c, uint64_t off, uint32_t v);
    int sysreg_read(Vcpu& c, uint32_t enc, uint64_t& v);
    int sysreg_write(Vcpu& c, uint32_t enc, uint64_t v);
    uint32_t bitmap_read(const Irq* irqs, unsigned first, bool Irq::*bit) const;
    void bitmap_write(Irq* irqs, unsigned first, uint32_t v, bool Irq::*bit, int mode);
    Irq* irq_block(unsigned word, Vcpu* c);
    bool host_vsgi() const { return host_.gic == HostGic::V41Vsgi; }
    uint8_t pri_mask() const;

    KernelBehaviour behaviour_;
    VgicHost host_;
    std::vector<Vcpu> vcpus_;
    std::vector<Irq> irqs_; // indexed by INTID; 0..31 unused (private)
    unsigned nr_irqs_ = 0;
    bool initialized_ = false;
    bool dist_addr_set_ = false, redist_addr_set_ = false;
    unsigned implementation_rev_ = 3;
    bool enabled_ = false, nassgireq_ = false;
    uint64_t propbaser_ = 0;
    bool vm_nassgicap_ = false;
};

} // namespace kestrel::test
