#include "machine/virt/snapshot_control.hpp"

#include "cpu/guest_counter.hpp"
#include "hw/virtio/virtio_blk.hpp"
#include "machine/virt/machine_error.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

namespace kestrel {

using namespace savevm;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string mib(uint64_t n) {
    char b[32];
    if (n < (1u << 20))
        std::snprintf(b, sizeof b, "%.1f KiB", n / 1024.0);
    else
        std::snprintf(b, sizeof b, "%.1f MiB", n / double(1 << 20));
    return b;
}

// t.seconds: the guest was stopped that long; write_seconds: the file.
std::string save_report(const std::string& what, const SnapshotTiming& t, double write_seconds) {
    char b[256];
    std::snprintf(b, sizeof b,
                  "%s: %s (RAM %s, %llu zero pages elided), guest stopped %.3f s, written in "
                  "%.3f s",
                  what.c_str(), mib(t.stats.stream_bytes).c_str(), mib(t.stats.ram_bytes).c_str(),
                  static_cast<unsigned long long>(t.stats.ram_zero_pages), t.seconds,
                  write_seconds);
    return b;
}

// The header of a snapshot file (its configuration record), without
// reading the whole file.
ConfigRecord header_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> buf(64 * 1024);
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    buf.resize(static_cast<size_t>(in.gcount()));
    try {
        return read_snapshot_config(buf);
    } catch (const LoadError&) {
        return {};
    }
}

} // namespace

std::string file_uri_path(const std::string& uri) {
    if (uri.rfind("file:", 0) != 0 || uri.size() <= 5) return {};
    return uri.substr(5);
}

// Loading a snapshot with disks: checks every disk has the snapshot's
// contents before anything is committed, and puts them back at commit
// (after the machine state, in the same safe point). It has no section of
// its own in the stream.
class DiskRestore final : public StateObject {
  public:
    DiskRestore(std::vector<std::unique_ptr<DiskSnapshots>>& disks, std::string tag)
        : disks_(disks), tag_(std::move(tag)) {}
    std::string_view name() const override { return "disks"; }
    uint32_t instance() const override { return 0; }
    uint32_t version() const override { return 1; }
    void save(ByteWriter&) override {}
    void load(ByteReader& r, uint32_t) override { r.fail("unexpected"); }
    std::optional<std::string> validate() override {
        for (auto& d : disks_)
            if (auto err = d->check(tag_)) return err;
        return std::nullopt;
    }
    void commit() override {
        for (auto& d : disks_)
            if (auto err = d->restore(tag_)) error += (error.empty() ? "" : "; ") + *err;
    }
    void discard() override {}
    nlohmann::json describe() const override { return nullptr; }
    std::string error;

  private:
    std::vector<std::unique_ptr<DiskSnapshots>>& disks_;
    std::string tag_;
};

SnapshotControl::SnapshotControl(std::vector<std::unique_ptr<VirtioMmio>>& virtio,
                                 std::string snapshot_dir)
    : store_(std::move(snapshot_dir)) {
    unsigned disk = 0;
    for (auto& t : virtio) {
        auto* blk = dynamic_cast<VirtioBlk*>(&t->device());
        if (!blk) continue;
        unsigned index = disk++;
        if (blk->backend().read_only()) continue;
        try {
            disks_.push_back(std::make_unique<DiskSnapshots>(blk->backend(), index, store_.dir()));
        } catch (const std::runtime_error& e) {
            throw MachineError(std::string("disk snapshots: ") + e.what());
        }
    }
}

SnapshotControl::~SnapshotControl() = default;

void SnapshotControl::machine_started() {
    std::lock_guard lk(phase_mu_);
    phase_ = Phase::Running;
}

void SnapshotControl::machine_finished() {
    std::lock_guard lk(phase_mu_);
    phase_ = Phase::Finished;
}

std::string SnapshotControl::shutdown_reason() const {
    std::lock_guard lk(reason_mu_);
    return shutdown_reason_.empty() ? "guest-shutdown" : shutdown_reason_;
}

