// Compiled once at configure time to see whether clang can build libFuzzer targets.
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) {
    return 0;
}
