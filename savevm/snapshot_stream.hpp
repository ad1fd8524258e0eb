// The snapshot stream: header with a configuration record, sections in a
// fixed order, RAM blocks, and a CRC-32 trailer over everything before it.
//
//   "KSTRLSNP" u32 format_version
//   config: u32 count, then count × (str key, str value)
//   records: 'S' str name, u32 instance, u32 version, u64 len, payload
//            'R' str name, u64 size, u64 len, RAM payload (see ram_codec.hpp)
//   'Z' u32 crc32 (of every byte before the 'Z')
#pragma once
#include "savevm/section.hpp"

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace kestrel::savevm {

constexpr char kMagic[8] = {'K', 'S', 'T', 'R', 'L', 'S', 'N', 'P'};
constexpr uint32_t kFormatVersion = 1;

// What the machine is: a snapshot loads only into an equal configuration.
// Keys starting with "info." are facts about the snapshot (guest clock,
// date) that `info snapshots` shows; they take no part in the comparison.
using ConfigRecord = std::vector<std::pair<std::string, std::string>>;
constexpr const char* kInfoKeyPrefix = "info.";

// Optional extra words for one configuration difference (e.g. what two GIC
// versions mean); returns "" when it has nothing to add.
using MismatchExplainer = std::function<std::string(
    const std::string& key, const std::string& snapshot_value, const std::string& own_value)>;

struct RamBlock {
    std::string name;
    uint8_t* host;
    uint64_t size;
};

struct SaveStats {
    uint64_t ram_bytes = 0;      // guest RAM size
    uint64_t ram_zero_pages = 0; // pages elided as all-zero
    uint64_t stream_bytes = 0;   // total stream size
};

std::vector<uint8_t> write_snapshot(const ConfigRecord& config,
                                    std::span<StateObject* const> objects,
                                    std::span<const RamBlock> ram, SaveStats* stats = nullptr,
                                    int zlib_level = 1);

// Installing a checked snapshot failed part-way (an object's commit_error,
// e.g. the kernel refused a register under KVM). Unlike any other
// LoadError, the machine may now hold part of the snapshot.
class PartialLoadError : public LoadError {
  public:
    using LoadError::LoadError;
};

// Verifies and loads a stream. On success every object and RAM block holds
// the snapshot's state; on failure (LoadError) nothing has changed, except
// for a PartialLoadError (an object could not install its checked state).
void read_snapshot(std::span<const uint8_t> stream, const ConfigRecord& own_config,
                   std::span<StateObject* const> objects, std::span<const RamBlock> ram,
                   const MismatchExplainer& explain = {});

// The differences between two configuration records, "" when none.
std::string describe_config_mismatch(const ConfigRecord& snapshot, const ConfigRecord& own,
                                     const MismatchExplainer& explain = {});
// The value of key in c, or "".
std::string config_value(const ConfigRecord& c, const std::string& key);

// Reads only the header's configuration record (for `info snapshots`).
ConfigRecord read_snapshot_config(std::span<const uint8_t> stream);

// The JSON description of the format for these objects (-dump-state-format).
nlohmann::json describe_format(std::span<StateObject* const> objects);

} // namespace kestrel::savevm
