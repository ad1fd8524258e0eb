// The human and machine monitors against a scripted machine.
#include "monitor/hmp.hpp"
#include "monitor/monitor_server.hpp"
#include "monitor/qmp.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

using namespace kestrel;

namespace {

class FakeMachine : public MachineControl {
  public:
    bool is_running = true;
    std::vector<std::string> calls;
    std::vector<SnapshotInfo> snaps;
    bool running() override { return is_running; }
    void stop() override {
        calls.push_back("stop");
        is_running = false;
    }
    void cont() override {
        calls.push_back("cont");
        is_running = true;
    }
    void system_reset() override { calls.push_back("reset"); }
    void system_powerdown() override { calls.push_back("powerdown"); }
    void quit() override { calls.push_back("quit"); }
    ControlResult savevm(const std::string& tag) override {
        calls.push_back("savevm " + tag);
        if (tag == "bad") return ControlResult::error("disk full");
        snaps.push_back({tag, 3 << 20, 0, 1'500'000'000});
        return {};
    }
    ControlResult loadvm(const std::string& tag) override {
        calls.push_back("loadvm " + tag);
        for (auto& s : snaps)
            if (s.tag == tag) return {};
        return ControlResult::error("no snapshot '" + tag + "'");
    }
    ControlResult delvm(const std::string& tag) override {
        calls.push_back("delvm " + tag);
        return {};
    }
    std::vector<SnapshotInfo> snapshots() override { return snaps; }
    ControlResult migrate(const std::string& uri) override {
        calls.push_back("migrate " + uri);
        return {};
    }
    std::string info_registers(int cpu) override { return "regs of " + std::to_string(cpu) + "\n"; }
    std::string info_cpus() override { return "* CPU #0\n"; }
    std::string info_gic() override { return "gic\n"; }
};

} // namespace

TEST_CASE("human monitor commands reach the machine") {
    FakeMachine m;
    Hmp h(m);
    CHECK(h.execute("info status") == "VM status: running\n");
    CHECK(h.execute("stop") == "");
    CHECK(h.execute("info status") == "VM status: paused\n");
    CHECK(h.execute("cont") == "");
    CHECK(h.execute("savevm snap1") == "");
    CHECK(h.execute("savevm bad") == "Error: disk full\n");
    CHECK(h.execute("loadvm nope") == "Error: no snapshot 'nope'\n");
    CHECK(h.execute("loadvm snap1") == "");
    CHECK(h.execute("info registers 1") == "regs of 1\n");
    CHECK(h.execute("info registers") == "regs of -1\n");
    CHECK(h.execute("info registers x").find("Error") == 0);
    CHECK(h.execute("savevm").find("Error") == 0);
    CHECK(h.execute("frobnicate").find("unknown command 'frobnicate'") != std::string::npos);
    std::string snaps = h.execute("info snapshots");
    CHECK(snaps.find("snap1") != std::string::npos);
    CHECK(snaps.find("3.0 MiB") != std::string::npos);
    CHECK(snaps.find("00:00:01.500") != std::string::npos);
    bool quit = false;
    h.execute("quit", &quit);
    CHECK(quit);
    CHECK(m.calls == std::vector<std::string>{"stop", "cont", "savevm snap1", "savevm bad",
                                              "loadvm nope", "loadvm snap1", "quit"});
    CHECK(h.execute("help").find("savevm TAG") != std::string::npos);
}

TEST_CASE("machine monitor: negotiation, commands, errors") {
    FakeMachine m;
    QmpSession q(m);
    auto g = nlohmann::json::parse(q.greeting());
    CHECK(g.contains("QMP"));
    auto r = nlohmann::json::parse(q.handle(R"({"execute":"query-status"})"));
    CHECK(r["error"]["class"] == "CommandNotFound");
    r = nlohmann::json::parse(q.handle(R"({"execute":"qmp_capabilities","id":7})"));
    CHECK(r["return"].is_object());
    CHECK(r["id"] == 7);
    r = nlohmann::json::parse(q.handle(R"({"execute":"query-status"})"));
    CHECK(r["return"]["status"] == "running");
    CHECK(r["return"]["running"] == true);
    r = nlohmann::json::parse(q.handle(R"({"execute":"stop"})"));
    CHECK(r.contains("return"));
    r = nlohmann::json::parse(q.handle(R"({"execute":"query-status"})"));
    CHECK(r["return"]["status"] == "paused");
    r = nlohmann::json::parse(q.handle(R"({"execute":"savevm","arguments":{"tag":"bad"}})"));
    CHECK(r["error"]["desc"] == "disk full");
    r = nlohmann::json::parse(q.handle(R"({"execute":"savevm","arguments":{"tag":5}})"));
    CHECK(r.contains("error"));
    r = nlohmann::json::parse(
        q.handle(R"({"execute":"human-monitor-command","arguments":{"command-line":"info gic"}})"));
    CHECK(r["return"] == "gic\n");
    r = nlohmann::json::parse(q.handle("{not json"));
    CHECK(r["error"]["class"] == "GenericError");
    r = nlohmann::json::parse(q.handle(R"({"execute":"nope"})"));
    CHECK(r["error"]["class"] == "CommandNotFound");
    auto e = nlohmann::json::parse(QmpSession::event("STOP"));
    CHECK(e["event"] == "STOP");
    CHECK(e["timestamp"].contains("seconds"));
}

TEST_CASE("machine monitor over a unix socket") {
    FakeMachine m;
    char dir[] = "/tmp/kestrel-mon-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    std::string path = std::string(dir) + "/qmp.sock";
    {
        MonitorServer srv("unix:" + path + ",server,nowait", MonitorKind::Machine, m);
        srv.start();
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strcpy(sa.sun_path, path.c_str());
        REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        auto read_line = [fd] {
            std::string s;
            char c;
            while (read(fd, &c, 1) == 1 && c != '\n')
                s += c;
            return s;
        };
        CHECK(nlohmann::json::parse(read_line()).contains("QMP"));
        std::string req = "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-status\"}\n";
        REQUIRE(write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
        CHECK(nlohmann::json::parse(read_line())["return"].is_object());
        CHECK(nlohmann::json::parse(read_line())["return"]["running"] == true);
        srv.broadcast_event(QmpSession::event("STOP"));
        CHECK(nlohmann::json::parse(read_line())["event"] == "STOP");
        close(fd);
        srv.shutdown();
    }
    rmdir(dir);
}

TEST_CASE("bad monitor specs are refused with a message") {
    FakeMachine m;
    CHECK_THROWS_WITH_AS(MonitorServer("pipe:x", MonitorKind::Human, m),
                         doctest::Contains("expected stdio"), std::runtime_error);
    CHECK_THROWS_WITH_AS(MonitorServer("tcp:127.0.0.1:99999,server,nowait", MonitorKind::Human, m),
                         doctest::Contains("bad port"), std::runtime_error);
    CHECK_THROWS_WITH_AS(MonitorServer("tcp:127.0.0.1:0,server,wait", MonitorKind::Human, m),
                         doctest::Contains("unsupported option"), std::runtime_error);
}

TEST_CASE("human monitor over TCP on loopback") {
    FakeMachine m;
    MonitorServer srv("tcp::0,server,nowait", MonitorKind::Human, m);
    REQUIRE(srv.port() > 0);
    srv.start();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(srv.port()));
    sa.sin_addr.s_addr = htonl(0x7f000001);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    auto read_until_prompt = [fd] {
        std::string s;
        char c;
        while (s.size() < 10 || s.compare(s.size() - 10, 10, "(kestrel) ") != 0) {
            if (read(fd, &c, 1) != 1) break;
            s += c;
        }
        return s;
    };
    CHECK(read_until_prompt().find("Kestrel monitor") != std::string::npos);
    std::string cmd = "info status\n";
    REQUIRE(write(fd, cmd.data(), cmd.size()) == static_cast<ssize_t>(cmd.size()));
    CHECK(read_until_prompt() == "VM status: running\n(kestrel) ");
    close(fd);
    srv.shutdown();
}
