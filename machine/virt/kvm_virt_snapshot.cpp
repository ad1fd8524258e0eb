#include "machine/virt/kvm_virt_snapshot.hpp"

#include "cpu/cpu.hpp"
#include "cpu/cpu_snapshot.hpp"
#include "cpu/sysreg.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gic_state_desc.hpp"
#include "machine/virt/kvm_virt_machine.hpp"

#include <cstdio>

namespace kestrel {

using namespace savevm;
using namespace kvm;

std::optional<std::string> kvm_run_state_problem(uint8_t run_state) {
    switch (static_cast<CpuRunState>(run_state)) {
    case CpuRunState::Running:
    case CpuRunState::WaitForInterrupt:
    case CpuRunState::Off: return std::nullopt;
    case CpuRunState::Halted:
        return std::string("the core is halted (a semihosting exit), a state a KVM vCPU "
                           "cannot be put in");
    }
    return "run state " + std::to_string(run_state) + " is not valid";
}

uint32_t kvm_mp_state_of(uint8_t run_state) {
    // A core waiting in WFI runs on: WFI may complete at any time, and the
    // guest waits again if nothing is pending.
    return static_cast<CpuRunState>(run_state) == CpuRunState::Off ? KVM_MP_STATE_STOPPED
                                                                   : KVM_MP_STATE_RUNNABLE;
}

uint8_t run_state_of_kvm_mp_state(uint32_t mp_state) {
    switch (mp_state) {
    case KVM_MP_STATE_STOPPED: return static_cast<uint8_t>(CpuRunState::Off);
    case KVM_MP_STATE_SUSPENDED: return static_cast<uint8_t>(CpuRunState::WaitForInterrupt);
    default: return static_cast<uint8_t>(CpuRunState::Running);
    }
}

namespace {

// The read-only geometry registers as the TCG board's GIC of the same
// configuration has them (see the header).
void use_board_id_registers(GicV3State& st, const GicV3State& board) {
    st.gicd_typer = board.gicd_typer;
    st.gicd_pidr2 = board.gicd_pidr2;
    st.gicr_iidr = board.gicr_iidr;
    for (size_t i = 0; i < st.cpu.size() && i < board.cpu.size(); i++)
        st.cpu[i].gicr_typer = board.cpu[i].gicr_typer;
    // No in-kernel ITS: the board's ITS at reset (the guest never saw one).
    st.its = board.its;
}

} // namespace

KvmVirtSnapshot::KvmVirtSnapshot(KvmVirtMachine& m) : m_(m) {
    warn = [](const std::string& w) { std::fprintf(stderr, "kestrel: %s\n", w.c_str()); };
    objects_.push_back(make_board_object(m_.reset_pending_));
    for (unsigned i = 0; i < m_.vm_.num_vcpus(); i++) {
        MirrorHooks<CpuSnapshotState> h;
        h.capture = [this, i] {
            CpuSnapshotState st;
            if (auto e = m_.vcpu_state(i, st)) throw SnapshotSaveError(*e);
            return st;
        };
        h.stage_base = [this, i] { return m_.cpu_shadow_.at(i); };
        h.validate = [](const CpuSnapshotState& st) -> std::optional<std::string> {
            if (auto p = cpu_snapshot_problem(st, 1)) return p;
            return kvm_run_state_problem(st.run_state);
        };
        h.install_checked = [this, i](const CpuSnapshotState& st) -> std::optional<std::string> {
            // Registers first, then the power state (a vCPU made runnable
            // starts from the registers just written).
            if (auto e = m_.vm_.set_regs(i, st.s, st.sys))
                return "vCPU " + std::to_string(i) + ": " + *e;
            if (auto e = m_.vm_.set_mp_state(i, kvm_mp_state_of(st.run_state))) return e;
            m_.cpu_shadow_.at(i) = st;
            return std::nullopt;
        };
        objects_.push_back(make_mirrored_object<CpuSnapshotState>(kCpuSection, i, std::move(h)));
    }
    KvmGic* gic = m_.gic_.get();
    auto board_ids = std::make_shared<GicV3State>(gic_initial_state(gic->config()));
    MirrorHooks<GicV3State> g;
    g.capture = [gic, board_ids] {
        // LPI pending bits go to the tables in guest RAM first; RAM is
        // written after the sections.
        if (auto e = gic->save_pending_tables()) throw SnapshotSaveError(*e);
        GicV3State st;
        if (auto e = gic->pull_from_kernel(st)) throw SnapshotSaveError(*e);
        use_board_id_registers(st, *board_ids);
        return st;
    };
    g.stage_base = [gic, board_ids] {
        GicV3State st = gic->reset_state(); // asks the kernel nothing
        use_board_id_registers(st, *board_ids);
        return st;
    };
    g.validate = [this, gic, board_ids](const GicV3State& st) -> std::optional<std::string> {
        if (auto p = gic_id_problem(st, *board_ids)) return p;
        // The kernel's say (GICD_TYPER2, IIDR) and what it cannot hold;
        // nothing of a running VM changes here.
        GicRestoreCheck chk = gic->prepare_restore(st);
        warnings_.insert(warnings_.end(), chk.warnings.begin(), chk.warnings.end());
        return chk.error;
    };
    g.install_checked = [gic](const GicV3State& st) { return gic->push_to_kernel(st); };
    objects_.push_back(make_mirrored_object<GicV3State>(kGicSection, 0, std::move(g)));
    add_device_objects(objects_, *m_.uart_, *m_.rtc_, m_.virtio_);
}

KvmVirtSnapshot::~KvmVirtSnapshot() = default;

ConfigRecord KvmVirtSnapshot::config() const {
    return virt_config_record(m_.cfg_, m_.virtio_);
}

std::vector<StateObject*> KvmVirtSnapshot::objects() const {
    return object_pointers(objects_);
}

std::vector<RamBlock> KvmVirtSnapshot::ram() const {
    return bus_ram_blocks(m_.bus_);
}

std::vector<uint8_t> KvmVirtSnapshot::save(SnapshotTiming* timing) {
    ConfigRecord cfg = config();
    cfg.emplace_back("info.accel", "kvm");
    // A stopped guest is saved with the count it had at the stop.
    m_.put_held_counter();
    return write_board_snapshot(std::move(cfg), objects(), ram(), timing);
}

void KvmVirtSnapshot::load(std::span<const uint8_t> stream, std::span<StateObject* const> extra) {
    warnings_.clear();
    auto objs = objects();
    objs.insert(objs.end(), extra.begin(), extra.end());
    auto blocks = ram();
    auto report = [this] {
        if (warn)
            for (const std::string& w : warnings_)
                warn(w);
    };
    try {
        read_snapshot(stream, config(), objs, blocks, explain_config_difference);
    } catch (const PartialLoadError&) {
        report();
        m_.redrive_irq_lines();
        throw;
    }
    report();
    m_.take_held_counter();
    // The vGIC's line levels are now the snapshot's; the devices' cached
    // output levels are the restored devices' own: drive them again.
    m_.redrive_irq_lines();
}

nlohmann::json KvmVirtSnapshot::describe_format() const {
    auto objs = objects();
    return savevm::describe_format(objs);
}

} // namespace kestrel