void SnapshotControl::on_machine(const std::function<void()>& fn) {
    for (;;) {
        {
            std::lock_guard lk(phase_mu_);
            if (phase_ != Phase::Running) {
                fn();
                return;
            }
        }
        if (run_on_running_machine(fn)) return;
        // The machine is starting up or has just stopped: ask again.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void SnapshotControl::emit(const std::string& name, const nlohmann::json& data) {
    if (on_event) on_event(name, data);
}

void SnapshotControl::stop() {
    std::lock_guard cmd(command_mu_);
    bool changed = false;
    on_machine([&] {
        if (machine_paused()) return;
        set_machine_paused(true);
        freeze_guest_counter();
        changed = true;
    });
    running_ = false;
    if (changed) emit("STOP");
}

void SnapshotControl::cont() {
    std::lock_guard cmd(command_mu_);
    bool changed = false;
    on_machine([&] {
        if (!machine_paused()) return;
        set_machine_paused(false);
        thaw_guest_counter();
        changed = true;
    });
    running_ = true;
    if (changed) emit("RESUME");
}

void SnapshotControl::system_reset() {
    std::lock_guard cmd(command_mu_);
    on_machine([&] { reset_machine(); });
    emit("RESET", {{"guest", false}, {"reason", "host-qmp-system-reset"}});
}

void SnapshotControl::system_powerdown() {
    // The board has no ACPI or GPIO power button for the guest to see, so
    // "asking the guest to power off" powers the machine off at once, as a
    // guest's PSCI SYSTEM_OFF would.
    emit("POWERDOWN");
    {
        std::lock_guard lk(reason_mu_);
        shutdown_reason_ = "host-qmp-system-powerdown";
    }
    request_machine_quit(0);
}

void SnapshotControl::quit() {
    {
        std::lock_guard lk(reason_mu_);
        shutdown_reason_ = "host-qmp-quit";
    }
    request_machine_quit(0);
}

std::vector<uint8_t> SnapshotControl::save_frozen(SnapshotTiming* t, std::string& error) {
    // The guest does not run while it is saved: neither does its clock.
    bool was_frozen = guest_counter_frozen();
    freeze_guest_counter();
    std::vector<uint8_t> data;
    try {
        data = save_machine(t);
    } catch (const std::bad_alloc&) {
        error = "not enough memory to write the snapshot";
    } catch (const std::runtime_error& e) {
        error = e.what();
    }
    if (!was_frozen) thaw_guest_counter();
    return data;
}

ControlResult SnapshotControl::savevm(const std::string& tag) {
    std::lock_guard cmd(command_mu_);
    if (!SnapshotStore::valid_tag(tag))
        return ControlResult::error("invalid snapshot tag '" + tag +
                                    "' (use letters, digits, '-', '_', '.')");
    if (!disks_.empty())
        if (auto err = store_.ensure_dir()) return ControlResult::error(*err);
    std::vector<uint8_t> data;
    SnapshotTiming t;
    std::string error;
    size_t begun = 0; // disks whose snapshot was started
    on_machine([&] {
        data = save_frozen(&t, error);
        if (!error.empty()) return;
        // The disks' contents from this very point belong to the snapshot:
        // from now on the guest's writes copy old clusters aside.
        for (auto& d : disks_) {
            if (auto err = d->begin(tag)) {
                error = *err;
                break;
            }
            begun++;
        }
    });
    auto t0 = std::chrono::steady_clock::now();
    if (error.empty())
        if (auto err = store_.save(tag, data)) error = *err;
    if (!error.empty()) {
        // The disk layers are the executor thread's (guest writes go through them).
        on_machine([&] {
            for (size_t i = 0; i < begun; i++)
                disks_[i]->remove(tag);
        });
        return ControlResult::error(error);
    }
    return {true, save_report("snapshot '" + tag + "'", t, seconds_since(t0))};
}

ControlResult SnapshotControl::load_stream(const std::vector<uint8_t>& data,
                                           const std::string& what, StateObject* extra) {
    std::string err;
    auto t0 = std::chrono::steady_clock::now();
    on_machine([&] {
        bool was_frozen = guest_counter_frozen();
        freeze_guest_counter();
        try {
            std::vector<StateObject*> extras;
            if (extra) extras.push_back(extra);
            load_machine(data, extras);
        } catch (const LoadError& e) {
            err = e.what();
        }
        if (!was_frozen) thaw_guest_counter();
    });
    if (!err.empty()) return ControlResult::error("cannot load " + what + ": " + err);
    char b[64];
    std::snprintf(b, sizeof b, " (%s) loaded in %.3f s", mib(data.size()).c_str(),
                  seconds_since(t0));
    std::string msg = what + b;
    for (const std::string& w : load_warnings())
        msg += "; warning: " + w;
    return {true, msg};
}

ControlResult SnapshotControl::loadvm(const std::string& tag) {
    std::lock_guard cmd(command_mu_);
    std::vector<uint8_t> data;
    if (auto err = store_.load(tag, data)) return ControlResult::error(*err);
    DiskRestore disks(disks_, tag);
    ControlResult r = load_stream(data, "snapshot '" + tag + "'", &disks);
    if (r.ok && !disks.error.empty())
        return ControlResult::error("the machine state of snapshot '" + tag +
                                    "' was restored, but not all disk contents: " + disks.error);
    return r;
}

ControlResult SnapshotControl::delvm(const std::string& tag) {
    std::lock_guard cmd(command_mu_);
    if (auto err = store_.remove(tag)) return ControlResult::error(*err);
    std::string error;
    on_machine([&] {
        for (auto& d : disks_)
            if (auto err = d->remove(tag)) error = *err;
    });
    if (!error.empty()) return ControlResult::error(error);
    return {};
}

std::vector<SnapshotInfo> SnapshotControl::snapshots() {
    std::vector<SnapshotInfo> out;
    for (const StoredSnapshot& s : store_.list()) {
        SnapshotInfo i;
        i.tag = s.tag;
        i.size = s.size;
        i.date = s.mtime;
        std::string clock = config_value(header_of(store_.path_of(s.tag)), "info.guest-clock-ns");
        i.guest_clock_ns = clock.empty() ? 0 : std::strtoull(clock.c_str(), nullptr, 10);
        out.push_back(i);
    }
    return out;
}

ControlResult SnapshotControl::migrate(const std::string& uri) {
    std::lock_guard cmd(command_mu_);
    std::string path = file_uri_path(uri);
    if (path.empty())
        return ControlResult::error("unsupported migration URI '" + uri + "' (use file:PATH)");
    std::vector<uint8_t> data;
    SnapshotTiming t;
    std::string error;
    on_machine([&] { data = save_frozen(&t, error); });
    if (!error.empty()) return ControlResult::error(error);
    auto t0 = std::chrono::steady_clock::now();
    if (auto err = write_file_atomic(path, data)) return ControlResult::error(*err);
    return {true, save_report("migration stream '" + path + "'", t, seconds_since(t0))};
}

ControlResult SnapshotControl::incoming(const std::string& uri) {
    std::string path = file_uri_path(uri);
    if (path.empty())
        return ControlResult::error("-incoming: unsupported URI '" + uri + "' (use file:PATH)");
    std::vector<uint8_t> data;
    if (auto err = read_file(path, data)) return ControlResult::error(*err);
    return load_stream(data, "migration stream '" + path + "'");
}

} // namespace kestrel
