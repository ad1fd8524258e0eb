// savevm description of the GIC (GicV3State), shared by the software GIC
// and a KVM-backed GIC so a snapshot means the same thing whichever wrote it.
//
// GICD_TYPER2 travels only in the subsection "gicv3/typer2", written when
// it is non-zero (GICv4.1); a stream without it means the source's TYPER2
// was 0, so GICv3 snapshots stay readable by readers that predate it. It is
// an ID register: it is carried only so the destination can check that it
// offers the same GIC (gic_typer2_mismatch); a KVM restore writes it with
// the other distributor ID registers, before GICD_CTLR.
//
// Caches (highest-priority pending interrupt, the LPI pending set) are not
// saved: GicV3::load_state() rebuilds them.
#pragma once
#include "intc/gicv3/gic_regs.hpp"
#include "intc/gicv3/gic_state.hpp"
#include "savevm/section.hpp"

#include <cstdio>
#include <optional>
#include <string>

template <> struct kestrel::savevm::Describe<kestrel::GicV3CpuState> {
    using S = kestrel::GicV3CpuState;
    static constexpr auto fields = savevm::fields(
        field("gicr_typer", &S::gicr_typer), field("gicr_ctlr", &S::gicr_ctlr),
        field("gicr_statusr", &S::gicr_statusr), field("gicr_waker", &S::gicr_waker),
        field("gicr_propbaser", &S::gicr_propbaser), field("gicr_pendbaser", &S::gicr_pendbaser),
        field("gicr_vpropbaser", &S::gicr_vpropbaser),
        field("gicr_vpendbaser", &S::gicr_vpendbaser), field("gicr_vsgir", &S::gicr_vsgir),
        field("group", &S::group), field("enabled", &S::enabled), field("pending", &S::pending),
        field("active", &S::active), field("level", &S::level),
        field("edge_trigger", &S::edge_trigger), field("priority", &S::priority),
        field("icc_ctlr", &S::icc_ctlr), field("icc_pmr", &S::icc_pmr),
        field("icc_bpr", &S::icc_bpr), field("icc_igrpen", &S::icc_igrpen),
        field("icc_apr", &S::icc_apr), field("icc_sre", &S::icc_sre));
};

template <> struct kestrel::savevm::Describe<kestrel::GicV3ItsState> {
    using S = kestrel::GicV3ItsState;
    static constexpr auto fields = savevm::fields(
        field("iidr", &S::iidr), field("typer", &S::typer), field("pidr2", &S::pidr2),
        field("ctlr", &S::ctlr), field("cbaser", &S::cbaser), field("cwriter", &S::cwriter),
        field("creadr", &S::creadr), field("baser", &S::baser));
};

namespace kestrel {

// What a GICD_TYPER2 value says, for messages: "GICv3 (TYPER2=0)" or
// "GICv4.1 GIC (TYPER2=0x0000018f: nASSGIcap=1, VIL=1, VID=15)".
inline std::string gic_typer2_meaning(uint32_t typer2) {
    if (typer2 == 0) return "GICv3 (TYPER2=0)";
    char buf[128];
    std::snprintf(buf, sizeof buf, "GICv4.1 GIC (TYPER2=0x%08x: nASSGIcap=%u, VIL=%u, VID=%u)",
                  typer2, (typer2 & gic::kTyper2NassgiCap) ? 1u : 0u,
                  (typer2 & gic::kTyper2Vil) ? 1u : 0u, typer2 & 0x1fu);
    return buf;
}

// A TYPER2 from a snapshot that differs from the destination's own value
// cannot be loaded: the guest has seen (and may rely on) the other GIC's
// features. Returns the message, or nothing when they agree.
inline std::optional<std::string> gic_typer2_mismatch(uint32_t snapshot, uint32_t own) {
    if (snapshot == own) return std::nullopt;
    return "snapshot was taken on a " + gic_typer2_meaning(snapshot) + ", this machine is " +
           gic_typer2_meaning(own);
}

inline constexpr auto kGicSection = savevm::section<GicV3State>(
    "gicv3", 1, 1,
    savevm::fields(
        // ID registers first (all but TYPER2, see above).
        savevm::field("gicd_typer", &GicV3State::gicd_typer),
        savevm::field("gicd_iidr", &GicV3State::gicd_iidr),
        savevm::field("gicd_pidr2", &GicV3State::gicd_pidr2),
        savevm::field("gicr_iidr", &GicV3State::gicr_iidr),
        savevm::field("gicd_ctlr", &GicV3State::gicd_ctlr),
        savevm::field("gicd_statusr", &GicV3State::gicd_statusr),
        savevm::field("group", &GicV3State::group), savevm::field("enabled", &GicV3State::enabled),
        savevm::field("pending", &GicV3State::pending),
        savevm::field("active", &GicV3State::active), savevm::field("level", &GicV3State::level),
        savevm::field("edge_trigger", &GicV3State::edge_trigger),
        savevm::field("priority", &GicV3State::priority),
        savevm::field("irouter", &GicV3State::irouter), savevm::field("cpu", &GicV3State::cpu),
        savevm::field("its", &GicV3State::its)),
    savevm::subsection<GicV3State>(
        "gicv3/typer2", 1, 1, [](const GicV3State& s) { return s.gicd_typer2 != 0; },
        [](GicV3State& s) { s.gicd_typer2 = 0; },
        savevm::fields(savevm::field("gicd_typer2", &GicV3State::gicd_typer2))));

} // namespace kestrel
