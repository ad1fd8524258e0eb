#include "tests/unit/kvm_vgic_model.hpp"

#include "accel/kvm/kvm_abi.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kestrel::test {

using namespace kvm;

namespace {

constexpr uint32_t kNassgiCap = 1u << 8;
constexpr uint32_t kIidrBase = 0x4b00'043b; // ProductID KVM, implementer Arm
constexpr uint64_t kSgiFrame = 0x10000;
// INITIAL_PROPBASER_VALUE / INITIAL_PENDBASER_VALUE: InnerShareable, RaWb.
constexpr uint64_t kInitialBaser = (1ull << 10) | (3ull << 7);

enum : int { kSet = 0, kClear = 1, kExact = 2 };

constexpr uint32_t enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
constexpr uint32_t PMR = enc(3, 0, 4, 6, 0), BPR0 = enc(3, 0, 12, 8, 3),
                   AP0R0 = enc(3, 0, 12, 8, 4), AP1R0 = enc(3, 0, 12, 9, 0),
                   BPR1 = enc(3, 0, 12, 12, 3), CTLR = enc(3, 0, 12, 12, 4),
                   SRE = enc(3, 0, 12, 12, 5), IGRPEN0 = enc(3, 0, 12, 12, 6),
                   IGRPEN1 = enc(3, 0, 12, 12, 7);

unsigned max_apr_idx(unsigned pri_bits) {
    return pri_bits >= 7 ? 3 : pri_bits == 6 ? 1 : 0;
}

// The kernel's sanitising of GICR_PROPBASER/PENDBASER cacheability and
// shareability fields, then its RES0 masks.
uint64_t sanitise(uint64_t reg, bool pend) {
    uint64_t sh = (reg >> 10) & 3;
    if (sh == 2) sh = 1; // OuterShareable -> InnerShareable
    uint64_t inner = (reg >> 7) & 7;
    if (inner == 0 || inner == 1) inner = 3; // nCnB/nC -> RaWb
    uint64_t outer = (reg >> 56) & 7;
    if (outer != 0 && outer != 1) outer = 0; // -> SameAsInner
    reg = (reg & ~((3ull << 10) | (7ull << 7) | (7ull << 56))) | (sh << 10) | (inner << 7) |
          (outer << 56);
    const uint64_t res0 =
        pend ? (1ull << 63) | (7ull << 59) | (0xfull << 52) | (0xfull << 12) | 0x7full
             : (0x1full << 59) | (0xfull << 52) | (3ull << 5);
    return reg & ~res0;
}

} // namespace

const char* behaviour_name(KernelBehaviour b) {
    switch (b) {
    case KernelBehaviour::PreGicV41: return "kernel before GICv4.1 support";
    case KernelBehaviour::V57to616: return "kernel 5.7..6.16";
    case KernelBehaviour::V617: return "kernel 6.17+";
    }
    return "?";
}

VgicModel::VgicModel(KernelBehaviour behaviour, VgicHost host)
    : behaviour_(behaviour), host_(host) {
    vm_nassgicap_ = behaviour_ != KernelBehaviour::PreGicV41 && host_vsgi();
    // PROPBASER starts at 0 (then sanitised on the first write), PENDBASER
    // at the kernel's initial value, as a 6.1 kernel shows them.
    propbaser_ = 0;
}

void VgicModel::add_vcpu(uint64_t mpidr) {
    Vcpu c;
    c.mpidr = mpidr;
    c.num_pri_bits = host_.pri_bits;
    c.pendbaser = kInitialBaser;
    for (unsigned i = 0; i < 16; i++)
        c.priv[i].edge = true; // SGIs
    vcpus_.push_back(c);
}

uint32_t VgicModel::typer2() const {
    switch (behaviour_) {
    case KernelBehaviour::PreGicV41: return 0;
    case KernelBehaviour::V57to616: return host_vsgi() ? kNassgiCap : 0;
    case KernelBehaviour::V617: return vm_nassgicap_ ? kNassgiCap : 0;
    }
    return 0;
}

