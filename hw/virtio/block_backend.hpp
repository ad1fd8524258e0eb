// Storage behind a virtio-blk device: a raw image file.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace kestrel {

class BlockBackend {
  public:
    // Opens path; throws std::runtime_error with a clear message on failure.
    BlockBackend(const std::string& path, bool read_only);
    ~BlockBackend();
    BlockBackend(const BlockBackend&) = delete;
    BlockBackend& operator=(const BlockBackend&) = delete;

    uint64_t size() const { return size_; }
    bool read_only() const { return read_only_; }
    const std::string& path() const { return path_; }
    // Each returns false on an I/O error (reported to the guest).
    bool read(uint64_t offset, void* dst, uint64_t len);
    bool write(uint64_t offset, const void* src, uint64_t len);
    bool flush();

    // Called before every write with its range, and before every flush
    // (snapshots copy old contents aside there); false fails the request.
    std::function<bool(uint64_t offset, uint64_t len)> before_write;
    std::function<bool()> before_flush;
    // Writes without the hook (for the snapshot layer itself).
    bool write_raw(uint64_t offset, const void* src, uint64_t len);

  private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    bool read_only_;
};

} // namespace kestrel
