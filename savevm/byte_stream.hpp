// Bounds-checked little-endian byte streams for the snapshot format.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kestrel::savevm {

// A snapshot that cannot be loaded: truncated, corrupt, or not fitting the
// machine. The message says which and names the section.
class LoadError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ByteWriter {
  public:
    void u8(uint8_t v) { buf_.push_back(v); }
    void u16(uint16_t v) { put(&v, 2); }
    void u32(uint32_t v) { put(&v, 4); }
    void u64(uint64_t v) { put(&v, 8); }
    void bytes(const void* p, size_t n) { put(p, n); }
    void str(std::string_view s) {
        u32(static_cast<uint32_t>(s.size()));
        put(s.data(), s.size());
    }
    // Reserves a u64 to be filled later (e.g. a payload length).
    size_t reserve_u64() {
        size_t at = buf_.size();
        u64(0);
        return at;
    }
    void patch_u64(size_t at, uint64_t v) { std::memcpy(buf_.data() + at, &v, 8); }
    size_t size() const { return buf_.size(); }
    std::vector<uint8_t>& data() { return buf_; }

  private:
    void put(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        buf_.insert(buf_.end(), b, b + n);
    }
    std::vector<uint8_t> buf_;
};

class ByteReader {
  public:
    ByteReader(const uint8_t* p, size_t n, std::string what)
        : p_(p), n_(n), what_(std::move(what)) {}
    uint8_t u8() { return get<uint8_t>(); }
    uint16_t u16() { return get<uint16_t>(); }
    uint32_t u32() { return get<uint32_t>(); }
    uint64_t u64() { return get<uint64_t>(); }
    void bytes(void* dst, size_t n) {
        need(n);
        if (n == 0) return; // dst may be an empty vector's null data()
        std::memcpy(dst, p_ + pos_, n);
        pos_ += n;
    }
    std::string str(size_t max_len = 4096) {
        uint32_t len = u32();
        if (len > max_len) fail("string of " + std::to_string(len) + " bytes");
        need(len);
        std::string s(reinterpret_cast<const char*>(p_ + pos_), len);
        pos_ += len;
        return s;
    }
    // A sub-reader over the next n bytes (which this reader skips).
    ByteReader sub(size_t n, std::string what) {
        need(n);
        ByteReader r(p_ + pos_, n, std::move(what));
        pos_ += n;
        return r;
    }
    size_t remaining() const { return n_ - pos_; }
    size_t pos() const { return pos_; }
    const std::string& what() const { return what_; }
    [[noreturn]] void fail(const std::string& msg) const { throw LoadError(what_ + ": " + msg); }

  private:
    template <typename T> T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, p_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    void need(size_t n) const {
        if (n > n_ - pos_)
            fail("truncated (needs " + std::to_string(n) + " more bytes, " +
                 std::to_string(n_ - pos_) + " left)");
    }
    const uint8_t* p_;
    size_t n_;
    size_t pos_ = 0;
    std::string what_;
};

} // namespace kestrel::savevm