uint8_t VgicModel::pri_mask() const {
    return static_cast<uint8_t>(0xff << (8 - 5)); // VGIC_PRI_BITS = 5
}

std::vector<VgicModel::Access> VgicModel::dist_accesses(uint64_t offset, bool writes_only) const {
    std::vector<Access> out;
    for (const Access& a : log)
        if (a.group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS && (a.attr & 0xffffffff) == offset &&
            (a.write || !writes_only))
            out.push_back(a);
    return out;
}

bool VgicModel::pre_init_ok(uint32_t group, uint64_t attr) const {
    if (behaviour_ != KernelBehaviour::V617 || group != KVM_DEV_ARM_VGIC_GRP_DIST_REGS)
        return false;
    const uint64_t off = attr & 0xffffffff;
    return off == 0x8 || off == 0xc; // GICD_IIDR, GICD_TYPER2
}

int VgicModel::vcpu_of(uint64_t attr) const {
    const uint64_t aff = attr >> 32;
    for (size_t i = 0; i < vcpus_.size(); i++) {
        const uint64_t m = vcpus_[i].mpidr;
        if (((((m >> 32) & 0xff) << 24) | (m & 0xffffff)) == aff) return static_cast<int>(i);
    }
    return -1;
}

VgicModel::Irq* VgicModel::irq_block(unsigned word, Vcpu* c) {
    if (word == 0) return c ? c->priv : nullptr;
    if (32 * word >= nr_irqs_) return nullptr;
    return &irqs_[32 * word];
}

uint32_t VgicModel::bitmap_read(const Irq* irqs, unsigned, bool Irq::*bit) const {
    if (!irqs) return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < 32; i++)
        if (irqs[i].*bit) v |= 1u << i;
    return v;
}

void VgicModel::bitmap_write(Irq* irqs, unsigned, uint32_t v, bool Irq::*bit, int mode) {
    if (!irqs) return;
    for (unsigned i = 0; i < 32; i++) {
        const bool set = v & (1u << i);
        if (mode == kExact)
            irqs[i].*bit = set;
        else if (set)
            irqs[i].*bit = mode == kSet;
    }
}

// --- distributor ----------------------------------------------------------------

int VgicModel::dist_read(uint64_t off, uint32_t& v) {
    v = 0;
    if (off == 0x0) {
        v = (enabled_ ? 2u : 0u) | 0x10 | 0x40 | (nassgireq_ ? 0x100u : 0u);
    } else if (off == 0x4) {
        v = ((nr_irqs_ >> 5) - 1) | (9u << 19); // no ITS: 10 INTID bits
    } else if (off == 0x8) {
        v = kIidrBase | (implementation_rev_ << 12);
    } else if (off == 0xc) {
        v = typer2();
    } else if (off == 0x10) {
        v = 0xffffffff; // GICD_STATUSR: RAO/WI in the kernel's vGIC
    } else if (off >= 0x80 && off < 0x100) {
        v = bitmap_read(irq_block(static_cast<unsigned>((off - 0x80) / 4), nullptr), 0,
                        &Irq::group);
    } else if (off >= 0x100 && off < 0x200) {
        v = bitmap_read(irq_block(static_cast<unsigned>((off & 0x7f) / 4), nullptr), 0,
                        &Irq::enabled);
    } else if (off >= 0x200 && off < 0x280) {
        v = bitmap_read(irq_block(static_cast<unsigned>((off & 0x7f) / 4), nullptr), 0,
                        &Irq::latch);
    } else if (off >= 0x280 && off < 0x300) {
        v = 0; // ICPENDR: RAZ for user space
    } else if (off >= 0x300 && off < 0x400) {
        v = bitmap_read(irq_block(static_cast<unsigned>((off & 0x7f) / 4), nullptr), 0,
                        &Irq::active);
    } else if (off >= 0x400 && off < 0x800) {
        const unsigned intid = static_cast<unsigned>(off - 0x400);
        for (unsigned b = 0; b < 4; b++)
            if (intid + b >= 32 && intid + b < nr_irqs_)
                v |= uint32_t{irqs_[intid + b].priority} << (8 * b);
    } else if (off >= 0xc00 && off < 0xd00) {
        const unsigned first = static_cast<unsigned>(off - 0xc00) * 4;
        for (unsigned i = 0; i < 16; i++)
            if (first + i >= 32 && first + i < nr_irqs_ && irqs_[first + i].edge)
                v |= 2u << (2 * i);
    } else if (off >= 0xd00 && off < 0xd80) {
        v = 0; // IGRPMODR
    } else if (off >= 0x6000 && off < 0x6000 + 8 * 1024) {
        const unsigned intid = static_cast<unsigned>((off - 0x6000) / 8);
        if (intid >= 32 && intid < nr_irqs_ && !(off & 4))
            v = irqs_[intid].route; // upper word RAZ (no Aff3)
    } else if (off == 0xffe8) {
        v = 0x3b; // PIDR2: GICv3
    } else if (off >= 0xffd0) {
        v = 0;
    } else {
        return -ENXIO;
    }
    return 0;
}

