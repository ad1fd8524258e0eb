#include "machine/stdin_console.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace kestrel {

namespace {

// The terminal settings to restore; global so signal handlers and atexit
// can reach them.
struct termios g_saved_tty;
volatile sig_atomic_t g_tty_raw = 0;

void restore_tty() {
    if (g_tty_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_tty);
        g_tty_raw = 0;
    }
}

void on_fatal_signal(int sig) {
    restore_tty();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void enter_raw_mode() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &g_saved_tty) != 0) return;
    struct termios raw = g_saved_tty;
    // Byte at a time, no echo, no input translation; Ctrl-C still
    // interrupts (ISIG) and output keeps its newline handling (OPOST).
    raw.c_iflag &=
        ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | IEXTEN);
    raw.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return;
    g_tty_raw = 1;
    static bool hooks_installed = false;
    if (!hooks_installed) {
        hooks_installed = true;
        std::atexit(restore_tty);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
            std::signal(sig, on_fatal_signal);
    }
}

} // namespace

EscapeFilter::Action EscapeFilter::feed(uint8_t byte, std::string& out) {
    if (!escape_) {
        if (byte == kEscape) {
            escape_ = true;
            return Action::None;
        }
        out.push_back(static_cast<char>(byte));
        return Action::None;
    }
    escape_ = false;
    switch (byte) {
    case kEscape: out.push_back(static_cast<char>(kEscape)); return Action::None;
    case 'x':
    case 'X': return Action::Quit;
    case 'c':
    case 'C': return Action::SwitchMonitor;
    case 'h':
    case 'H':
    case '?': return Action::Help;
    default: return Action::None; // unknown escapes are dropped
    }
}

const char* EscapeFilter::help_text() {
    // The terminal keeps output processing on, so "\n" is enough.
    return "\nC-a h    print this help\n"
           "C-a x    exit emulator\n"
           "C-a c    switch between console and monitor\n"
           "C-a C-a  sends C-a\n";
}

StdinConsole::StdinConsole(bool escapes, InputFn on_input, std::function<void()> on_quit)
    : escapes_(escapes), on_input_(std::move(on_input)), on_quit_(std::move(on_quit)) {}

StdinConsole::~StdinConsole() {
    stop();
}

void StdinConsole::start() {
    if (running_) return;
    if (pipe2(wake_, O_CLOEXEC) != 0) {
        std::perror("kestrel: pipe");
        return;
    }
    enter_raw_mode();
    running_ = true;
    thread_ = std::thread([this] { loop(); });
}

void StdinConsole::stop() {
    if (running_) {
        running_ = false;
        char c = 0;
        if (write(wake_[1], &c, 1) < 0) { /* the thread also polls running_ */
        }
    }
    if (thread_.joinable()) thread_.join();
    for (int& fd : wake_)
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
    restore_tty();
}

void StdinConsole::toggle_monitor() {
    if (!monitor_) return;
    in_monitor_ = !in_monitor_;
    line_.clear();
    std::string msg = in_monitor_ ? "\n" + banner_ + prompt_ : "\n";
    std::fputs(msg.c_str(), stdout);
    std::fflush(stdout);
}

void StdinConsole::monitor_input(const std::string& bytes) {
    std::string echo;
    for (char ch : bytes) {
        if (ch == '\r' || ch == '\n') {
            std::fputs((echo + "\n").c_str(), stdout);
            echo.clear();
            std::string out = monitor_(line_);
            line_.clear();
            std::fputs((out + prompt_).c_str(), stdout);
        } else if (ch == 0x7f || ch == 0x08) {
            if (!line_.empty()) {
                line_.pop_back();
                echo += "\b \b";
            }
        } else if (static_cast<unsigned char>(ch) >= 0x20 && line_.size() < 4096) {
            line_.push_back(ch);
            echo.push_back(ch);
        }
    }
    std::fputs(echo.c_str(), stdout);
    std::fflush(stdout);
}

void StdinConsole::loop() {
    EscapeFilter filter;
    uint8_t buf[256];
    while (running_) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        int n = poll(fds, 2, 200);
        if (n < 0) continue; // EINTR
        if (fds[1].revents) break;
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
        if (got <= 0) break; // end of input: the guest simply gets no more bytes
        if (!escapes_) {
            on_input_(buf, static_cast<size_t>(got));
            continue;
        }
        std::string out;
        for (ssize_t i = 0; i < got; i++) {
            switch (filter.feed(buf[i], out)) {
            case EscapeFilter::Action::None: break;
            case EscapeFilter::Action::Help: std::fputs(EscapeFilter::help_text(), stderr); break;
            case EscapeFilter::Action::SwitchMonitor:
                // Bytes before the switch belong to the side that had the input.
                if (!out.empty()) {
                    if (in_monitor_)
                        monitor_input(out);
                    else
                        on_input_(reinterpret_cast<const uint8_t*>(out.data()), out.size());
                    out.clear();
                }
                toggle_monitor();
                break;
            case EscapeFilter::Action::Quit:
                if (!out.empty())
                    on_input_(reinterpret_cast<const uint8_t*>(out.data()), out.size());
                std::fputs("kestrel: terminated\n", stderr);
                on_quit_();
                return;
            }
        }
        if (out.empty()) continue;
        if (in_monitor_)
            monitor_input(out);
        else
            on_input_(reinterpret_cast<const uint8_t*>(out.data()), out.size());
    }
}

} // namespace kestrel
