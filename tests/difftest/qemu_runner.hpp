// Runs a batch of difftest cases in one qemu-aarch64 process (the
// harness program) and reads back its results.
#pragma once
#include "tests/difftest/difftest_format.h"

#include <optional>
#include <string>
#include <vector>

namespace kestrel::difftest {

struct QemuBatch {
    std::vector<uint8_t> prologue; // first page of the harness's code region
    std::vector<dt_result> results;
};

// Finds qemu-aarch64: the given path, else $KESTREL_QEMU_AARCH64, else PATH.
std::optional<std::string> find_qemu(const std::string& given);

// Returns nothing (and prints why on stderr) when qemu or the harness
// failed; a batch that ran always has one result per case.
std::optional<QemuBatch> run_qemu_batch(const std::string& qemu, const std::string& qemu_cpu,
                                        const std::string& harness, uint64_t buf_seed,
                                        const std::vector<dt_case>& cases, int timeout_s);

} // namespace kestrel::difftest
