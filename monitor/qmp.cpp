#include "monitor/qmp.hpp"

#include "monitor/hmp.hpp"

#include <chrono>

namespace kestrel {

namespace {

nlohmann::json error_reply(const std::string& cls, const std::string& desc) {
    return {{"error", {{"class", cls}, {"desc", desc}}}};
}

nlohmann::json from_result(const ControlResult& r) {
    if (r.ok) return {{"return", nlohmann::json::object()}};
    return error_reply("GenericError", r.message);
}

} // namespace

std::string QmpSession::greeting() const {
    nlohmann::json g = {
        {"QMP",
         {{"version",
           {{"qemu", {{"major", 7}, {"minor", 2}, {"micro", 0}}}, {"package", "kestrel"}}},
          {"capabilities", nlohmann::json::array()}}}};
    return g.dump() + "\n";
}

std::string QmpSession::event(const std::string& name, const nlohmann::json& data) {
    using namespace std::chrono;
    auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    nlohmann::json e = {{"event", name},
                        {"timestamp", {{"seconds", us / 1000000}, {"microseconds", us % 1000000}}}};
    if (!data.is_null()) e["data"] = data;
    return e.dump() + "\n";
}

std::string QmpSession::handle(const std::string& line, bool* quit) {
    nlohmann::json req;
    try {
        req = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
        return error_reply("GenericError", "JSON parse error").dump() + "\n";
    }
    if (!req.is_object() || !req.contains("execute") || !req["execute"].is_string())
        return error_reply("GenericError", "expected an object with 'execute'").dump() + "\n";
    nlohmann::json args = req.value("arguments", nlohmann::json::object());
    nlohmann::json reply;
    if (!args.is_object()) {
        reply = error_reply("GenericError", "'arguments' must be an object");
    } else {
        try {
            reply = execute(req["execute"].get<std::string>(), args, quit);
        } catch (const nlohmann::json::exception& e) {
            reply = error_reply("GenericError", std::string("bad arguments: ") + e.what());
        }
    }
    if (req.contains("id")) reply["id"] = req["id"];
    return reply.dump() + "\n";
}

nlohmann::json QmpSession::execute(const std::string& cmd, const nlohmann::json& args, bool* quit) {
    if (cmd == "qmp_capabilities") {
        if (negotiated_)
            return error_reply("CommandNotFound", "Capabilities negotiation is already complete");
        negotiated_ = true;
        return {{"return", nlohmann::json::object()}};
    }
    if (!negotiated_)
        return error_reply("CommandNotFound",
                           "Expecting capabilities negotiation with 'qmp_capabilities'");
    if (cmd == "query-status") {
        bool running = m_.running();
        return {{"return",
                 {{"status", running ? "running" : "paused"},
                  {"running", running},
                  {"singlestep", false}}}};
    }
    if (cmd == "stop") {
        m_.stop();
        return {{"return", nlohmann::json::object()}};
    }
    if (cmd == "cont") {
        m_.cont();
        return {{"return", nlohmann::json::object()}};
    }
    if (cmd == "system_reset") {
        m_.system_reset();
        return {{"return", nlohmann::json::object()}};
    }
    if (cmd == "system_powerdown") {
        m_.system_powerdown();
        return {{"return", nlohmann::json::object()}};
    }
    if (cmd == "quit") {
        if (quit) *quit = true;
        m_.quit();
        return {{"return", nlohmann::json::object()}};
    }
    if (cmd == "savevm" || cmd == "loadvm" || cmd == "delvm") {
        if (!args.contains("tag") || !args["tag"].is_string())
            return error_reply("GenericError", "parameter 'tag' is missing or not a string");
        std::string tag = args["tag"].get<std::string>();
        if (cmd == "savevm") return from_result(m_.savevm(tag));
        if (cmd == "loadvm") return from_result(m_.loadvm(tag));
        return from_result(m_.delvm(tag));
    }
    if (cmd == "query-snapshots") {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& s : m_.snapshots())
            list.push_back({{"tag", s.tag},
                            {"vm-state-size", s.size},
                            {"date-sec", s.date},
                            {"vm-clock-nsec", s.guest_clock_ns}});
        return {{"return", list}};
    }
    if (cmd == "migrate") {
        if (!args.contains("uri") || !args["uri"].is_string())
            return error_reply("GenericError", "parameter 'uri' is missing or not a string");
        return from_result(m_.migrate(args["uri"].get<std::string>()));
    }
    if (cmd == "human-monitor-command") {
        if (!args.contains("command-line") || !args["command-line"].is_string())
            return error_reply("GenericError",
                               "parameter 'command-line' is missing or not a string");
        Hmp hmp(m_);
        return {{"return", hmp.execute(args["command-line"].get<std::string>(), quit)}};
    }
    return error_reply("CommandNotFound", "The command " + cmd + " has not been found");
}

} // namespace kestrel
