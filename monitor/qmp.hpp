// The machine monitor: one JSON object per line, in the protocol shape that
// emulator management tools speak (greeting, qmp_capabilities, execute,
// return/error, asynchronous events).
#pragma once
#include "monitor/machine_control.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace kestrel {

class QmpSession {
  public:
    explicit QmpSession(MachineControl& m) : m_(m) {}
    std::string greeting() const;
    // Handles one line of input; returns the reply line (with '\n').
    // Sets *quit when the client asked the emulator to quit.
    std::string handle(const std::string& line, bool* quit = nullptr);
    bool negotiated() const { return negotiated_; }

    // An event line {"event": NAME, "timestamp": {...}} (with '\n').
    static std::string event(const std::string& name, const nlohmann::json& data = nullptr);

  private:
    nlohmann::json execute(const std::string& cmd, const nlohmann::json& args, bool* quit);
    MachineControl& m_;
    bool negotiated_ = false;
};

} // namespace kestrel
