// Snapshots of a writable raw disk image, by copy-before-write.
//
// Each snapshot TAG of a disk N has a side file TAG.diskN next to TAG.ksnap
// in the snapshot directory. After a snapshot is taken, the first guest
// write to each 64 KiB cluster saves the cluster's old contents into the
// side file of the NEWEST snapshot. The disk as it was at snapshot S is then:
// for every cluster, the copy in S's side file, else in the next newer
// snapshot's, ..., else the disk itself.
//
// - restore(S) writes those clusters back through the same copy-before-write
//   step, so the newest snapshot (and with it every other) stays valid;
// - remove(S) moves the clusters of S that the next older snapshot lacks
//   into that snapshot's side file, then deletes S's;
// - a new process (-loadvm) finds the side files of every snapshot of this
//   disk (same image path and size) in the directory, ordered by the
//   sequence number in their headers.
//
// Side file: "KSTRLCBW" u32 version u32 cluster_size u64 disk_size
// u64 sequence, str image path, then records (u64 cluster, cluster bytes,
// u32 CRC-32 of both). A torn last record (crash) is ignored.
// The side file is synced before the disk on a guest flush.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kestrel {

class BlockBackend;

namespace savevm {

class DiskSnapshots {
  public:
    static constexpr uint32_t kClusterSize = 64 * 1024;

    // Hooks itself into disk's writes and flushes. index: the disk number
    // (side files are TAG.disk<index>). Throws std::runtime_error when an
    // existing side file of this disk cannot be read.
    DiskSnapshots(BlockBackend& disk, unsigned index, std::string dir);
    ~DiskSnapshots();
    DiskSnapshots(const DiskSnapshots&) = delete;
    DiskSnapshots& operator=(const DiskSnapshots&) = delete;

    // A new snapshot: the disk as it is now. Replaces an older one of the
    // same tag. Returns an error message or nothing.
    std::optional<std::string> begin(const std::string& tag);
    // Whether tag can be restored (its side file is present and readable).
    std::optional<std::string> check(const std::string& tag) const;
    // Puts the disk back to its contents at tag.
    std::optional<std::string> restore(const std::string& tag);
    // Forgets tag (other snapshots keep their contents).
    std::optional<std::string> remove(const std::string& tag);
    std::vector<std::string> tags() const;
    std::string side_file(const std::string& tag) const;

    // The copy-before-write step (installed as the backend's hook).
    bool before_write(uint64_t offset, uint64_t len);
    bool before_flush();

  private:
    struct Snap {
        std::string tag;
        uint64_t seq = 0;
        int fd = -1;
        uint64_t end = 0;                                // append position
        std::unordered_map<uint64_t, uint64_t> clusters; // cluster -> data offset
    };
    void scan();
    std::optional<std::string> load_side_file(const std::string& path, const std::string& tag);
    bool append(Snap& s, uint64_t cluster, const uint8_t* data);
    bool read_cluster(const Snap& s, uint64_t cluster, uint8_t* out) const;
    uint64_t cluster_bytes(uint64_t cluster) const;
    int find(const std::string& tag) const;

    BlockBackend& disk_;
    unsigned index_;
    std::string dir_;
    std::string identity_;                     // the image's canonical path
    std::vector<std::unique_ptr<Snap>> snaps_; // oldest first
};

} // namespace savevm
} // namespace kestrel
