// Arm semihosting (AArch64: HLT #0xF000, operation in w0, parameter or
// parameter block address in x1, result in x0), enabled with -semihosting.
// Supports console output (SYS_WRITEC, SYS_WRITE0, SYS_WRITE to the
// standard handles), ":tt" opens, a few queries and exiting. Guest
// pointers are read through the core's MMU: a bad pointer raises the
// guest's data abort, it never reaches the host.
#pragma once
#include "cpu/cpu.hpp"

#include <chrono>
#include <cstdio>
#include <functional>

namespace kestrel {

namespace semihosting {
enum : uint32_t {
    kOpen = 0x01,
    kClose = 0x02,
    kWriteC = 0x03,
    kWrite0 = 0x04,
    kWrite = 0x05,
    kRead = 0x06,
    kIsTty = 0x09,
    kClock = 0x10,
    kTime = 0x11,
    kErrno = 0x13,
    kExit = 0x18,
    kExitExtended = 0x20,
};
constexpr uint64_t kApplicationExit = 0x20026; // ADP_Stopped_ApplicationExit
} // namespace semihosting

class Semihosting {
  public:
    // console receives SYS_WRITEC/SYS_WRITE0 (the host's stderr on the
    // board, as in the common emulators); handle 1 writes to out, handle 2
    // to err. nullptr discards.
    Semihosting(std::FILE* console, std::FILE* out, std::FILE* err)
        : console_(console), out_(out), err_(err) {}

    // Called with the exit status on SYS_EXIT / SYS_EXIT_EXTENDED; the
    // calling core then halts (CpuExit is thrown).
    std::function<void(Cpu&, int status)> on_exit;

    // Performs the call in the core's registers; always returns true.
    bool call(Cpu& cpu);

    // The process exit status for an exit reason and subcode.
    static int exit_status(uint64_t reason, uint64_t subcode);

  private:
    std::FILE* file_for(uint64_t handle) const;
    int64_t write(Cpu& cpu, uint64_t handle, uint64_t buf, uint64_t len);

    std::FILE* console_;
    std::FILE* out_;
    std::FILE* err_;
    int64_t errno_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace kestrel
