#include "savevm/snapshot_stream.hpp"

#include "savevm/ram_codec.hpp"

#include <map>
#include <memory>
#include <sys/mman.h>
#include <zlib.h>

namespace kestrel::savevm {

namespace {

constexpr uint8_t kTagSection = 'S';
constexpr uint8_t kTagRam = 'R';
constexpr uint8_t kTagTrailer = 'Z';

uint32_t crc_of(const uint8_t* p, size_t n) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return static_cast<uint32_t>(crc);
}

ConfigRecord read_header(ByteReader& r) {
    char magic[8];
    r.bytes(magic, 8);
    if (std::memcmp(magic, kMagic, 8) != 0) r.fail("not a Kestrel snapshot (bad magic)");
    uint32_t ver = r.u32();
    if (ver != kFormatVersion)
        r.fail("snapshot format version " + std::to_string(ver) + ", this build reads version " +
               std::to_string(kFormatVersion));
    uint32_t n = r.u32();
    if (n > 1024) r.fail("configuration record has " + std::to_string(n) + " entries");
    ConfigRecord c;
    for (uint32_t i = 0; i < n; i++) {
        std::string k = r.str(256);
        std::string v = r.str(4096);
        c.emplace_back(std::move(k), std::move(v));
    }
    return c;
}

// Host memory for staged RAM, released on scope exit.
struct StagedRam {
    uint8_t* p = nullptr;
    uint64_t size = 0;
    explicit StagedRam(uint64_t n) : size(n) {
        void* m = mmap(nullptr, n, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED)
            throw LoadError("cannot allocate " + std::to_string(n) + " bytes to stage RAM");
        p = static_cast<uint8_t*>(m);
    }
    ~StagedRam() {
        if (p) munmap(p, size);
    }
    StagedRam(const StagedRam&) = delete;
    StagedRam& operator=(const StagedRam&) = delete;
};

} // namespace

std::string config_value(const ConfigRecord& c, const std::string& key) {
    for (const auto& [k, v] : c)
        if (k == key) return v;
    return {};
}

std::string describe_config_mismatch(const ConfigRecord& snap, const ConfigRecord& own,
                                     const MismatchExplainer& explain) {
    auto compared = [](const ConfigRecord& c) {
        std::map<std::string, std::string> m;
        for (const auto& [k, v] : c)
            if (k.rfind(kInfoKeyPrefix, 0) != 0) m[k] = v;
        return m;
    };
    std::map<std::string, std::string> a = compared(snap), b = compared(own);
    std::string msg;
    auto add = [&msg](const std::string& s) { msg += (msg.empty() ? "" : "; ") + s; };
    for (const auto& [k, v] : a) {
        auto it = b.find(k);
        if (it == b.end()) {
            add("snapshot has " + k + "=" + v + ", this machine has no " + k);
        } else if (it->second != v) {
            std::string s =
                "snapshot has " + k + "=" + v + ", this machine has " + k + "=" + it->second;
            if (explain) {
                std::string why = explain(k, v, it->second);
                if (!why.empty()) s += " (" + why + ")";
            }
            add(s);
        }
    }
    for (const auto& [k, v] : b)
        if (!a.count(k)) add("this machine has " + k + "=" + v + ", the snapshot has no " + k);
    return msg;
}

std::vector<uint8_t> write_snapshot(const ConfigRecord& config,
                                    std::span<StateObject* const> objects,
                                    std::span<const RamBlock> ram, SaveStats* stats,
                                    int zlib_level) {
    ByteWriter w;
    w.bytes(kMagic, 8);
    w.u32(kFormatVersion);
    w.u32(static_cast<uint32_t>(config.size()));
    for (const auto& [k, v] : config) {
        w.str(k);
        w.str(v);
    }
    for (StateObject* o : objects) {
        w.u8(kTagSection);
        w.str(o->name());
        w.u32(o->instance());
        w.u32(o->version());
        size_t len_at = w.reserve_u64();
        size_t start = w.size();
        o->save(w);
        w.patch_u64(len_at, w.size() - start);
    }
    uint64_t zero_pages = 0, ram_bytes = 0;
    for (const RamBlock& b : ram) {
        w.u8(kTagRam);
        w.str(b.name);
        w.u64(b.size);
        size_t len_at = w.reserve_u64();
        size_t start = w.size();
        zero_pages += encode_ram(w, b.host, b.size, zlib_level);
        ram_bytes += b.size;
        w.patch_u64(len_at, w.size() - start);
    }
    uint32_t crc = crc_of(w.data().data(), w.size());
    w.u8(kTagTrailer);
    w.u32(crc);
    if (stats) {
        stats->ram_bytes = ram_bytes;
        stats->ram_zero_pages = zero_pages;
        stats->stream_bytes = w.size();
    }
    return std::move(w.data());
}

ConfigRecord read_snapshot_config(std::span<const uint8_t> stream) {
    ByteReader r(stream.data(), stream.size(), "snapshot header");
    return read_header(r);
}

