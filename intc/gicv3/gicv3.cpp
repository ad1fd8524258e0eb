// GicV3: construction, wiring, device inputs, reset, and the computation of
// each core's highest-priority pending interrupt and IRQ/FIQ lines.
#include "intc/gicv3/gicv3.hpp"

#include "cpu/cpu.hpp"
#include "hw/bus.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_reset.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>

namespace kestrel {

using namespace gic;

namespace {

std::atomic<bool> g_log_guest_errors{true};

// One MMIO frame group of the GIC as a bus device.
class GicFrames final : public Device {
  public:
    using Fn = MemResult (GicV3::*)(uint64_t, unsigned, uint64_t&);
    using WFn = MemResult (GicV3::*)(uint64_t, unsigned, uint64_t);
    GicFrames(GicV3& g, const char* name, Fn rd, WFn wr) : g_(g), name_(name), rd_(rd), wr_(wr) {}
    const char* name() const override { return name_; }
    MemResult read(uint64_t off, unsigned size, uint64_t& v) override {
        return (g_.*rd_)(off, size, v);
    }
    MemResult write(uint64_t off, unsigned size, uint64_t v) override {
        return (g_.*wr_)(off, size, v);
    }
    // The GIC resets as a whole (GicV3::reset), not frame by frame.
    void reset() override {}

