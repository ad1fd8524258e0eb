// Storage behind a virtio-blk device: a raw image file.
#pragma once
#include <cstdint>
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

  private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    bool read_only_;
};

} // namespace kestrel
