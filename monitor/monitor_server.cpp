#include "monitor/monitor_server.hpp"

#include "monitor/hmp.hpp"
#include "monitor/qmp.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace kestrel {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p - start));
        if (p == std::string::npos) break;
        start = p + 1;
    }
    return out;
}

[[noreturn]] void fail(const std::string& spec, const std::string& why) {
    throw std::runtime_error("monitor '" + spec + "': " + why);
}

} // namespace

MonitorServer::MonitorServer(const std::string& spec, MonitorKind kind, MachineControl& machine)
    : kind_(kind), machine_(machine) {
    if (pipe(wake_pipe_) != 0) fail(spec, "cannot create a pipe");
    if (spec == "stdio") {
        stdio_ = true;
        return;
    }
    auto parts = split(spec, ',');
    for (size_t i = 1; i < parts.size(); i++)
        if (parts[i] != "server" && parts[i] != "nowait" && parts[i] != "server=on" &&
            parts[i] != "wait=off")
            fail(spec, "unsupported option '" + parts[i] + "' (use server,nowait)");
    const std::string& addr = parts[0];
    if (addr.rfind("unix:", 0) == 0) {
        unix_path_ = addr.substr(5);
        sockaddr_un sa{};
        if (unix_path_.empty() || unix_path_.size() >= sizeof sa.sun_path)
            fail(spec, "bad socket path");
        sa.sun_family = AF_UNIX;
        std::strcpy(sa.sun_path, unix_path_.c_str());
        listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unlink(unix_path_.c_str());
        if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
            fail(spec, std::string("cannot bind: ") + std::strerror(errno));
    } else if (addr.rfind("tcp:", 0) == 0) {
        std::string rest = addr.substr(4);
        size_t colon = rest.rfind(':');
        if (colon == std::string::npos) fail(spec, "expected tcp:HOST:PORT");
        std::string host = rest.substr(0, colon);
        if (host.empty()) host = "127.0.0.1"; // loopback unless the user names another address
        if (host == "localhost") host = "127.0.0.1";
        char* end = nullptr;
        long p = std::strtol(rest.c_str() + colon + 1, &end, 10);
        if (!end || *end || p < 0 || p > 65535) fail(spec, "bad port");
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<uint16_t>(p));
        if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1)
            fail(spec, "bad IPv4 address '" + host + "'");
        listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
            fail(spec, std::string("cannot bind: ") + std::strerror(errno));
        socklen_t len = sizeof sa;
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
    } else {
        fail(spec, "expected stdio, unix:PATH,server,nowait or tcp:HOST:PORT,server,nowait");
    }
    if (listen(listen_fd_, 4) != 0)
        fail(spec, std::string("cannot listen: ") + std::strerror(errno));
}

MonitorServer::~MonitorServer() {
    shutdown();
    if (listen_fd_ >= 0) close(listen_fd_);
    if (!unix_path_.empty()) unlink(unix_path_.c_str());
    for (int fd : wake_pipe_)
        if (fd >= 0) close(fd);
}

void MonitorServer::start() {
    thread_ = std::thread([this] {
        if (stdio_)
            serve(0, 1);
        else
            accept_loop();
    });
}

void MonitorServer::shutdown() {
    if (stopping_.exchange(true)) return;
    if (wake_pipe_[1] >= 0) {
        char c = 0;
        (void)!write(wake_pipe_[1], &c, 1);
    }
    if (thread_.joinable()) thread_.join();
}

bool MonitorServer::write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

void MonitorServer::broadcast_event(const std::string& line) {
    std::lock_guard<std::mutex> lk(client_mu_);
    if (kind_ == MonitorKind::Machine && client_out_fd_ >= 0 && client_ready_)
        write_all(client_out_fd_, line);
}

void MonitorServer::accept_loop() {
    while (!stopping_) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents) return;
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        serve(fd, fd);
        close(fd);
    }
}

void MonitorServer::serve(int in_fd, int out_fd) {
    Hmp hmp(machine_);
    QmpSession qmp(machine_);
    {
        std::lock_guard<std::mutex> lk(client_mu_);
        client_out_fd_ = out_fd;
        client_ready_ = false;
        write_all(out_fd,
                  kind_ == MonitorKind::Human
                      ? std::string("Kestrel monitor - type 'help' for more information\n") +
                            Hmp::kPrompt
                      : qmp.greeting());
    }
    std::string buf;
    char chunk[4096];
    bool quit = false;
    while (!stopping_ && !quit) {
        pollfd fds[2] = {{in_fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) break;
        ssize_t n = read(in_fd, chunk, sizeof chunk);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
        if (buf.size() > (1u << 20)) break; // a line that never ends: drop the client
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::string reply;
            if (kind_ == MonitorKind::Human) {
                reply = hmp.execute(line, &quit);
                if (!quit) reply += Hmp::kPrompt;
            } else {
                reply = qmp.handle(line, &quit);
            }
            std::lock_guard<std::mutex> lk(client_mu_);
            client_ready_ = qmp.negotiated();
            if (!write_all(out_fd, reply)) quit = true;
            if (quit) break;
        }
    }
    std::lock_guard<std::mutex> lk(client_mu_);
    client_out_fd_ = -1;
    client_ready_ = false;
}

} // namespace kestrel
