// An interrupt output of a device: a level the device drives and a sink
// (the interrupt controller's input) that is told when the level changes.
#pragma once
#include <functional>
#include <utility>

namespace kestrel {

class IrqLine {
  public:
    using Sink = std::function<void(bool level)>;

    // Connects the line to its destination; the sink is told the current level.
    void connect(Sink sink) {
        sink_ = std::move(sink);
        if (sink_) sink_(level_);
    }
    // Drives the line; the sink only hears about changes.
    void set(bool level) {
        if (level == level_) return;
        level_ = level;
        if (sink_) sink_(level);
    }
    bool level() const { return level_; }
    // Tells the sink the level again, changed or not: after the sink's own
    // state was replaced (a snapshot load), it may hold an older level.
    void resync() {
        if (sink_) sink_(level_);
    }
    bool connected() const { return static_cast<bool>(sink_); }

  private:
    bool level_ = false;
    Sink sink_;
};

} // namespace kestrel
