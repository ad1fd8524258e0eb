#include "machine/virt/virt_snapshot.hpp"

#include "cpu/cpu_snapshot.hpp"
#include "cpu/guest_counter.hpp"
#include "cpu/sysreg.hpp"
#include "hw/pl011_desc.hpp"
#include "hw/pl031_desc.hpp"
#include "hw/virtio/virtio_blk.hpp"
#include "hw/virtio/virtio_mmio_desc.hpp"
#include "intc/gicv3/gic_reset.hpp"
#include "intc/gicv3/gic_state_desc.hpp"
#include "machine/virt/virt_machine.hpp"

#include <chrono>
#include <cstdio>

namespace kestrel {

using namespace savevm;

namespace {

// The TYPER2 a software GIC of this version reports.
uint32_t typer2_of_version(const std::string& version) {
    GicConfig cfg;
    cfg.version = version == "4.1" ? GicVersion::V4_1 : GicVersion::V3;
    GicV3State s;
    gic_derive_id_registers(s, cfg);
    return s.gicd_typer2;
}

} // namespace

std::optional<std::string> gic_id_problem(const GicV3State& st, const GicV3State& own) {
    char b[160];
    if (st.gicd_typer != own.gicd_typer) {
        std::snprintf(b, sizeof b, "snapshot has GICD_TYPER=0x%08x, this machine's GIC has 0x%08x",
                      st.gicd_typer, own.gicd_typer);
        return std::string(b);
    }
    for (size_t i = 0; i < st.cpu.size() && i < own.cpu.size(); i++)
        if (st.cpu[i].gicr_typer != own.cpu[i].gicr_typer) {
            std::snprintf(b, sizeof b,
                          "snapshot has GICR_TYPER=0x%016llx for CPU %zu, this machine has "
                          "0x%016llx",
                          static_cast<unsigned long long>(st.cpu[i].gicr_typer), i,
                          static_cast<unsigned long long>(own.cpu[i].gicr_typer));
            return std::string(b);
        }
    return std::nullopt;
}

std::optional<std::string> gic_snapshot_problem(const GicV3& gic, const GicV3State& st) {
    const GicV3State& own = gic.state();
    // TYPER2 first: it is what tells a GICv4.1 snapshot from a GICv3 one.
    if (auto m = gic_typer2_mismatch(st.gicd_typer2, own.gicd_typer2)) return m;
    if (std::string why = gic.state_mismatch(st); !why.empty()) return why;
    return gic_id_problem(st, own);
}

std::string explain_config_difference(const std::string& key, const std::string& snapshot_value,
                                      const std::string& own_value) {
    if (key != "gic-version") return {};
    if (auto m =
            gic_typer2_mismatch(typer2_of_version(snapshot_value), typer2_of_version(own_value)))
        return *m;
    return {};
}

void add_device_objects(std::vector<std::unique_ptr<StateObject>>& objects, Pl011& uart, Pl031& rtc,
                        std::vector<std::unique_ptr<VirtioMmio>>& virtio) {
    Pl011* u = &uart;
    objects.push_back(make_mirrored_object<Pl011State>(
        kPl011Section, 0,
        {[u] { return u->save_state(); },
         [](const Pl011State& st) -> std::optional<std::string> {
             if (!Pl011::valid_state(st))
                 return "receive FIFO holds " + std::to_string(st.rx.size()) + " entries";
             return std::nullopt;
         },
         [u](const Pl011State& st) { u->load_state(st); }}));
    Pl031* r = &rtc;
    objects.push_back(make_mirrored_object<Pl031State>(kPl031Section, 0,
                                                       {[r] { return r->state(); },
                                                        {},
                                                        [r](const Pl031State& st) {
                                                            r->state() = st;
                                                            r->update_irq();
                                                        }}));
    for (size_t n = 0; n < virtio.size(); n++) {
        VirtioMmio* t = virtio[n].get();
        objects.push_back(make_mirrored_object<VirtioSnapshotState>(
            kVirtioMmioSection, static_cast<uint32_t>(n),
            {[t] {
                 t->sync_to_state();
                 return VirtioSnapshotState{t->device().device_id(), t->state()};
             },
             [t](const VirtioSnapshotState& st) -> std::optional<std::string> {
                 std::string why = virtio_state_mismatch(st, *t);
                 if (why.empty()) return std::nullopt;
                 return why;
             },
             [t](const VirtioSnapshotState& st) {
                 t->state() = st.transport;
                 t->sync_from_state();
             }}));
    }
}

ConfigRecord virt_config_record(const VirtConfig& c,
                                const std::vector<std::unique_ptr<VirtioMmio>>& virtio) {
    ConfigRecord r;
    r.emplace_back("machine", "virt");
    r.emplace_back("cpu", c.cpu_model);
    r.emplace_back("smp", std::to_string(c.smp));
    r.emplace_back("ram", std::to_string(c.ram_size));
    r.emplace_back("gic-version", c.gic_version);
    r.emplace_back("virtualization", c.virtualization ? "on" : "off");
    // The devices in their bus slots; a disk's size is part of what the
    // guest has seen.
    std::string devices = "pl011 pl031";
    for (size_t n = 0; n < c.virtio.size(); n++) {
        const VirtioDeviceConfig& v = c.virtio[n];
        devices += " virtio" + std::to_string(n) + ":";
        if (v.kind == VirtioDeviceConfig::Kind::Rng) {
            devices += "rng";
        } else {
            auto* blk = dynamic_cast<VirtioBlk*>(&virtio[n]->device());
            devices += std::string(v.read_only ? "blk-ro" : "blk") + "/" +
                       std::to_string(blk ? blk->backend().size() : 0);
        }
    }
    r.emplace_back("devices", devices);
    return r;
}

std::vector<RamBlock> bus_ram_blocks(const Bus& bus) {
    std::vector<RamBlock> v;
    for (const BusRegion& r : bus.regions())
        if (r.host) v.push_back({r.name, r.host, r.size});
    return v;
}

std::vector<StateObject*>
object_pointers(const std::vector<std::unique_ptr<StateObject>>& objects) {
    std::vector<StateObject*> v;
    for (auto& o : objects)
        v.push_back(o.get());
    return v;
}

std::vector<uint8_t> write_board_snapshot(ConfigRecord cfg, std::span<StateObject* const> objects,
                                          std::span<const RamBlock> ram, SnapshotTiming* timing) {
    auto t0 = std::chrono::steady_clock::now();
    cfg.emplace_back("info.guest-clock-ns",
                     std::to_string(guest_counter_ticks() * (1'000'000'000 / kCounterFrequencyHz)));
    SaveStats st;
    std::vector<uint8_t> out = write_snapshot(cfg, objects, ram, &st);
    if (timing) {
        timing->stats = st;
        timing->seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return out;
}

std::unique_ptr<StateObject> make_board_object(bool& reset_pending) {
    return make_mirrored_object<BoardSnapshotState>(kBoardSection, 0,
                                                    {[&reset_pending] {
                                                         BoardSnapshotState b;
                                                         b.guest_counter = guest_counter_ticks();
                                                         b.reset_pending = reset_pending;
                                                         return b;
                                                     },
                                                     {},
                                                     [&reset_pending](const BoardSnapshotState& b) {
                                                         set_guest_counter_ticks(b.guest_counter);
                                                         reset_pending = b.reset_pending;
                                                     }});
}

VirtSnapshot::VirtSnapshot(VirtMachine& m) : m_(m) {
    objects_.push_back(make_board_object(m_.reset_pending_));
    const unsigned max_el = m_.cfg_.virtualization ? 2 : 1;
    for (auto& cpu : m_.cpus_) {
        Cpu* c = cpu.get();
        objects_.push_back(make_mirrored_object<CpuSnapshotState>(
            kCpuSection, c->index,
            {[c] { return capture_cpu_snapshot(*c); },
             [max_el](const CpuSnapshotState& st) { return cpu_snapshot_problem(st, max_el); },
             [c](const CpuSnapshotState& st) { restore_cpu_snapshot(*c, st); }}));
    }
    GicV3* gic = m_.gic_.get();
    objects_.push_back(make_mirrored_object<GicV3State>(
        kGicSection, 0,
        {[gic] { return gic->state(); },
         [gic](const GicV3State& st) { return gic_snapshot_problem(*gic, st); },
         [gic](const GicV3State& st) { gic->load_state(st); }}));
    add_device_objects(objects_, *m_.uart_, *m_.rtc_, m_.virtio_);
}

VirtSnapshot::~VirtSnapshot() = default;

ConfigRecord VirtSnapshot::config() const {
    return virt_config_record(m_.cfg_, m_.virtio_);
}

std::vector<StateObject*> VirtSnapshot::objects() const {
    return object_pointers(objects_);
}

std::vector<RamBlock> VirtSnapshot::ram() const {
    return bus_ram_blocks(m_.bus_);
}

std::vector<uint8_t> VirtSnapshot::save(SnapshotTiming* timing) {
    return write_board_snapshot(config(), objects(), ram(), timing);
}

void VirtSnapshot::load(std::span<const uint8_t> stream, std::span<StateObject* const> extra) {
    auto objs = objects();
    objs.insert(objs.end(), extra.begin(), extra.end());
    auto blocks = ram();
    read_snapshot(stream, config(), objs, blocks, explain_config_difference);
    // The GIC's input levels are now the snapshot's, and the devices'
    // cached output levels are the restored devices' own; a device that
    // committed before the GIC (the timers) or whose cached level did not
    // change would otherwise leave a stale level in the GIC for good (a
    // timer interrupt that never comes again).
    m_.redrive_irq_lines();
    // RAM changed under the translated code and the TLBs.
    m_.exec_->tbs().flush();
    for (auto& c : m_.cpus_)
        c->tlb.flush();
}

nlohmann::json VirtSnapshot::describe_format() const {
    auto objs = objects();
    return savevm::describe_format(objs);
}

} // namespace kestrel
