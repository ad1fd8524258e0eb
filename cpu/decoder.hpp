// The A64 decoder table: encodings written as bit-pattern strings with named
// fields, turned into mask/value pairs at compile time and bound to handlers.
// The same table drives decoding, the decode-order test and the random
// instruction generator of the differential tests.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace kestrel {

class Cpu;
using ExecFn = void (*)(Cpu&, uint32_t insn);

struct InsnField {
    std::string_view name;
    uint8_t lsb = 0;
    uint8_t width = 0;
};

struct InsnPattern {
    uint32_t mask = 0;  // bits fixed by the encoding
    uint32_t value = 0; // their values
    InsnField fields[12] = {};
    uint8_t nfields = 0;

    constexpr bool matches(uint32_t insn) const { return (insn & mask) == value; }
    constexpr const InsnField* field(std::string_view n) const {
        for (unsigned i = 0; i < nfields; i++)
            if (fields[i].name == n) return &fields[i];
        return nullptr;
    }
};

// Pattern syntax: whitespace-separated tokens from bit 31 down to bit 0.
// A token of 0/1/x characters gives one bit per character (x: any value);
// "name:width" is an operand field of that many bits. The widths must add
// up to 32, checked at compile time.
consteval InsnPattern P(std::string_view s) {
    InsnPattern p;
    int bit = 32;
    size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < s.size() && s[j] != ' ') j++;
        std::string_view tok = s.substr(i, j - i);
        size_t colon = tok.find(':');
        if (colon == std::string_view::npos) {
            for (char c : tok) {
                bit--;
                if (bit < 0) throw "pattern longer than 32 bits";
                if (c == '0' || c == '1') {
                    p.mask |= 1u << bit;
                    if (c == '1') p.value |= 1u << bit;
                } else if (c != 'x') {
                    throw "bad character in pattern";
                }
            }
        } else {
            int w = 0;
            for (char c : tok.substr(colon + 1)) {
                if (c < '0' || c > '9') throw "bad field width";
                w = w * 10 + (c - '0');
            }
            bit -= w;
            if (w <= 0 || bit < 0) throw "bad field width";
            if (p.nfields >= 12) throw "too many fields";
            p.fields[p.nfields++] = InsnField{tok.substr(0, colon), static_cast<uint8_t>(bit),
                                              static_cast<uint8_t>(w)};
        }
        i = j;
    }
    if (bit != 0) throw "pattern shorter than 32 bits";
    return p;
}

// Architecture features an encoding needs; a CPU model without the feature
// treats the encoding as unallocated (UNDEFINED).
enum class Feature : uint8_t {
    Base,
    LSE,
    CRC32,
    FP,
    AdvSIMD,
    FP16,
    AES,
    PMULL,
    SHA1,
    SHA256,
    SHA512,
    SHA3,
    SM3,
    SM4,
    RDM,
    DotProd,
    JSCVT,
    FCMA,
    LRCPC,
    PAN,
    ATS1E1,
    FlagM,
    FRINTTS,
    SB,
    Count
};

enum InsnFlags : uint16_t {
    kInsnEndsBlock = 1 << 0,  // handler sets cpu.pc itself (branches, state changes)
    kInsnMem = 1 << 1,        // accesses memory: difftests must place base registers
    kInsnSystem = 1 << 2,     // privileged/system: no user-mode differential test
    kInsnNoDifftest = 1 << 3, // not comparable under user-mode emulation (e.g. WFI)
};

struct InsnDesc {
    const char* name;  // mnemonic plus form, e.g. "ADD_imm"
    const char* group; // encoding group, e.g. "dp_imm"
    InsnPattern pat;
    ExecFn fn;
    Feature feature = Feature::Base;
    uint16_t flags = 0;
};

// Every group contributes a span of entries; the decoder concatenates them
// in a fixed order into the one table.
std::span<const InsnDesc> a64_table();

// Decodes one instruction word for a CPU with the given feature set.
// Returns nullptr for an unallocated encoding.
const InsnDesc* a64_decode(uint32_t insn, uint64_t feature_mask);

constexpr uint64_t feature_bit(Feature f) { return 1ull << static_cast<unsigned>(f); }

} // namespace kestrel
