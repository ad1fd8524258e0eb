#include "tests/difftest/qemu_runner.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kestrel::difftest {

namespace {

bool executable(const std::string& p) {
    return !p.empty() && access(p.c_str(), X_OK) == 0;
}

// A temporary file that removes itself.
struct TempFile {
    std::string path;
    int fd = -1;
    explicit TempFile(const char* tag) {
        const char* dir = std::getenv("TMPDIR");
        path = std::string(dir && *dir ? dir : "/tmp") + "/kestrel-difftest-" + tag + "-XXXXXX";
        fd = mkstemp(path.data());
    }
    ~TempFile() {
        if (fd >= 0) close(fd);
        if (!path.empty()) unlink(path.c_str());
    }
};

bool write_all(int fd, const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        c += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

bool read_all(int fd, void* p, size_t n) {
    char* c = static_cast<char*>(p);
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        c += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

} // namespace

std::optional<std::string> find_qemu(const std::string& given) {
    if (executable(given)) return given;
    if (const char* env = std::getenv("KESTREL_QEMU_AARCH64"); env && executable(env))
        return std::string(env);
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string cand = dirs.substr(start, end - start) + "/qemu-aarch64";
        if (executable(cand)) return cand;
        start = end + 1;
    }
    return std::nullopt;
}

std::optional<QemuBatch> run_qemu_batch(const std::string& qemu, const std::string& qemu_cpu,
                                        const std::string& harness, uint64_t buf_seed,
                                        const std::vector<dt_case>& cases, int timeout_s) {
    TempFile in("cases"), out("results");
    if (in.fd < 0 || out.fd < 0) {
        std::fprintf(stderr, "difftest: cannot create temporary files: %s\n", std::strerror(errno));
        return std::nullopt;
    }
    dt_batch_header h{};
    h.magic = DT_BATCH_MAGIC;
    h.ncases = static_cast<uint32_t>(cases.size());
    h.buf_seed = buf_seed;
    if (!write_all(in.fd, &h, sizeof h) ||
        !write_all(in.fd, cases.data(), cases.size() * sizeof(dt_case)) ||
        lseek(in.fd, 0, SEEK_SET) != 0) {
        std::fprintf(stderr, "difftest: cannot write the case file %s\n", in.path.c_str());
        return std::nullopt;
    }

    pid_t pid = fork();
    if (pid < 0) {
        std::fprintf(stderr, "difftest: fork failed: %s\n", std::strerror(errno));
        return std::nullopt;
    }
    if (pid == 0) {
        dup2(in.fd, 0);
        dup2(out.fd, 1);
        std::vector<const char*> argv = {qemu.c_str()};
        if (!qemu_cpu.empty()) {
            argv.push_back("-cpu");
            argv.push_back(qemu_cpu.c_str());
        }
        argv.push_back(harness.c_str());
        argv.push_back(nullptr);
        execv(qemu.c_str(), const_cast<char* const*>(argv.data()));
        _exit(127);
    }
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            std::fprintf(stderr, "difftest: waitpid failed: %s\n", std::strerror(errno));
            return std::nullopt;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            std::fprintf(stderr, "difftest: qemu-aarch64 timed out after %d s (a case may loop)\n",
                         timeout_s);
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "difftest: harness under qemu-aarch64 failed (%s %d)\n",
                     WIFEXITED(status) ? "exit status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return std::nullopt;
    }

    QemuBatch b;
    auto rh = std::make_unique<dt_result_header>();
    b.results.resize(cases.size());
    if (lseek(out.fd, 0, SEEK_SET) != 0 || !read_all(out.fd, rh.get(), sizeof *rh) ||
        rh->magic != DT_RESULT_MAGIC || rh->ncases != cases.size() ||
        !read_all(out.fd, b.results.data(), b.results.size() * sizeof(dt_result))) {
        std::fprintf(stderr, "difftest: short or malformed harness output\n");
        return std::nullopt;
    }
    b.prologue.assign(rh->prologue, rh->prologue + DT_PROLOGUE_SIZE);
    return b;
}

} // namespace kestrel::difftest