int VgicModel::dist_write(uint64_t off, uint32_t v) {
    if (off == 0x0) {
        bool allow_nassgi = false;
        if (behaviour_ == KernelBehaviour::V57to616) allow_nassgi = host_vsgi();
        if (behaviour_ == KernelBehaviour::V617) allow_nassgi = vm_nassgicap_;
        if (!allow_nassgi) v &= ~0x100u;
        enabled_ = v & 2;
        nassgireq_ = v & 0x100;
    } else if (off == 0x4 || off == 0xffe8) {
        // read-only: ignored
    } else if (off == 0x8) {
        const uint32_t cur = kIidrBase | (implementation_rev_ << 12);
        if ((cur ^ v) & ~0xf000u) return -EINVAL;
        const unsigned rev = (v >> 12) & 0xf;
        if (rev != 2 && rev != 3) return -EINVAL;
        implementation_rev_ = rev;
    } else if (off == 0xc) {
        const uint32_t cur = typer2();
        switch (behaviour_) {
        case KernelBehaviour::PreGicV41: return 0; // unknown register: ignored
        case KernelBehaviour::V57to616: return v == cur ? 0 : -EINVAL;
        case KernelBehaviour::V617:
            if (v == cur) return 0;
            if (initialized_) return -EBUSY;
            if ((v ^ cur) & ~kNassgiCap) return -EINVAL;
            if ((v & kNassgiCap) && !host_vsgi()) return -EINVAL;
            vm_nassgicap_ = v & kNassgiCap;
            return 0;
        }
    } else if (off == 0x10) {
        // GICD_STATUSR: WI
    } else if (off >= 0x80 && off < 0x100) {
        bitmap_write(irq_block(static_cast<unsigned>((off - 0x80) / 4), nullptr), 0, v, &Irq::group,
                     kExact);
    } else if (off >= 0x100 && off < 0x200) {
        bitmap_write(irq_block(static_cast<unsigned>((off & 0x7f) / 4), nullptr), 0, v,
                     &Irq::enabled, off < 0x180 ? kSet : kClear);
    } else if (off >= 0x200 && off < 0x280) {
        bitmap_write(irq_block(static_cast<unsigned>((off & 0x7f) / 4), nullptr), 0, v, &Irq::latch,
                     kExact);
    } else if (off >= 0x280 && off < 0x300) {
        // ICPENDR: WI for user space
    } else if (off >= 0x300 && off < 0x400) {
        bitmap_write(irq_block(static_cast<unsigned>((off & 0x7f) / 4), nullptr), 0, v,
                     &Irq::active, off < 0x380 ? kSet : kClear);
    } else if (off >= 0x400 && off < 0x800) {
        const unsigned intid = static_cast<unsigned>(off - 0x400);
        for (unsigned b = 0; b < 4; b++)
            if (intid + b >= 32 && intid + b < nr_irqs_)
                irqs_[intid + b].priority = static_cast<uint8_t>(v >> (8 * b)) & pri_mask();
    } else if (off >= 0xc00 && off < 0xd00) {
        const unsigned first = static_cast<unsigned>(off - 0xc00) * 4;
        for (unsigned i = 0; i < 16; i++)
            if (first + i >= 32 && first + i < nr_irqs_)
                irqs_[first + i].edge = v & (2u << (2 * i));
    } else if (off >= 0xd00 && off < 0xd80) {
        // IGRPMODR: WI
    } else if (off >= 0x6000 && off < 0x6000 + 8 * 1024) {
        const unsigned intid = static_cast<unsigned>((off - 0x6000) / 8);
        if (intid >= 32 && intid < nr_irqs_ && !(off & 4)) irqs_[intid].route = v & 0xffffff;
    } else if (off >= 0xffd0) {
        // ID registers: ignored
    } else {
        return -ENXIO;
    }
    return 0;
}

