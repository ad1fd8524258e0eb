// KvmGic: creation, ID registers, reset, interrupt lines and the GICD_TYPER2
// rules. The register-by-register transfer of GicV3State is in
// kvm_gic_transfer.cpp.
#include "accel/kvm/kvm_gic.hpp"

#include "accel/kvm/kvm_gic_regs.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"

#include <cerrno>
#include <cstdio>

namespace kestrel {

using namespace kvm;

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

std::string typer2_words(uint32_t v) {
    return hex(v) + ((v & gic::kTyper2NassgiCap) ? " (nASSGIcap=1: GICv4.1 direct vSGIs)"
                                                 : " (nASSGIcap=0)");
}

} // namespace

KvmGic::KvmGic(KvmInterface& kvm, int vm_fd, const GicConfig& cfg, const KvmGicLayout& layout)
    : kvm_(kvm), vm_fd_(vm_fd), cfg_(cfg), layout_(layout) {
    cfg_.validate();
    if (cfg_.version != GicVersion::V3)
        throw GicConfigError("KVM's in-kernel vGIC is a GICv3 (a GICv4.1 host adds only "
                             "GICD_TYPER2.nASSGIcap): use gic-version=3 with -accel kvm");
    if (cfg_.num_cpus() * KVM_VGIC_V3_REDIST_SIZE > layout_.redist_region_size)
        throw GicConfigError("KVM vGIC: " + std::to_string(cfg_.num_cpus()) +
                             " redistributors do not fit the redistributor region");
    warn = [](const std::string& m) { std::fprintf(stderr, "kestrel: %s\n", m.c_str()); };
}

KvmGic::~KvmGic() {
    if (dev_fd_ >= 0) kvm_.close(dev_fd_);
}

void KvmGic::report(const std::string& msg) const {
    if (warn) warn(msg);
}

void KvmGic::create() {
    int fd = kvm_.create_device(vm_fd_, KVM_DEV_TYPE_ARM_VGIC_V3);
    if (fd < 0)
        throw KvmGicError(
            "cannot create the in-kernel GICv3 (KVM_CREATE_DEVICE): " + kvm_errno_text(fd) +
            (fd == -ENODEV ? "; the host has no GICv3 CPU interface" : ""));
    dev_fd_ = fd;
    auto set_addr = [&](uint64_t type, uint64_t addr, const char* what) {
        int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_ADDR, type, &addr);
        if (r < 0)
            throw KvmGicError(std::string("cannot place the vGIC ") + what + " at " + hex(addr) +
                              ": " + kvm_errno_text(r));
    };
    set_addr(KVM_VGIC_V3_ADDR_TYPE_DIST, layout_.dist_base, "distributor");
    set_addr(KVM_VGIC_V3_ADDR_TYPE_REDIST, layout_.redist_base, "redistributors");
    uint32_t nr = cfg_.num_irqs;
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr);
    if (r < 0)
        throw KvmGicError("cannot give the vGIC " + std::to_string(nr) +
                          " interrupts: " + kvm_errno_text(r));
    // The ID registers the kernel shows before CTRL_INIT (6.17 and later):
    // TYPER2 read here is the reset value, and a start-up restore can still
    // change it. Older kernels answer -EBUSY; init() reads them instead.
    uint32_t v = 0;
    r = kvm_.get_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, gic::d::IIDR, &v);
    if (r == 0) {
        state_ids_.gicd_iidr = v;
        iidr_known_ = true;
    } else if (r != -EBUSY) {
        throw KvmGicError("cannot read GICD_IIDR: " + kvm_errno_text(r));
    }
    r = kvm_.get_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, gic::d::TYPER2, &v);
    if (r == 0) {
        state_ids_.gicd_typer2 = v;
        typer2_pre_init_ = true;
    } else if (r != -EBUSY) {
        throw KvmGicError("cannot read GICD_TYPER2: " + kvm_errno_text(r));
    }
}

void KvmGic::init() {
    if (initialized_) return;
    if (dev_fd_ < 0) create();
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
                                 nullptr);
    if (r < 0) throw KvmGicError("KVM_DEV_ARM_VGIC_CTRL_INIT failed: " + kvm_errno_text(r));
    initialized_ = true;
    read_id_registers();
    // The kernel's vGIC starts in its reset state; pushing Kestrel's reset
    // state makes the kernel's and Kestrel's views agree from the start
    // (e.g. the 5 priority bits of Kestrel's CPU interface).
    push(reset_state(), false);
    // The kernel turns a non-cacheable PROPBASER/PENDBASER (such as the
    // architectural reset value 0) into a cacheable one: what it holds now
    // is the reset value a reset must push again.
    for (unsigned i = 0; i < cfg_.num_cpus(); i++) {
        state_ids_.cpu[i].gicr_propbaser =
            redist_get(i, gic::r::PROPBASER) | uint64_t{redist_get(i, gic::r::PROPBASER + 4)} << 32;
        state_ids_.cpu[i].gicr_pendbaser =
            redist_get(i, gic::r::PENDBASER) | uint64_t{redist_get(i, gic::r::PENDBASER + 4)} << 32;
    }
    for (unsigned intid = 0; intid < early_lines_.size(); intid++)
        if (early_lines_[intid]) set_spi(intid, true);
    early_lines_.clear();
}

