// A GIC wired to cores and a bus with RAM, for the GIC unit tests. Every
// access goes through the bus (MMIO) or the ICC system-register table, as a
// guest's would.
#pragma once
#include "cpu/cpu.hpp"
#include "cpu/sysreg.hpp"
#include "hw/bus.hpp"
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gicv3.hpp"

#include <doctest/doctest.h>
#include <memory>
#include <vector>

namespace kestrel::test {

constexpr uint64_t kDist = 0x0800'0000, kIts = 0x0808'0000, kRedist = 0x080a'0000;
constexpr uint64_t kRam = 0x4000'0000, kRamSize = 16 << 20;

struct GicRig {
    Bus bus;
    std::vector<std::unique_ptr<Cpu>> cpus;
    std::unique_ptr<GicV3> gic;
    GicConfig cfg;
    std::vector<unsigned> line_changes;

    explicit GicRig(GicVersion v = GicVersion::V3, unsigned ncpus = 1, unsigned num_irqs = 256,
                    std::vector<uint64_t> mpidrs = {}) {
        GicV3::set_guest_error_logging(false);
        cfg.version = v;
        cfg.num_irqs = num_irqs;
        cfg.cpu_mpidr = mpidrs.empty() ? GicConfig::virt_mpidrs(ncpus) : mpidrs;
        bus.add_ram(kRam, kRamSize, "ram");
        auto model = find_cpu_model("cortex-a57");
        REQUIRE(model);
        std::vector<Cpu*> raw;
        for (unsigned i = 0; i < ncpus; i++) {
            cpus.push_back(std::make_unique<Cpu>(i, *model, bus));
            cpus.back()->mpidr = cfg.cpu_mpidr[i];
            raw.push_back(cpus.back().get());
        }
        gic = std::make_unique<GicV3>(cfg);
        gic->attach(bus, raw, GicV3Layout{});
        gic->on_line_change = [this](unsigned c) { line_changes.push_back(c); };
    }

    uint64_t rd(uint64_t pa, unsigned size = 4) {
        uint64_t v = 0xdeadbeef;
        CHECK(bus.read(pa, size, v) == MemResult::Ok);
        return v;
    }
    void wr(uint64_t pa, uint64_t v, unsigned size = 4) {
        CHECK(bus.write(pa, size, v) == MemResult::Ok);
    }

    uint64_t d(uint64_t off, unsigned size = 4) { return rd(kDist + off, size); }
    void dw(uint64_t off, uint64_t v, unsigned size = 4) { wr(kDist + off, v, size); }
    uint64_t rdbase(unsigned cpu) const { return kRedist + cpu * cfg.redist_stride(); }
    uint64_t r(unsigned cpu, uint64_t off, unsigned size = 4) {
        return rd(rdbase(cpu) + off, size);
    }
    void rw(unsigned cpu, uint64_t off, uint64_t v, unsigned size = 4) {
        wr(rdbase(cpu) + off, v, size);
    }
    uint64_t sgi(unsigned cpu, uint64_t off, unsigned size = 4) {
        return r(cpu, 0x10000 + off, size);
    }
    void sgiw(unsigned cpu, uint64_t off, uint64_t v, unsigned size = 4) {
        rw(cpu, 0x10000 + off, v, size);
    }
    uint64_t its(uint64_t off, unsigned size = 8) { return rd(kIts + off, size); }
    void itsw(uint64_t off, uint64_t v, unsigned size = 8) { wr(kIts + off, v, size); }

    uint64_t icc(unsigned cpu, const char* name) {
        const SysRegDesc* s = find_sysreg(name);
        REQUIRE(s);
        REQUIRE(static_cast<bool>(s->read));
        return s->read(*cpus[cpu]);
    }
    void iccw(unsigned cpu, const char* name, uint64_t v) {
        const SysRegDesc* s = find_sysreg(name);
        REQUIRE(s);
        REQUIRE(static_cast<bool>(s->write));
        s->write(*cpus[cpu], v);
    }
    bool irq(unsigned cpu) { return cpus[cpu]->irq_line.load(); }
    bool fiq(unsigned cpu) { return cpus[cpu]->fiq_line.load(); }

    // The usual OS bring-up: wake the redistributor, enable both groups in
    // the distributor and CPU interface, open the priority mask.
    void bring_up(unsigned cpu) {
        rw(cpu, gic::r::WAKER, 0);
        dw(gic::d::CTLR, gic::kCtlrEnableGrp0 | gic::kCtlrEnableGrp1);
        iccw(cpu, "ICC_PMR_EL1", 0xff);
        iccw(cpu, "ICC_IGRPEN0_EL1", 1);
        iccw(cpu, "ICC_IGRPEN1_EL1", 1);
    }
    void bring_up_all() {
        for (unsigned i = 0; i < cpus.size(); i++)
            bring_up(i);
    }
    // An SPI as Group 1, enabled, at a priority, routed to a core.
    void setup_spi(unsigned intid, uint8_t prio, unsigned cpu, bool group1 = true) {
        uint64_t grp = d(gic::d::IGROUPR + 4 * (intid / 32));
        grp = group1 ? grp | (1u << (intid % 32)) : grp & ~(1u << (intid % 32));
        dw(gic::d::IGROUPR + 4 * (intid / 32), grp);
        dw(gic::d::IPRIORITYR + intid, prio, 1);
        dw(gic::d::IROUTER + 8 * intid, cfg.cpu_mpidr[cpu] & 0xffffff, 8);
        dw(gic::d::ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    }
};

} // namespace kestrel::test