// --- redistributors ------------------------------------------------------------------

int VgicModel::redist_read(Vcpu& c, unsigned idx, uint64_t off, uint32_t& v) {
    v = 0;
    if (off < kSgiFrame) {
        const uint64_t aff = (((c.mpidr >> 32) & 0xff) << 24) | (c.mpidr & 0xffffff);
        const uint64_t typer =
            (aff << 32) | (uint64_t{idx} << 8) | (idx + 1 == vcpus_.size() ? 0x10u : 0u);
        switch (off) {
        case 0x0: v = (c.lpis ? 1u : 0u) | (implementation_rev_ >= 3 ? 0x6u : 0u); break;
        case 0x4: v = kIidrBase; break;
        case 0x8: v = static_cast<uint32_t>(typer); break;
        case 0xc: v = static_cast<uint32_t>(typer >> 32); break;
        case 0x10: v = 0; break; // GICR_STATUSR: RAZ/WI
        case 0x14: v = 0; break; // WAKER: RAZ/WI
        case 0x70: v = static_cast<uint32_t>(propbaser_); break;
        case 0x74: v = static_cast<uint32_t>(propbaser_ >> 32); break;
        case 0x78: v = static_cast<uint32_t>(c.pendbaser); break;
        case 0x7c: v = static_cast<uint32_t>(c.pendbaser >> 32); break;
        case 0xffe8: v = 0x3b; break;
        default: return -ENXIO;
        }
        return 0;
    }
    const uint64_t s = off - kSgiFrame;
    if (s == 0x80)
        v = bitmap_read(c.priv, 0, &Irq::group);
    else if (s == 0x100 || s == 0x180)
        v = bitmap_read(c.priv, 0, &Irq::enabled);
    else if (s == 0x200)
        v = bitmap_read(c.priv, 0, &Irq::latch);
    else if (s == 0x280)
        v = 0;
    else if (s == 0x300 || s == 0x380)
        v = bitmap_read(c.priv, 0, &Irq::active);
    else if (s >= 0x400 && s < 0x420) {
        const unsigned i = static_cast<unsigned>(s - 0x400);
        for (unsigned b = 0; b < 4; b++)
            v |= uint32_t{c.priv[i + b].priority} << (8 * b);
    } else if (s == 0xc00 || s == 0xc04) {
        const unsigned first = s == 0xc00 ? 0 : 16;
        for (unsigned i = 0; i < 16; i++)
            if (c.priv[first + i].edge) v |= 2u << (2 * i);
    } else if (s == 0xd00 || s == 0xe00)
        v = 0;
    else
        return -ENXIO;
    return 0;
}

