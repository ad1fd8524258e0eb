// The human monitor: text commands in the style users know from other
// emulators ("info registers", "savevm TAG", ...).
#pragma once
#include "monitor/machine_control.hpp"

#include <string>

namespace kestrel {

class Hmp {
  public:
    explicit Hmp(MachineControl& m) : m_(m) {}
    static constexpr const char* kPrompt = "(kestrel) ";
    // Runs one command line and returns its output (possibly empty; each
    // line ends with '\n'). Sets *quit when the user asked to quit.
    std::string execute(const std::string& line, bool* quit = nullptr);

  private:
    MachineControl& m_;
};

std::string format_snapshot_table(const std::vector<SnapshotInfo>& list);

} // namespace kestrel
