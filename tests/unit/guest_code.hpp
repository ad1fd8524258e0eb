// Hand-assembled A64 instructions (encodings from the Arm ARM) for tests
// that run tiny guests.
#pragma once
#include <cstdint>
#include <vector>

namespace kestrel::test {

inline uint32_t movz(unsigned rd, uint32_t imm16, unsigned hw = 0) {
    return 0xd2800000u | (hw << 21) | ((imm16 & 0xffff) << 5) | rd;
}
inline uint32_t movk(unsigned rd, uint32_t imm16, unsigned hw) {
    return 0xf2800000u | (hw << 21) | ((imm16 & 0xffff) << 5) | rd;
}
constexpr uint32_t kHvc0 = 0xd4000002u;
constexpr uint32_t kSmc0 = 0xd4000003u;
constexpr uint32_t kHltSemihosting = 0xd45e0000u; // HLT #0xF000
constexpr uint32_t kBrk0 = 0xd4200000u;
constexpr uint32_t kBranchSelf = 0x14000000u;

// Appends MOVZ/MOVK x<rd> = value.
inline void load_imm64(std::vector<uint32_t>& code, unsigned rd, uint64_t value) {
    code.push_back(movz(rd, static_cast<uint32_t>(value & 0xffff)));
    for (unsigned hw = 1; hw < 4; hw++)
        code.push_back(movk(rd, static_cast<uint32_t>(value >> (16 * hw)), hw));
}

inline std::vector<uint8_t> to_bytes(const std::vector<uint32_t>& words) {
    std::vector<uint8_t> out;
    for (uint32_t w : words)
        for (unsigned i = 0; i < 4; i++)
            out.push_back(static_cast<uint8_t>(w >> (8 * i)));
    return out;
}

} // namespace kestrel::test