int VgicModel::redist_write(Vcpu& c, uint64_t off, uint32_t v) {
    if (off < kSgiFrame) {
        switch (off) {
        case 0x0: break; // GICR_CTLR: no ITS, EnableLPIs cannot be set
        case 0x4:
        case 0x8:
        case 0xc:
        case 0x14: break;
        case 0x10: break; // GICR_STATUSR: WI
        case 0x70:
        case 0x74:
            if (!c.lpis)
                propbaser_ =
                    sanitise(off == 0x70 ? (propbaser_ & ~0xffffffffull) | v
                                         : (propbaser_ & 0xffffffffull) | uint64_t{v} << 32,
                             false);
            break;
        case 0x78:
        case 0x7c:
            if (!c.lpis)
                c.pendbaser =
                    sanitise(off == 0x78 ? (c.pendbaser & ~0xffffffffull) | v
                                         : (c.pendbaser & 0xffffffffull) | uint64_t{v} << 32,
                             true);
            break;
        default: return -ENXIO;
        }
        return 0;
    }
    const uint64_t s = off - kSgiFrame;
    if (s == 0x80)
        bitmap_write(c.priv, 0, v, &Irq::group, kExact);
    else if (s == 0x100 || s == 0x180)
        bitmap_write(c.priv, 0, v, &Irq::enabled, s == 0x100 ? kSet : kClear);
    else if (s == 0x200)
        bitmap_write(c.priv, 0, v, &Irq::latch, kExact);
    else if (s == 0x280) {
    } else if (s == 0x300 || s == 0x380)
        bitmap_write(c.priv, 0, v, &Irq::active, s == 0x300 ? kSet : kClear);
    else if (s >= 0x400 && s < 0x420) {
        const unsigned i = static_cast<unsigned>(s - 0x400);
        for (unsigned b = 0; b < 4; b++)
            c.priv[i + b].priority = static_cast<uint8_t>(v >> (8 * b)) & pri_mask();
    } else if (s == 0xc00) {
        // SGIs are edge-triggered: read-only
    } else if (s == 0xc04) {
        for (unsigned i = 0; i < 16; i++)
            c.priv[16 + i].edge = v & (2u << (2 * i));
    } else if (s == 0xd00 || s == 0xe00) {
    } else
        return -ENXIO;
    return 0;
}

// --- CPU interface --------------------------------------------------------------------

int VgicModel::sysreg_read(Vcpu& c, uint32_t e, uint64_t& v) {
    const uint8_t hw_mask = static_cast<uint8_t>(0xff << (8 - host_.pri_bits));
    if (e == PMR)
        v = c.pmr & hw_mask;
    else if (e == BPR0)
        v = c.bpr0;
    else if (e == BPR1)
        v = c.cbpr ? std::min(c.bpr0 + 1, 7u) : c.bpr1;
    else if (e == CTLR)
        v = (uint64_t{c.num_pri_bits - 1} << 8) | (uint64_t{c.num_id_bits} << 11) |
            (uint64_t{host_.seis} << 14) | (uint64_t{host_.a3v} << 15) | (c.cbpr ? 1u : 0u) |
            (c.eoim ? 2u : 0u);
    else if (e == SRE)
        v = 7;
    else if (e == IGRPEN0)
        v = c.grpen0;
    else if (e == IGRPEN1)
        v = c.grpen1;
    else if (e >= AP0R0 && e < AP0R0 + 4) {
        if (e - AP0R0 > max_apr_idx(c.num_pri_bits)) return -EINVAL;
        v = c.ap0r[e - AP0R0];
    } else if (e >= AP1R0 && e < AP1R0 + 4) {
        if (e - AP1R0 > max_apr_idx(c.num_pri_bits)) return -EINVAL;
        v = c.ap1r[e - AP1R0];
    } else
        return -ENXIO;
    return 0;
}