void KvmGic::read_id_registers() {
    // Before anything is pushed: these are the values the kernel offers.
    state_ids_.gicd_typer = dist_get(gic::d::TYPER);
    if (!iidr_known_) state_ids_.gicd_iidr = dist_get(gic::d::IIDR);
    iidr_known_ = true;
    if (!typer2_pre_init_) state_ids_.gicd_typer2 = dist_get(gic::d::TYPER2);
    state_ids_.gicd_pidr2 = dist_get(gic::d::PIDR2);
    state_ids_.cpu.assign(cfg_.num_cpus(), GicV3CpuState{});
    kernel_icc_ctlr_.assign(cfg_.num_cpus(), 0);
    for (unsigned i = 0; i < cfg_.num_cpus(); i++) {
        if (i == 0) state_ids_.gicr_iidr = redist_get(0, gic::r::IIDR);
        state_ids_.cpu[i].gicr_typer =
            redist_get(i, gic::r::TYPER) | uint64_t{redist_get(i, gic::r::TYPER + 4)} << 32;
        // The kernel's reset values of the LPI table registers (their
        // architectural reset is UNKNOWN; the kernel picks cacheable ones
        // and turns non-cacheable writes into cacheable ones).
        state_ids_.cpu[i].gicr_propbaser =
            redist_get(i, gic::r::PROPBASER) | uint64_t{redist_get(i, gic::r::PROPBASER + 4)} << 32;
        state_ids_.cpu[i].gicr_pendbaser =
            redist_get(i, gic::r::PENDBASER) | uint64_t{redist_get(i, gic::r::PENDBASER + 4)} << 32;
        kernel_icc_ctlr_[i] = icc_get(i, icc_enc::CTLR);
    }
}

GicV3State KvmGic::reset_state() const {
    GicV3State s;
    s.gicd_typer = state_ids_.gicd_typer;
    s.gicd_typer2 = state_ids_.gicd_typer2;
    s.gicd_iidr = state_ids_.gicd_iidr;
    s.gicd_pidr2 = state_ids_.gicd_pidr2;
    s.gicr_iidr = state_ids_.gicr_iidr;
    s.cpu.resize(cfg_.num_cpus());
    for (unsigned i = 0; i < s.cpu.size() && i < state_ids_.cpu.size(); i++)
        s.cpu[i].gicr_typer = state_ids_.cpu[i].gicr_typer;
    gic_reset(s, cfg_);
    for (unsigned i = 0; i < s.cpu.size(); i++) {
        GicV3CpuState& c = s.cpu[i];
        if (i < state_ids_.cpu.size()) {
            c.gicr_propbaser = state_ids_.cpu[i].gicr_propbaser;
            c.gicr_pendbaser = state_ids_.cpu[i].gicr_pendbaser;
        }
        // The kernel has no redistributor power management: GICR_WAKER is
        // RAZ/WI, so a redistributor is always awake.
        c.gicr_waker = 0;
        // ICC_CTLR_EL1's read-only fields are the host's; Kestrel's CPU
        // interface uses 5 priority bits (ICC_AP*R0 only), which the kernel
        // accepts as a narrowing of a wider host.
        uint64_t k = i < kernel_icc_ctlr_.size() ? kernel_icc_ctlr_[i] : c.icc_ctlr;
        uint64_t ctlr = k & kIccCtlrIdFieldsKvm;
        if (((ctlr >> 8) & 7) > gic::kPriorityBits - 1)
            ctlr = (ctlr & ~(7ull << 8)) | (uint64_t{gic::kPriorityBits - 1} << 8);
        c.icc_ctlr = ctlr;
    }
    // No in-kernel ITS: its registers do not exist.
    s.its = GicV3ItsState{};
    return s;
}

std::optional<std::string> KvmGic::reset() {
    try {
        if (!initialized_) {
            init(); // pushes the reset state
            return std::nullopt;
        }
        // Line levels are inputs, not registers: the devices still drive
        // them through the reset.
        GicV3State st = reset_state();
        for (unsigned n = 1; n < cfg_.num_irqs / 32; n++)
            st.level[n] = level_get(0, 32 * n);
        for (unsigned i = 0; i < cfg_.num_cpus(); i++)
            st.cpu[i].level = level_get(i, 0);
        push(st, false);
    } catch (const KvmGicError& e) {
        return std::string("GIC reset: ") + e.what();
    }
    return std::nullopt;
}

void KvmGic::set_spi(unsigned intid, bool level) {
    if (intid < gic::kFirstSpi || intid >= cfg_.spi_limit()) {
        line_errors_++;
        return;
    }
    if (!initialized_) {
        early_lines_.resize(cfg_.spi_limit(), 0);
        early_lines_[intid] = level;
        return;
    }
    int r = kvm_.irq_line(vm_fd_, irq_line_spi(intid), level);
    if (r < 0 && line_errors_++ == 0)
        report("KVM_IRQ_LINE for INTID " + std::to_string(intid) + " failed: " + kvm_errno_text(r));
}

