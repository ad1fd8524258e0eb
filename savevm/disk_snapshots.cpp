#include "savevm/disk_snapshots.hpp"

#include "hw/virtio/block_backend.hpp"
#include "savevm/byte_stream.hpp"
#include "savevm/snapshot_store.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace kestrel::savevm {

namespace {

constexpr char kSideMagic[8] = {'K', 'S', 'T', 'R', 'L', 'C', 'B', 'W'};
constexpr uint32_t kSideVersion = 1;

std::string errno_text() {
    return std::strerror(errno);
}

bool pwrite_all(int fd, const void* p, size_t n, uint64_t off) {
    const auto* b = static_cast<const uint8_t*>(p);
    while (n > 0) {
        ssize_t w = pwrite(fd, b, n, static_cast<off_t>(off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        b += w;
        n -= static_cast<size_t>(w);
        off += static_cast<uint64_t>(w);
    }
    return true;
}

bool pread_all(int fd, void* p, size_t n, uint64_t off) {
    auto* b = static_cast<uint8_t*>(p);
    while (n > 0) {
        ssize_t r = pread(fd, b, n, static_cast<off_t>(off));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        b += r;
        n -= static_cast<size_t>(r);
        off += static_cast<uint64_t>(r);
    }
    return true;
}

uint32_t record_crc(uint64_t cluster, const uint8_t* data, size_t n) {
    uLong c = crc32(0L, reinterpret_cast<const Bytef*>(&cluster), 8);
    return static_cast<uint32_t>(crc32(c, data, static_cast<uInt>(n)));
}

std::string canonical(const std::string& path) {
    char buf[PATH_MAX];
    if (realpath(path.c_str(), buf)) return buf;
    return path;
}

} // namespace

DiskSnapshots::DiskSnapshots(BlockBackend& disk, unsigned index, std::string dir)
    : disk_(disk), index_(index), dir_(std::move(dir)), identity_(canonical(disk.path())) {
    scan();
    disk_.before_write = [this](uint64_t off, uint64_t len) { return before_write(off, len); };
    disk_.before_flush = [this] { return before_flush(); };
}

DiskSnapshots::~DiskSnapshots() {
    disk_.before_write = nullptr;
    disk_.before_flush = nullptr;
    for (auto& s : snaps_)
        if (s->fd >= 0) close(s->fd);
}

std::string DiskSnapshots::side_file(const std::string& tag) const {
    return dir_ + "/" + tag + ".disk" + std::to_string(index_);
}

uint64_t DiskSnapshots::cluster_bytes(uint64_t cluster) const {
    uint64_t start = cluster * kClusterSize;
    if (start >= disk_.size()) return 0;
    return std::min<uint64_t>(kClusterSize, disk_.size() - start);
}

int DiskSnapshots::find(const std::string& tag) const {
    for (size_t i = 0; i < snaps_.size(); i++)
        if (snaps_[i]->tag == tag) return static_cast<int>(i);
    return -1;
}

std::vector<std::string> DiskSnapshots::tags() const {
    std::vector<std::string> v;
    for (auto& s : snaps_)
        v.push_back(s->tag);
    return v;
}

void DiskSnapshots::scan() {
    DIR* d = opendir(dir_.c_str());
    if (!d) return; // no directory yet: no snapshots
    std::string suffix = ".disk" + std::to_string(index_);
    std::vector<std::string> found;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > suffix.size() &&
            n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
            found.push_back(n.substr(0, n.size() - suffix.size()));
    }
    closedir(d);
    for (const std::string& tag : found) {
        if (!SnapshotStore::valid_tag(tag)) continue;
        if (auto err = load_side_file(side_file(tag), tag)) throw std::runtime_error(*err);
    }
    std::sort(snaps_.begin(), snaps_.end(),
              [](const auto& a, const auto& b) { return a->seq < b->seq; });
}

std::optional<std::string> DiskSnapshots::load_side_file(const std::string& path,
                                                         const std::string& tag) {
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return "cannot open '" + path + "': " + errno_text();
    struct stat st;
    fstat(fd, &st);
    std::vector<uint8_t> head(4096);
    ssize_t got = pread(fd, head.data(), head.size(), 0);
    if (got < 0) got = 0;
    ByteReader r(head.data(), static_cast<size_t>(got), path);
    auto snap = std::make_unique<Snap>();
    try {
        char magic[8];
        r.bytes(magic, 8);
        if (std::memcmp(magic, kSideMagic, 8) != 0) r.fail("not a Kestrel disk snapshot file");
        if (r.u32() != kSideVersion) r.fail("unknown version");
        if (r.u32() != kClusterSize) r.fail("unsupported cluster size");
        uint64_t size = r.u64();
        snap->seq = r.u64();
        std::string ident = r.str(PATH_MAX);
        // Another image's snapshot that happens to use the same disk
        // number: not ours, leave it alone.
        if (ident != identity_ || size != disk_.size()) {
            close(fd);
            return std::nullopt;
        }
    } catch (const LoadError& e) {
        close(fd);
        return std::string(e.what());
    }
    // Records, up to the first torn or damaged one.
    uint64_t off = r.pos();
    const uint64_t rec = 8 + kClusterSize + 4;
    std::vector<uint8_t> buf(rec);
    while (off + rec <= static_cast<uint64_t>(st.st_size)) {
        if (!pread_all(fd, buf.data(), rec, off)) break;
        uint64_t cluster;
        uint32_t crc;
        std::memcpy(&cluster, buf.data(), 8);
        std::memcpy(&crc, buf.data() + 8 + kClusterSize, 4);
        if (crc != record_crc(cluster, buf.data() + 8, kClusterSize)) break;
        snap->clusters[cluster] = off + 8;
        off += rec;
    }
    snap->tag = tag;
    snap->fd = fd;
    snap->end = off;
    snaps_.push_back(std::move(snap));
    return std::nullopt;
}

bool DiskSnapshots::append(Snap& s, uint64_t cluster, const uint8_t* data) {
    std::vector<uint8_t> rec(8 + kClusterSize + 4);
    std::memcpy(rec.data(), &cluster, 8);
    std::memcpy(rec.data() + 8, data, kClusterSize);
    uint32_t crc = record_crc(cluster, data, kClusterSize);
    std::memcpy(rec.data() + 8 + kClusterSize, &crc, 4);
    if (!pwrite_all(s.fd, rec.data(), rec.size(), s.end)) return false;
    s.clusters[cluster] = s.end + 8;
    s.end += rec.size();
    return true;
}

bool DiskSnapshots::read_cluster(const Snap& s, uint64_t cluster, uint8_t* out) const {
    auto it = s.clusters.find(cluster);
    return it != s.clusters.end() && pread_all(s.fd, out, kClusterSize, it->second);
}

bool DiskSnapshots::before_write(uint64_t offset, uint64_t len) {
    if (snaps_.empty() || len == 0) return true;
    Snap& newest = *snaps_.back();
    std::vector<uint8_t> buf(kClusterSize);
    for (uint64_t c = offset / kClusterSize; c <= (offset + len - 1) / kClusterSize; c++) {
        if (newest.clusters.count(c)) continue;
        uint64_t n = cluster_bytes(c);
        if (n == 0) break;
        std::fill(buf.begin(), buf.end(), 0);
        if (!disk_.read(c * kClusterSize, buf.data(), n)) return false;
        if (!append(newest, c, buf.data())) return false;
    }
    return true;
}

bool DiskSnapshots::before_flush() {
    return snaps_.empty() || fdatasync(snaps_.back()->fd) == 0;
}

std::optional<std::string> DiskSnapshots::begin(const std::string& tag) {
    if (find(tag) >= 0)
        if (auto err = remove(tag)) return err;
    std::string path = side_file(tag);
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return "cannot create '" + path + "': " + errno_text();
    auto s = std::make_unique<Snap>();
    s->tag = tag;
    s->fd = fd;
    s->seq = snaps_.empty() ? 1 : snaps_.back()->seq + 1;
    ByteWriter w;
    w.bytes(kSideMagic, 8);
    w.u32(kSideVersion);
    w.u32(kClusterSize);
    w.u64(disk_.size());
    w.u64(s->seq);
    w.str(identity_);
    // The disk's writes so far must be durable before they count as the
    // snapshot's contents.
    (void)disk_.flush();
    if (!pwrite_all(fd, w.data().data(), w.size(), 0) || fsync(fd) != 0) {
        close(fd);
        unlink(path.c_str());
        return "cannot write '" + path + "': " + errno_text();
    }
    s->end = w.size();
    snaps_.push_back(std::move(s));
    return std::nullopt;
}

std::optional<std::string> DiskSnapshots::check(const std::string& tag) const {
    if (find(tag) < 0)
        return "snapshot '" + tag + "' holds no contents of disk " + std::to_string(index_) +
               " ('" + disk_.path() + "'; " + side_file(tag) + " is missing)";
    return std::nullopt;
}

std::optional<std::string> DiskSnapshots::restore(const std::string& tag) {
    int k = find(tag);
    if (k < 0) return check(tag);
    // Every cluster written since the snapshot has a copy in it or in a
    // newer one; the oldest copy at or after the snapshot is its content.
    std::set<uint64_t> clusters;
    for (size_t j = static_cast<size_t>(k); j < snaps_.size(); j++)
        for (const auto& [c, off] : snaps_[j]->clusters)
            clusters.insert(c);
    std::vector<uint8_t> buf(kClusterSize);
    for (uint64_t c : clusters) {
        const Snap* from = nullptr;
        for (size_t j = static_cast<size_t>(k); j < snaps_.size() && !from; j++)
            if (snaps_[j]->clusters.count(c)) from = snaps_[j].get();
        if (!read_cluster(*from, c, buf.data()))
            return "cannot read '" + side_file(from->tag) + "': " + errno_text();
        uint64_t n = cluster_bytes(c);
        if (n == 0) continue;
        if (!disk_.write(c * kClusterSize, buf.data(), n))
            return "cannot write disk '" + disk_.path() + "': " + errno_text();
    }
    return std::nullopt;
}

std::optional<std::string> DiskSnapshots::remove(const std::string& tag) {
    int k = find(tag);
    if (k < 0) return std::nullopt; // nothing saved for this disk
    Snap& gone = *snaps_[static_cast<size_t>(k)];
    if (k > 0) {
        // The older neighbour reads through this snapshot for the clusters
        // it lacks: give them to it.
        Snap& older = *snaps_[static_cast<size_t>(k - 1)];
        std::vector<uint8_t> buf(kClusterSize);
        for (const auto& [c, off] : gone.clusters) {
            if (older.clusters.count(c)) continue;
            if (!read_cluster(gone, c, buf.data()) || !append(older, c, buf.data()))
                return "cannot move disk contents from '" + side_file(gone.tag) + "' to '" +
                       side_file(older.tag) + "': " + errno_text();
        }
        if (fdatasync(older.fd) != 0)
            return "cannot sync '" + side_file(older.tag) + "': " + errno_text();
    }
    close(gone.fd);
    unlink(side_file(gone.tag).c_str());
    snaps_.erase(snaps_.begin() + k);
    return std::nullopt;
}

} // namespace kestrel::savevm
