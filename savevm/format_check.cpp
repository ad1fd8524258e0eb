#include "savevm/format_check.hpp"

#include <map>

namespace kestrel::savevm {

namespace {

// Section name -> its description without the instance number.
std::map<std::string, nlohmann::json> sections_of(const nlohmann::json& format) {
    std::map<std::string, nlohmann::json> out;
    if (!format.contains("sections") || !format["sections"].is_array()) return out;
    for (nlohmann::json s : format["sections"]) {
        s.erase("instance");
        out[s.value("name", std::string("?"))] = s;
    }
    return out;
}

std::string version_of(const nlohmann::json& s) {
    return std::to_string(s.value("version", 0)) + " (min " +
           std::to_string(s.value("min_version", 0)) + ")";
}

} // namespace

std::vector<std::string> compare_formats(const nlohmann::json& golden,
                                         const nlohmann::json& current) {
    std::vector<std::string> out;
    if (golden.value("format_version", 0) != current.value("format_version", 0))
        out.push_back("stream format version changed from " +
                      std::to_string(golden.value("format_version", 0)) + " to " +
                      std::to_string(current.value("format_version", 0)) +
                      ": regenerate the golden format");
    auto g = sections_of(golden), c = sections_of(current);
    for (const auto& [name, gs] : g) {
        auto it = c.find(name);
        if (it == c.end()) {
            out.push_back("section '" + name + "' is gone (old snapshots have it)");
            continue;
        }
        const nlohmann::json& cs = it->second;
        if (gs == cs) continue;
        if (gs.value("version", 0) == cs.value("version", 0) &&
            gs.value("min_version", 0) == cs.value("min_version", 0))
            out.push_back("section '" + name + "' changed without a version bump (still version " +
                          version_of(cs) +
                          "): bump its version (new fields with since = the new version; raise "
                          "min_version if old streams cannot be read any more), then "
                          "regenerate the golden format");
        else
            out.push_back("section '" + name + "' is now version " + version_of(cs) +
                          ", the golden format has " + version_of(gs) +
                          ": regenerate the golden format");
    }
    for (const auto& [name, cs] : c)
        if (!g.count(name))
            out.push_back("section '" + name + "' is new: add it to the golden format");
    return out;
}

} // namespace kestrel::savevm
