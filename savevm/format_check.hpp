// Compares a snapshot format description (describe_format() JSON) with a
// checked-in golden copy, so a change to any section's fields that is not
// accompanied by a version bump is caught (tests/unit/test_virt_snapshot.cpp).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kestrel::savevm {

// One message per difference, naming the section and what to do; empty
// when the formats agree. Sections are matched by name (instances share
// their description).
std::vector<std::string> compare_formats(const nlohmann::json& golden,
                                         const nlohmann::json& current);

} // namespace kestrel::savevm