void read_snapshot(std::span<const uint8_t> stream, const ConfigRecord& own_config,
                   std::span<StateObject* const> objects, std::span<const RamBlock> ram,
                   const MismatchExplainer& explain) {
    if (stream.size() < 5)
        throw LoadError("snapshot is truncated (" + std::to_string(stream.size()) + " bytes)");
    // Integrity first: a damaged stream is reported as such, whatever part
    // of it is damaged.
    size_t body = stream.size() - 5;
    ByteReader trailer(stream.data() + body, 5, "snapshot trailer");
    if (trailer.u8() != kTagTrailer) {
        ByteReader hr(stream.data(), stream.size(), "snapshot");
        read_header(hr); // a foreign file fails here with a clearer message
        throw LoadError("snapshot is truncated or corrupt (no trailer)");
    }
    uint32_t want = trailer.u32();
    uint32_t got = crc_of(stream.data(), body);
    if (want != got) {
        ByteReader hr(stream.data(), body, "snapshot");
        read_header(hr);
        throw LoadError("snapshot is corrupt (CRC mismatch)");
    }
    ByteReader r(stream.data(), body, "snapshot");
    ConfigRecord snap_config = read_header(r);
    std::string mismatch = describe_config_mismatch(snap_config, own_config, explain);
    if (!mismatch.empty()) throw LoadError("snapshot does not fit this machine: " + mismatch);

    std::map<std::pair<std::string, uint32_t>, StateObject*> by_key;
    for (StateObject* o : objects)
        by_key[{std::string(o->name()), o->instance()}] = o;
    std::map<std::string, const RamBlock*> ram_by_name;
    for (const RamBlock& b : ram)
        ram_by_name[b.name] = &b;
    std::vector<std::unique_ptr<StagedRam>> staged_ram;
    std::vector<std::pair<const RamBlock*, const StagedRam*>> ram_commits;

    auto discard_all = [&] {
        for (StateObject* o : objects)
            o->discard();
    };
    try {
        std::map<std::pair<std::string, uint32_t>, bool> loaded;
        while (r.remaining() > 0) {
            uint8_t tag = r.u8();
            if (tag == kTagSection) {
                std::string name = r.str(256);
                uint32_t inst = r.u32();
                uint32_t ver = r.u32();
                uint64_t len = r.u64();
                std::string what = "section '" + name + "' instance " + std::to_string(inst);
                if (len > r.remaining()) r.fail(what + " is truncated");
                auto it = by_key.find({name, inst});
                if (it == by_key.end()) r.fail("unknown " + what);
                if (loaded[{name, inst}]) r.fail(what + " appears twice");
                loaded[{name, inst}] = true;
                ByteReader sr = r.sub(static_cast<size_t>(len), what);
                it->second->load(sr, ver);
                if (sr.remaining() != 0) sr.fail(std::to_string(sr.remaining()) + " unread bytes");
            } else if (tag == kTagRam) {
                std::string name = r.str(256);
                uint64_t size = r.u64();
                uint64_t len = r.u64();
                auto it = ram_by_name.find(name);
                if (it == ram_by_name.end()) r.fail("unknown RAM block '" + name + "'");
                if (it->second->size != size)
                    r.fail("RAM block '" + name + "' has " + std::to_string(size) +
                           " bytes, this machine has " + std::to_string(it->second->size));
                if (len > r.remaining()) r.fail("RAM block '" + name + "' is truncated");
                ByteReader rr = r.sub(static_cast<size_t>(len), "RAM block '" + name + "'");
                staged_ram.push_back(std::make_unique<StagedRam>(size));
                decode_ram(rr, staged_ram.back()->p, size);
                if (rr.remaining() != 0) rr.fail("trailing bytes");
                ram_commits.emplace_back(it->second, staged_ram.back().get());
            } else {
                r.fail("corrupt record tag " + std::to_string(tag));
            }
        }
        for (StateObject* o : objects) {
            if (auto err = o->validate()) throw LoadError(*err);
        }
        if (ram_commits.size() != ram.size()) throw LoadError("snapshot lacks RAM contents");
    } catch (const std::bad_alloc&) {
        discard_all();
        throw LoadError("snapshot needs more memory than is available to load");
    } catch (...) {
        discard_all();
        throw;
    }
    // Commit: from here on nothing can fail in the process itself; an
    // object backed by the kernel may still be refused, which is reported
    // once everything has been committed.
    for (auto& [block, staged] : ram_commits)
        std::memcpy(block->host, staged->p, block->size);
    for (StateObject* o : objects)
        o->commit();
    std::string errors;
    for (StateObject* o : objects)
        if (auto err = o->commit_error()) errors += (errors.empty() ? "" : "; ") + *err;
    if (!errors.empty())
        throw PartialLoadError("the snapshot was checked, but installing it failed, so the "
                               "machine state may be partial: " +
                               errors);
}

nlohmann::json describe_format(std::span<StateObject* const> objects) {
    nlohmann::json j;
    j["magic"] = std::string(kMagic, 8);
    j["format_version"] = kFormatVersion;
    j["sections"] = nlohmann::json::array();
    for (StateObject* o : objects) {
        nlohmann::json s = o->describe();
        s["instance"] = o->instance();
        j["sections"].push_back(std::move(s));
    }
    return j;
}

} // namespace kestrel::savevm
