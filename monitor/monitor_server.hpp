// Serves a monitor on a socket or on stdio, one client at a time, each on
// its own thread.
#pragma once
#include "monitor/machine_control.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace kestrel {

enum class MonitorKind { Human, Machine };

class MonitorServer {
  public:
    // spec: "stdio", "unix:PATH[,server][,nowait]", "tcp:[HOST]:PORT[,server][,nowait]"
    // (an empty HOST means 127.0.0.1). Throws std::runtime_error with a
    // clear message when the spec is bad or the socket cannot be opened.
    MonitorServer(const std::string& spec, MonitorKind kind, MachineControl& machine);
    ~MonitorServer();
    MonitorServer(const MonitorServer&) = delete;
    MonitorServer& operator=(const MonitorServer&) = delete;

    void start();
    void shutdown();
    // Sends an event line to the connected machine-monitor client, if any.
    void broadcast_event(const std::string& line);
    // The bound TCP port (useful with port 0), or 0.
    int port() const { return port_; }

  private:
    void accept_loop();
    void serve(int in_fd, int out_fd);
    bool write_all(int fd, const std::string& s);

    MonitorKind kind_;
    MachineControl& machine_;
    std::string unix_path_;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    int port_ = 0;
    bool stdio_ = false;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::mutex client_mu_;
    int client_out_fd_ = -1;
    bool client_ready_ = false; // machine monitor: capabilities negotiated
};

} // namespace kestrel
