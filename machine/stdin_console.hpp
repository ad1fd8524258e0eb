// The terminal side of the serial port: a thread reads stdin (in raw mode
// when it is a terminal, restored on exit) and hands the bytes to the
// board. With console escapes on (-nographic, mon:stdio), Ctrl-A is a
// prefix: Ctrl-A x quits, Ctrl-A c switches between the serial console and
// the human monitor (when one is attached), Ctrl-A h prints help, Ctrl-A
// Ctrl-A sends Ctrl-A.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace kestrel {

class EscapeFilter {
  public:
    enum class Action { None, Quit, Help, SwitchMonitor };
    static constexpr uint8_t kEscape = 0x01; // Ctrl-A

    // Feeds one byte from the terminal; appends what the guest should
    // receive to out and returns what the front end should do.
    Action feed(uint8_t byte, std::string& out);
    static const char* help_text();

  private:
    bool escape_ = false;
};

class StdinConsole {
  public:
    using InputFn = std::function<void(const uint8_t* data, size_t len)>;
    StdinConsole(bool escapes, InputFn on_input, std::function<void()> on_quit);
    ~StdinConsole();
    StdinConsole(const StdinConsole&) = delete;
    StdinConsole& operator=(const StdinConsole&) = delete;

    // Runs one monitor command line, returns its output (set before start()).
    using MonitorFn = std::function<std::string(const std::string& line)>;
    void set_monitor(MonitorFn fn, std::string prompt, std::string banner) {
        monitor_ = std::move(fn);
        prompt_ = std::move(prompt);
        banner_ = std::move(banner);
    }

    // Puts the terminal in raw mode (if stdin is one) and starts reading.
    void start();
    // Stops reading and restores the terminal; also done by the destructor.
    void stop();

  private:
    void loop();
    // Monitor mode: line editing with echo; returns false to stop reading.
    void monitor_input(const std::string& bytes);
    void toggle_monitor();

    bool escapes_;
    InputFn on_input_;
    std::function<void()> on_quit_;
    std::thread thread_;
    int wake_[2] = {-1, -1};
    std::atomic<bool> running_{false};
    MonitorFn monitor_;
    std::string prompt_, banner_;
    bool in_monitor_ = false;
    std::string line_;
};

} // namespace kestrel
