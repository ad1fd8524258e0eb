#include "hw/virtio/block_backend.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace kestrel {

BlockBackend::BlockBackend(const std::string& path, bool read_only)
    : path_(path), read_only_(read_only) {
    fd_ = open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd_ < 0)
        throw std::runtime_error("cannot open disk image '" + path + "': " + std::strerror(errno));
    struct stat st;
    if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd_);
        throw std::runtime_error("disk image '" + path + "' is not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
}

BlockBackend::~BlockBackend() {
    if (fd_ >= 0) close(fd_);
}

bool BlockBackend::read(uint64_t offset, void* dst, uint64_t len) {
    auto* p = static_cast<uint8_t*>(dst);
    while (len > 0) {
        ssize_t n = pread(fd_, p, len, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) { // past the end of a file that shrank: zeros
            std::memset(p, 0, len);
            return true;
        }
        p += n;
        offset += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return true;
}

bool BlockBackend::write(uint64_t offset, const void* src, uint64_t len) {
    if (read_only_) return false;
    if (before_write && !before_write(offset, len)) return false;
    return write_raw(offset, src, len);
}

bool BlockBackend::write_raw(uint64_t offset, const void* src, uint64_t len) {
    if (read_only_) return false;
    const auto* p = static_cast<const uint8_t*>(src);
    while (len > 0) {
        ssize_t n = pwrite(fd_, p, len, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        offset += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return true;
}

bool BlockBackend::flush() {
    if (before_flush && !before_flush()) return false;
    return read_only_ || fdatasync(fd_) == 0;
}

} // namespace kestrel