int VgicModel::sysreg_write(Vcpu& c, uint32_t e, uint64_t v) {
    const unsigned min_bpr0 = 7 - host_.pri_bits;
    if (e == PMR)
        c.pmr = static_cast<uint32_t>(v & 0xff);
    else if (e == BPR0)
        c.bpr0 = std::max(static_cast<unsigned>(v & 7), min_bpr0);
    else if (e == BPR1) {
        if (!c.cbpr) c.bpr1 = std::max(static_cast<unsigned>(v & 7), min_bpr0 + 1);
    } else if (e == CTLR) {
        const unsigned pri = static_cast<unsigned>((v >> 8) & 7) + 1;
        const unsigned id = static_cast<unsigned>((v >> 11) & 7);
        if (pri > c.num_pri_bits) return -EINVAL;
        if (id > c.num_id_bits) return -EINVAL;
        if (((v >> 14) & 1) != host_.seis) return -EINVAL;
        if (((v >> 15) & 1) != host_.a3v) return -EINVAL;
        c.num_pri_bits = pri;
        c.num_id_bits = id;
        c.cbpr = v & 1;
        c.eoim = v & 2;
    } else if (e == SRE) {
        if (!(v & 1)) return -EINVAL;
    } else if (e == IGRPEN0)
        c.grpen0 = v & 1;
    else if (e == IGRPEN1)
        c.grpen1 = v & 1;
    else if (e >= AP0R0 && e < AP0R0 + 4) {
        if (e - AP0R0 > max_apr_idx(c.num_pri_bits)) return -EINVAL;
        c.ap0r[e - AP0R0] = static_cast<uint32_t>(v);
    } else if (e >= AP1R0 && e < AP1R0 + 4) {
        if (e - AP1R0 > max_apr_idx(c.num_pri_bits)) return -EINVAL;
        c.ap1r[e - AP1R0] = static_cast<uint32_t>(v);
    } else
        return -ENXIO;
    return 0;
}

// --- the attribute interface --------------------------------------------------------------

int VgicModel::has_attr(uint32_t group, uint64_t attr) {
    switch (group) {
    case KVM_DEV_ARM_VGIC_GRP_ADDR:
        return attr == KVM_VGIC_V3_ADDR_TYPE_DIST || attr == KVM_VGIC_V3_ADDR_TYPE_REDIST ||
                       attr == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION
                   ? 0
                   : -ENXIO;
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: return 0;
    case KVM_DEV_ARM_VGIC_GRP_CTRL:
        return attr == KVM_DEV_ARM_VGIC_CTRL_INIT || attr == KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES
                   ? 0
                   : -ENXIO;
    default: return 0;
    }
}

int VgicModel::set_attr(uint32_t group, uint64_t attr, const void* data) {
    uint64_t logged = 0;
    if (data) {
        if (group == KVM_DEV_ARM_VGIC_GRP_ADDR || group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS)
            std::memcpy(&logged, data, 8);
        else
            std::memcpy(&logged, data, 4);
    }
    const bool was_init = initialized_;
    int r = 0;
    switch (group) {
    case KVM_DEV_ARM_VGIC_GRP_ADDR: {
        if (initialized_) {
            r = -EBUSY;
        } else if (logged & 0xffff) {
            r = -EINVAL;
        } else if (attr == KVM_VGIC_V3_ADDR_TYPE_DIST) {
            r = dist_addr_set_ ? -EEXIST : 0;
            dist_addr_set_ = true;
        } else if (attr == KVM_VGIC_V3_ADDR_TYPE_REDIST) {
            r = redist_addr_set_ ? -EEXIST : 0;
            redist_addr_set_ = true;
        } else {
            r = -ENXIO;
        }
        break;
    }
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: {
        const uint32_t n = static_cast<uint32_t>(logged);
        if (initialized_ || nr_irqs_)
            r = -EBUSY;
        else if (n < 64 || n > 1024 || n % 32)
            r = -EINVAL;
        else
            nr_irqs_ = n;
        break;
    }
    case KVM_DEV_ARM_VGIC_GRP_CTRL:
        if (attr == KVM_DEV_ARM_VGIC_CTRL_INIT) {
            if (!initialized_) {
                if (!dist_addr_set_ || !redist_addr_set_ || vcpus_.empty()) {
                    r = -ENXIO;
                    break;
                }
                if (!nr_irqs_) nr_irqs_ = 256;
                irqs_.assign(nr_irqs_, Irq{});
                initialized_ = true;
            }
        } else if (attr == KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES) {
            r = initialized_ ? 0 : -ENXIO;
        } else {
            r = -ENXIO;
        }
        break;
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
    case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO: {
        if (!initialized_ && !pre_init_ok(group, attr)) {
            r = -EBUSY;
            break;
        }
        const uint64_t off = attr & 0xffffffff;
        if (group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
            r = dist_write(off, static_cast<uint32_t>(logged));
            break;
        }
        const int idx = vcpu_of(attr);
        if (idx < 0) {
            r = -EINVAL;
            break;
        }
        Vcpu& c = vcpus_[static_cast<size_t>(idx)];
        if (group == KVM_DEV_ARM_VGIC_GRP_REDIST_REGS) {
            r = redist_write(c, off, static_cast<uint32_t>(logged));
        } else if (group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) {
            r = sysreg_write(c, static_cast<uint32_t>(attr & 0xffff), logged);
        } else {
            const unsigned info = static_cast<unsigned>((attr >> 10) & 0x3fffff);
            const unsigned intid = static_cast<unsigned>(attr & 0x3ff);
            if (info != 0 || intid % 32) {
                r = -EINVAL;
                break;
            }
            Irq* blk = irq_block(intid / 32, &c);
            if (blk) {
                for (unsigned i = intid == 0 ? 16 : 0; i < 32; i++)
                    blk[i].line = logged & (1u << i);
            }
        }
        break;
    }
    default: r = -ENXIO;
    }
    log.push_back({true, group, attr, logged, was_init, r});
    return r;
}

