#include "machine/virt/semihosting.hpp"

#include "cpu/log.hpp"

#include <cerrno>
#include <ctime>
#include <string>

namespace kestrel {

namespace {

// Handles for the host's standard streams (SYS_OPEN of ":tt" returns them).
constexpr uint64_t kHandleStdin = 0, kHandleStdout = 1, kHandleStderr = 2;

std::string read_string(Cpu& cpu, uint64_t addr, uint64_t len) {
    std::string s;
    for (uint64_t i = 0; i < len; i++)
        s.push_back(static_cast<char>(cpu.load<uint8_t>(addr + i)));
    return s;
}

} // namespace

int Semihosting::exit_status(uint64_t reason, uint64_t subcode) {
    if (reason == semihosting::kApplicationExit) return static_cast<int>(subcode & 0xff);
    return 1;
}

std::FILE* Semihosting::file_for(uint64_t handle) const {
    if (handle == kHandleStdout) return out_;
    if (handle == kHandleStderr) return err_;
    return nullptr;
}

int64_t Semihosting::write(Cpu& cpu, uint64_t handle, uint64_t buf, uint64_t len) {
    if (handle != kHandleStdout && handle != kHandleStderr) {
        errno_ = EBADF;
        return static_cast<int64_t>(len); // nothing written
    }
    std::FILE* f = file_for(handle);
    for (uint64_t i = 0; i < len; i++) {
        uint8_t ch = cpu.load<uint8_t>(buf + i);
        if (f) std::fputc(ch, f);
    }
    if (f) std::fflush(f);
    return 0; // SYS_WRITE returns the number of bytes NOT written
}

bool Semihosting::call(Cpu& cpu) {
    uint32_t op = static_cast<uint32_t>(cpu.s.x[0]);
    uint64_t arg = cpu.s.x[1];
    // Parameter blocks hold 64-bit fields on AArch64.
    auto field = [&](unsigned n) { return cpu.load<uint64_t>(arg + 8 * n); };
    int64_t ret = -1;
    switch (op) {
    case semihosting::kWriteC:
        if (console_) {
            std::fputc(cpu.load<uint8_t>(arg), console_);
            std::fflush(console_);
        }
        return true; // x0 is corrupted by the call: leave it
    case semihosting::kWrite0: {
        for (uint8_t ch; (ch = cpu.load<uint8_t>(arg)) != 0; arg++)
            if (console_) std::fputc(ch, console_);
        if (console_) std::fflush(console_);
        return true;
    }
    case semihosting::kWrite: ret = write(cpu, field(0), field(1), field(2)); break;
    case semihosting::kRead: {
        // The host's stdin belongs to the UART: reads see end of file.
        uint64_t len = field(2);
        ret = static_cast<int64_t>(len);
        break;
    }
    case semihosting::kOpen: {
        uint64_t name = field(0), mode = field(1), len = field(2);
        if (len == 3 && read_string(cpu, name, 3) == ":tt") {
            ret = mode < 4 ? kHandleStdin : mode < 8 ? kHandleStdout : kHandleStderr;
        } else {
            errno_ = EACCES; // host files are not exposed to the guest
            ret = -1;
        }
        break;
    }
    case semihosting::kClose: {
        uint64_t h = field(0);
        ret = h <= kHandleStderr ? 0 : -1;
        if (ret) errno_ = EBADF;
        break;
    }
    case semihosting::kIsTty: ret = field(0) <= kHandleStderr ? 1 : 0; break;
    case semihosting::kClock: {
        auto cs = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start_)
                      .count() /
                  10;
        ret = static_cast<int64_t>(cs);
        break;
    }
    case semihosting::kTime: ret = static_cast<int64_t>(std::time(nullptr)); break;
    case semihosting::kErrno: ret = errno_; break;
    case semihosting::kExit:
    case semihosting::kExitExtended: {
        // AArch64 always passes a block {reason, subcode}.
        int status = exit_status(field(0), field(1));
        if (on_exit) on_exit(cpu, status);
        cpu.halt(status);
    }
    default:
        if (log_enabled(kLogUnimp)) log_printf("semihosting: unsupported operation 0x%x\n", op);
        ret = -1;
        break;
    }
    cpu.s.x[0] = static_cast<uint64_t>(ret);
    return true;
}

} // namespace kestrel
