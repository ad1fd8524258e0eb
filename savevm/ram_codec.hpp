// RAM in the snapshot: chunks of 256 pages, each a bitmap of the non-zero
// pages followed by those pages compressed with zlib.
#pragma once
#include "savevm/byte_stream.hpp"

#include <cstdint>
#include <vector>

namespace kestrel::savevm {

// Appends the encoding of [host, host+size) to w; returns the number of
// all-zero pages that were elided.
uint64_t encode_ram(ByteWriter& w, const uint8_t* host, uint64_t size, int zlib_level);
// Decodes into dst (size bytes), which the caller has zeroed or not: every
// byte is written.
void decode_ram(ByteReader& r, uint8_t* dst, uint64_t size);

} // namespace kestrel::savevm