int VgicModel::get_attr(uint32_t group, uint64_t attr, void* data) {
    int r = 0;
    uint64_t v64 = 0;
    uint32_t v32 = 0;
    const bool was_init = initialized_;
    switch (group) {
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: v32 = nr_irqs_; break;
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
    case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO: {
        if (!initialized_ && !pre_init_ok(group, attr)) {
            r = -EBUSY;
            break;
        }
        const uint64_t off = attr & 0xffffffff;
        if (group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
            r = dist_read(off, v32);
            break;
        }
        const int idx = vcpu_of(attr);
        if (idx < 0) {
            r = -EINVAL;
            break;
        }
        Vcpu& c = vcpus_[static_cast<size_t>(idx)];
        if (group == KVM_DEV_ARM_VGIC_GRP_REDIST_REGS) {
            r = redist_read(c, static_cast<unsigned>(idx), off, v32);
        } else if (group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) {
            r = sysreg_read(c, static_cast<uint32_t>(attr & 0xffff), v64);
        } else {
            const unsigned info = static_cast<unsigned>((attr >> 10) & 0x3fffff);
            const unsigned intid = static_cast<unsigned>(attr & 0x3ff);
            if (info != 0 || intid % 32) {
                r = -EINVAL;
                break;
            }
            Irq* blk = irq_block(intid / 32, &c);
            if (blk)
                for (unsigned i = intid == 0 ? 16 : 0; i < 32; i++)
                    if (blk[i].line) v32 |= 1u << i;
        }
        break;
    }
    default: r = -ENXIO;
    }
    if (r == 0 && data) {
        if (group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS)
            std::memcpy(data, &v64, 8);
        else
            std::memcpy(data, &v32, 4);
    }
    log.push_back(
        {false, group, attr, group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS ? v64 : v32, was_init, r});
    return r;
}

int VgicModel::irq_line(uint32_t irq, bool level) {
    const uint32_t type = (irq >> KVM_ARM_IRQ_TYPE_SHIFT) & 0xf;
    const uint32_t intid = irq & 0xffff;
    if (type != KVM_ARM_IRQ_TYPE_SPI) return -EINVAL;
    // The kernel initialises the vGIC lazily on the first injection.
    if (!initialized_) {
        if (!dist_addr_set_ || !redist_addr_set_) return -ENXIO;
        if (!nr_irqs_) nr_irqs_ = 256;
        irqs_.assign(nr_irqs_, Irq{});
        initialized_ = true;
    }
    if (intid < 32 || intid >= nr_irqs_) return -EINVAL;
    Irq& q = irqs_[intid];
    q.line = level;
    if (level && q.edge) q.latch = true;
    return 0;
}

} // namespace kestrel::test
