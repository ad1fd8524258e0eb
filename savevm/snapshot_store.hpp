// Snapshots on disk: one file per tag in a directory, written atomically
// (temporary file, fsync, rename) so a crash mid-save never damages an
// existing snapshot.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kestrel::savevm {

struct StoredSnapshot {
    std::string tag;
    uint64_t size = 0;
    int64_t mtime = 0; // seconds since the epoch
};

class SnapshotStore {
  public:
    explicit SnapshotStore(std::string dir) : dir_(std::move(dir)) {}
    const std::string& dir() const { return dir_; }

    // A tag names a file: letters, digits, '-', '_', '.', not starting with '.'.
    static bool valid_tag(const std::string& tag);

    // Each returns an error message, or nothing on success.
    std::optional<std::string> save(const std::string& tag, std::span<const uint8_t> data);
    std::optional<std::string> load(const std::string& tag, std::vector<uint8_t>& out) const;
    std::optional<std::string> remove(const std::string& tag);
    std::vector<StoredSnapshot> list() const;
    std::string path_of(const std::string& tag) const;
    // Creates the directory (and its parents) if needed.
    std::optional<std::string> ensure_dir();

  private:
    std::string dir_;
};

// Whole-file helpers for `migrate file:` / `-incoming file:` (atomic write).
std::optional<std::string> write_file_atomic(const std::string& path,
                                             std::span<const uint8_t> data);
std::optional<std::string> read_file(const std::string& path, std::vector<uint8_t>& out);

// The default snapshot directory: $KESTREL_SAVEVM_DIR, else
// $XDG_DATA_HOME/kestrel/snapshots, else ~/.local/share/kestrel/snapshots.
std::string default_snapshot_dir();

} // namespace kestrel::savevm