  private:
    GicV3& g_;
    const char* name_;
    Fn rd_;
    WFn wr_;
};

} // namespace

GicV3::GicV3(const GicConfig& cfg) : cfg_(cfg) {
    cfg_.validate();
    s_ = gic_initial_state(cfg_);
    cache_.resize(cfg_.num_cpus());
    dist_dev_ = std::make_unique<GicFrames>(*this, "gic-distributor", &GicV3::dist_read,
                                            &GicV3::dist_write);
    redist_dev_ = std::make_unique<GicFrames>(*this, "gic-redistributors", &GicV3::redist_read,
                                              &GicV3::redist_write);
    its_dev_ = std::make_unique<GicFrames>(*this, "gic-its", &GicV3::its_read, &GicV3::its_write);
}

// The board destroys cores and GIC together; cores may already be gone, so
// their Cpu::gic pointers are not touched here.
GicV3::~GicV3() = default;

void GicV3::attach(Bus& bus, const std::vector<Cpu*>& cpus, const GicV3Layout& layout) {
    if (cpus.size() != cfg_.num_cpus())
        throw GicConfigError("GIC: configured for " + std::to_string(cfg_.num_cpus()) + " CPUs, " +
                             std::to_string(cpus.size()) + " attached");
    for (unsigned i = 0; i < cpus.size(); i++) {
        if (!cpus[i] || cpus[i]->index != i)
            throw GicConfigError("GIC: CPU " + std::to_string(i) + " is missing or out of order");
        if ((cpus[i]->mpidr & 0xff00ffffffull) != (cfg_.cpu_mpidr[i] & 0xff00ffffffull))
            throw GicConfigError("GIC: CPU " + std::to_string(i) +
                                 " affinity differs from the configuration");
    }
    const uint64_t redist_bytes = cfg_.redist_stride() * cfg_.num_cpus();
    if (redist_bytes > layout.redist_region_size)
        throw GicConfigError("GIC: " + std::to_string(cfg_.num_cpus()) +
                             " redistributors do not fit in the redistributor region");
    bus.add_device(layout.dist_base, kGicDistFrameSize, dist_dev_.get());
    bus.add_device(layout.redist_base, redist_bytes, redist_dev_.get());
    bus.add_device(layout.its_base, kGicItsFrameSize, its_dev_.get());
    std::lock_guard lk(mu_);
    bus_ = &bus;
    cpus_ = cpus;
    for (Cpu* c : cpus_)
        c->gic = this;
    update();
}

void GicV3::set_guest_error_logging(bool on) {
    g_log_guest_errors = on;
}

void GicV3::guest_error(const char* fmt, ...) {
    guest_errors_++;
    // Rate limit: a guest hammering a bad register must not flood stderr.
    constexpr uint64_t kMaxLines = 64;
    if (!g_log_guest_errors || guest_errors_ > kMaxLines) return;
    std::va_list ap;
    va_start(ap, fmt);
    std::fputs("gic: guest error: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    if (guest_errors_ == kMaxLines) std::fputs("gic: further guest errors not logged\n", stderr);
    va_end(ap);
}

bool GicV3::irq_out(unsigned cpu) const {
    std::lock_guard lk(mu_);
    return cpu < cache_.size() && cache_[cpu].irq;
}

bool GicV3::fiq_out(unsigned cpu) const {
    std::lock_guard lk(mu_);
    return cpu < cache_.size() && cache_[cpu].fiq;
}

void GicV3::set_spi(unsigned intid, bool level) {
    std::lock_guard lk(mu_);
    if (intid < kFirstSpi || intid >= cfg_.spi_limit()) {
        // A board wiring mistake, not a guest action: report it once per call.
        std::fprintf(stderr, "gic: set_spi: INTID %u is not an implemented SPI\n", intid);
        return;
    }
    const unsigned w = intid / 32;
    const uint32_t bit = 1u << (intid % 32);
    const bool was = s_.level[w] & bit;
    if (level)
        s_.level[w] |= bit;
    else
        s_.level[w] &= ~bit;
    if (level && !was && (s_.edge_trigger[w] & bit)) s_.pending[w] |= bit;
    update();
}

void GicV3::set_ppi(unsigned cpu, unsigned intid, bool level) {
    std::lock_guard lk(mu_);
    if (cpu >= cfg_.num_cpus() || intid < kNumSgis || intid >= kNumInternal) {
        std::fprintf(stderr, "gic: set_ppi: CPU %u INTID %u is not an implemented PPI\n", cpu,
                     intid);
        return;
    }
    GicV3CpuState& c = s_.cpu[cpu];
    const uint32_t bit = 1u << intid;
    const bool was = c.level & bit;
    if (level)
        c.level |= bit;
    else
        c.level &= ~bit;
    if (level && !was && (c.edge_trigger & bit)) c.pending |= bit;
    update();
}

void GicV3::reset() {
    std::lock_guard lk(mu_);
    gic_reset(s_, cfg_, /*keep_levels=*/true);
    for (auto& c : cache_)
        c.lpis.clear();
    update();
}

std::string GicV3::state_mismatch(const GicV3State& st) const {
    const size_t words = cfg_.num_irqs / 32;
    for (const auto* v :
         {&st.group, &st.enabled, &st.pending, &st.active, &st.level, &st.edge_trigger})
        if (v->size() != words)
            return "interrupt bitmap of " + std::to_string(v->size() * 32) +
                   " INTIDs, machine has " + std::to_string(cfg_.num_irqs);
    if (st.priority.size() != cfg_.num_irqs || st.irouter.size() != cfg_.num_irqs)
        return "priority/route tables do not match " + std::to_string(cfg_.num_irqs) + " INTIDs";
    if (st.cpu.size() != cfg_.num_cpus())
        return std::to_string(st.cpu.size()) + " redistributors, machine has " +
               std::to_string(cfg_.num_cpus());
    return {};
}

void GicV3::load_state(const GicV3State& st) {
    std::lock_guard lk(mu_);
    if (std::string why = state_mismatch(st); !why.empty())
        throw GicConfigError("GIC state does not fit this machine: " + why);
    s_ = st;
    state_loaded();
}

void GicV3::state_loaded() {
    std::lock_guard lk(mu_);
    if (std::string why = state_mismatch(s_); !why.empty()) {
        // Never keep a state the code cannot index safely.
        s_ = gic_initial_state(cfg_);
        update();
        throw GicConfigError("GIC state does not fit this machine: " + why);
    }
    for (unsigned i = 0; i < cfg_.num_cpus(); i++)
        rebuild_lpi_cache(i);
    update();
}

bool GicV3::group_enabled(unsigned cpu, unsigned group) const {
    const uint32_t dist_bit = group ? kCtlrEnableGrp1 : kCtlrEnableGrp0;
    return (s_.gicd_ctlr & dist_bit) && (s_.cpu[cpu].icc_igrpen[group] & 1);
}

int GicV3::cpu_for_affinity(uint64_t aff) const {
    // aff as in GICD_IROUTER: Aff3[39:32], Aff2[23:16], Aff1[15:8], Aff0[7:0].
    for (unsigned i = 0; i < cfg_.num_cpus(); i++)
        if ((cfg_.cpu_mpidr[i] & 0xff00ffffffull) == (aff & 0xff00ffffffull))
            return static_cast<int>(i);
    return -1;
}

// Recomputes every core's highest-priority pending interrupt (HPPI) and
// drives the IRQ/FIQ lines. An interrupt is a candidate for a core when it
// is pending, enabled, not active, its group is enabled in both GICD_CTLR
// and the core's ICC_IGRPEN<n>, and the core's redistributor is awake.
// Ties are IMPLEMENTATION DEFINED: the lowest INTID wins, except that
// 1-of-N SPIs are placed after everything else.
void GicV3::update() {
    const unsigned ncpus = cfg_.num_cpus();
    std::vector<Candidate> best(ncpus);
    auto offer = [](Candidate& b, uint32_t intid, uint8_t prio, uint8_t group) {
        if (prio < b.prio) b = {intid, prio, group};
    };
    std::vector<bool> awake(ncpus);
    for (unsigned c = 0; c < ncpus; c++) {
        const GicV3CpuState& cs = s_.cpu[c];
        awake[c] = !(cs.gicr_waker & kWakerProcessorSleep);
        if (!awake[c]) continue;
        uint32_t pend = (cs.pending | (cs.level & ~cs.edge_trigger)) & cs.enabled & ~cs.active;
        for (; pend; pend &= pend - 1) {
            unsigned i = static_cast<unsigned>(__builtin_ctz(pend));
            uint8_t grp = (cs.group >> i) & 1;
            if (group_enabled(c, grp)) offer(best[c], i, cs.priority[i], grp);
        }
    }
    // SPIs routed to one core by affinity (GICD_IROUTER.IRM = 0).
    std::vector<unsigned> one_of_n;
    for (unsigned w = 1; w < s_.pending.size(); w++) {
        uint32_t pend = spi_pending_word(w) & s_.enabled[w] & ~s_.active[w];
        for (; pend; pend &= pend - 1) {
            unsigned intid = w * 32 + static_cast<unsigned>(__builtin_ctz(pend));
            if (intid >= cfg_.spi_limit()) break;
            if (s_.irouter[intid] & kIrouterIrm) {
                one_of_n.push_back(intid);
                continue;
            }
            uint8_t grp = (s_.group[w] >> (intid % 32)) & 1;
            int c = cpu_for_affinity(s_.irouter[intid]);
            if (c >= 0 && awake[c] && group_enabled(c, grp))
                offer(best[c], intid, s_.priority[intid], grp);
        }
    }
    // LPIs: always Group 1, configured by the property table.
    for (unsigned c = 0; c < ncpus; c++) {
        if (!awake[c] || !(s_.cpu[c].gicr_ctlr & kRCtlrEnableLpis) || !group_enabled(c, 1))
            continue;
        for (uint32_t intid : cache_[c].lpis) {
            uint8_t prio;
            if (lpi_config(c, intid, prio)) offer(best[c], intid, prio, 1);
        }
    }
    // 1-of-N SPIs last, knowing what each core already has: the SPI goes to
    // the lowest-numbered participating core where it would be the next
    // interrupt taken, else to the lowest-numbered participating core.
    for (unsigned intid : one_of_n) {
        uint8_t grp = (s_.group[intid / 32] >> (intid % 32)) & 1;
        uint8_t prio = s_.priority[intid];
        int chosen = -1;
        for (unsigned c = 0; c < ncpus; c++) {
            if (!awake[c] || !group_enabled(c, grp)) continue;
            if (chosen < 0) chosen = static_cast<int>(c);
            if (prio < best[c].prio && can_signal(c, prio, grp)) {
                chosen = static_cast<int>(c);
                break;
            }
        }
        if (chosen >= 0) offer(best[chosen], intid, prio, grp);
    }
    for (unsigned c = 0; c < ncpus; c++) {
        CpuCache& cc = cache_[c];
        cc.hppi = best[c].intid;
        cc.hppi_prio = best[c].prio;
        cc.hppi_group = best[c].group;
        bool sig = cc.hppi != kSpurious && can_signal(c, cc.hppi_prio, cc.hppi_group);
        // Single Security state at EL1: Group 0 is an FIQ, Group 1 an IRQ.
        bool irq = sig && cc.hppi_group == 1, fiq = sig && cc.hppi_group == 0;
        if (irq == cc.irq && fiq == cc.fiq) continue;
        cc.irq = irq;
        cc.fiq = fiq;
        if (c < cpus_.size()) {
            cpus_[c]->irq_line.store(irq, std::memory_order_relaxed);
            cpus_[c]->fiq_line.store(fiq, std::memory_order_relaxed);
        }
        if (on_line_change) on_line_change(c);
    }
}

} // namespace kestrel