std::optional<std::string> KvmGic::save_pending_tables() {
    if (!initialized_) return std::nullopt; // nothing can be pending yet
    int r = kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_CTRL,
                                 KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, nullptr);
    if (r < 0) return "GIC: KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES failed: " + kvm_errno_text(r);
    return std::nullopt;
}

std::optional<std::string> KvmGic::pull_from_kernel(GicV3State& out) {
    try {
        if (!initialized_) init();
        pull(out);
    } catch (const KvmGicError& e) {
        return std::string("GIC: reading the kernel's vGIC state: ") + e.what();
    }
    return std::nullopt;
}

std::optional<std::string> KvmGic::push_to_kernel(const GicV3State& st) {
    try {
        if (!initialized_) init();
        push(st, true);
    } catch (const KvmGicError& e) {
        return std::string("GIC: writing the state into the kernel's vGIC: ") + e.what();
    }
    return std::nullopt;
}

int KvmGic::write_typer2(uint32_t v) {
    return kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, gic::d::TYPER2, &v);
}

std::string KvmGic::typer2_refusal(uint32_t source, int ret, bool running) const {
    std::string m = "GIC: the snapshot's GIC cannot be offered by this host: source GICD_TYPER2 " +
                    typer2_words(source) + ", destination (this kernel's vGIC) GICD_TYPER2 " +
                    typer2_words(state_ids_.gicd_typer2) + "; the kernel refused the value with " +
                    kvm_errno_text(ret);
    if (ret == -EBUSY && running)
        m += " (the vGIC is already running; restoring at start-up with -loadvm or -incoming "
             "lets a kernel that can turn nASSGIcap off do so)";
    return m;
}

GicRestoreCheck KvmGic::prepare_restore(const GicV3State& staged) {
    GicRestoreCheck res;
    if (std::string why = kvm_gic_geometry_mismatch(staged, cfg_); !why.empty()) {
        res.error = "GIC state does not fit this VM: " + why;
        return res;
    }
    for (const std::string& w : kvm_vgic_losses(staged))
        res.warnings.push_back("GIC: the kernel's vGIC cannot hold " + w + "; it is dropped");
    try {
        const bool start_up = !initialized_;
        // Kernels before 6.17 show no distributor register before
        // CTRL_INIT; at start-up nothing runs yet, so initialise now and
        // check as below.
        if (start_up && (!typer2_pre_init_ || !iidr_known_)) init();
        const bool pre_init = !initialized_;

        // IIDR: the kernel accepts another revision of its own vGIC only.
        if (staged.gicd_iidr != state_ids_.gicd_iidr) {
            if ((staged.gicd_iidr ^ state_ids_.gicd_iidr) & ~kGicdIidrRevisionMask) {
                res.error = "GIC: the snapshot's GICD_IIDR " + hex(staged.gicd_iidr) +
                            " is not a revision of this kernel's vGIC (GICD_IIDR " +
                            hex(state_ids_.gicd_iidr) + ")";
                return res;
            }
            if (pre_init) {
                uint32_t v = staged.gicd_iidr;
                int r =
                    kvm_.set_device_attr(dev_fd_, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, gic::d::IIDR, &v);
                if (r < 0) {
                    res.error = "GIC: the kernel refused the snapshot's GICD_IIDR " +
                                hex(staged.gicd_iidr) +
                                " (this vGIC: " + hex(state_ids_.gicd_iidr) +
                                "): " + kvm_errno_text(r);
                    return res;
                }
                state_ids_.gicd_iidr = v;
            }
        }

        // GICD_TYPER2 is written only so that the kernel can validate that
        // it can offer the snapshot's GIC configuration. Before CTRL_INIT a
        // 6.17+ kernel may take it (turning nASSGIcap off); after, or on
        // 5.7..6.16, a differing value is refused and nothing changes; a
        // kernel older than GICv4.1 support ignores it.
        if (staged.gicd_typer2 != state_ids_.gicd_typer2) {
            int r = write_typer2(staged.gicd_typer2);
            if (r < 0) {
                res.error = typer2_refusal(staged.gicd_typer2, r, !pre_init);
                return res;
            }
            uint32_t now = dist_get(gic::d::TYPER2);
            if (now != staged.gicd_typer2) {
                res.warnings.push_back(
                    "GIC: this kernel ignored the snapshot's GICD_TYPER2 " +
                    typer2_words(staged.gicd_typer2) + " and keeps " + typer2_words(now) +
                    " (it predates the kernel's GICv4.1 support); the guest sees the host's value");
            }
            state_ids_.gicd_typer2 = now;
        }
    } catch (const KvmGicError& e) {
        res.error = std::string("GIC: ") + e.what();
    }
    return res;
}

} // namespace kestrel
