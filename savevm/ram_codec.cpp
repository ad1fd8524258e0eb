#include "savevm/ram_codec.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>
#include <zlib.h>

namespace kestrel::savevm {

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t kChunkPages = 256;

bool page_is_zero(const uint8_t* p) {
    const uint64_t* q = reinterpret_cast<const uint64_t*>(p);
    uint64_t acc = 0;
    for (unsigned i = 0; i < kPage / 8; i++)
        acc |= q[i];
    return acc == 0;
}
} // namespace

namespace {

// Encodes chunks [first_chunk, last_chunk) into out; returns zero pages.
uint64_t encode_chunks(std::vector<uint8_t>& out, const uint8_t* host, uint64_t size,
                       uint64_t first_chunk, uint64_t last_chunk, int zlib_level) {
    ByteWriter w;
    uint64_t zero_pages = 0;
    std::vector<uint8_t> plain, packed;
    uint64_t pages = (size + kPage - 1) / kPage;
    for (uint64_t chunk = first_chunk; chunk < last_chunk; chunk++) {
        uint64_t first = chunk * kChunkPages;
        uint64_t n = std::min(kChunkPages, pages - first);
        uint8_t bitmap[kChunkPages / 8] = {};
        plain.clear();
        for (uint64_t i = 0; i < n; i++) {
            uint64_t off = (first + i) * kPage;
            uint64_t len = std::min(kPage, size - off);
            const uint8_t* p = host + off;
            bool zero = len == kPage ? page_is_zero(p)
                                     : std::all_of(p, p + len, [](uint8_t b) { return b == 0; });
            if (zero) {
                zero_pages++;
                continue;
            }
            bitmap[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
            plain.insert(plain.end(), p, p + len);
        }
        w.bytes(bitmap, sizeof bitmap);
        if (plain.empty()) {
            w.u32(0);
            continue;
        }
        uLongf out_len = compressBound(plain.size());
        packed.resize(out_len);
        if (compress2(packed.data(), &out_len, plain.data(), plain.size(), zlib_level) != Z_OK)
            throw std::runtime_error("zlib compression failed");
        w.u32(static_cast<uint32_t>(out_len));
        w.bytes(packed.data(), out_len);
    }
    out = std::move(w.data());
    return zero_pages;
}

} // namespace

uint64_t encode_ram(ByteWriter& w, const uint8_t* host, uint64_t size, int zlib_level) {
    // Chunks are independent: large RAM is compressed on several threads
    // (the guest is stopped meanwhile, so this is the time it waits).
    uint64_t pages = (size + kPage - 1) / kPage;
    uint64_t chunks = (pages + kChunkPages - 1) / kChunkPages;
    unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    if (chunks < 64) threads = 1;
    std::vector<std::vector<uint8_t>> parts(threads);
    std::vector<uint64_t> zeros(threads, 0);
    std::vector<std::exception_ptr> errors(threads);
    auto work = [&](unsigned t) {
        try {
            zeros[t] = encode_chunks(parts[t], host, size, chunks * t / threads,
                                     chunks * (t + 1) / threads, zlib_level);
        } catch (...) {
            errors[t] = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; t++)
        pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool)
        th.join();
    uint64_t zero_pages = 0;
    for (unsigned t = 0; t < threads; t++) {
        if (errors[t]) std::rethrow_exception(errors[t]);
        w.bytes(parts[t].data(), parts[t].size());
        zero_pages += zeros[t];
    }
    return zero_pages;
}

void decode_ram(ByteReader& r, uint8_t* dst, uint64_t size) {
    std::vector<uint8_t> packed, plain;
    uint64_t pages = (size + kPage - 1) / kPage;
    for (uint64_t first = 0; first < pages; first += kChunkPages) {
        uint64_t n = std::min(kChunkPages, pages - first);
        uint8_t bitmap[kChunkPages / 8];
        r.bytes(bitmap, sizeof bitmap);
        uint64_t expect = 0;
        for (uint64_t i = 0; i < n; i++)
            if (bitmap[i / 8] & (1u << (i % 8)))
                expect += std::min(kPage, size - (first + i) * kPage);
        for (uint64_t i = n; i < kChunkPages; i++)
            if (bitmap[i / 8] & (1u << (i % 8)))
                r.fail("RAM bitmap marks pages beyond the end of RAM");
        uint32_t clen = r.u32();
        if (expect == 0 && clen != 0) r.fail("RAM chunk has data but no pages");
        if (expect != 0) {
            if (clen > r.remaining()) r.fail("RAM chunk is truncated");
            packed.resize(clen);
            r.bytes(packed.data(), clen);
            plain.resize(expect);
            uLongf out_len = expect;
            if (uncompress(plain.data(), &out_len, packed.data(), clen) != Z_OK ||
                out_len != expect)
                r.fail("RAM chunk at page " + std::to_string(first) + " does not decompress");
        }
        size_t pos = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t off = (first + i) * kPage;
            uint64_t len = std::min(kPage, size - off);
            if (bitmap[i / 8] & (1u << (i % 8))) {
                std::memcpy(dst + off, plain.data() + pos, len);
                pos += len;
            } else {
                std::memset(dst + off, 0, len);
            }
        }
    }
}

} // namespace kestrel::savevm
