#include "savevm/snapshot_store.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kestrel::savevm {

namespace {

constexpr const char* kSuffix = ".ksnap";

std::string errno_text() {
    return std::strerror(errno);
}

std::optional<std::string> mkdir_p(const std::string& path) {
    std::string cur;
    for (size_t i = 0; i <= path.size(); i++) {
        if (i == path.size() || path[i] == '/') {
            if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
                return "cannot create directory '" + cur + "': " + errno_text();
        }
        if (i < path.size()) cur += path[i];
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> write_file_atomic(const std::string& path,
                                             std::span<const uint8_t> data) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return "cannot create '" + tmp + "': " + errno_text();
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string e = "cannot write '" + tmp + "': " + errno_text();
            close(fd);
            unlink(tmp.c_str());
            return e;
        }
        off += static_cast<size_t>(n);
    }
    if (fsync(fd) != 0) {
        std::string e = "cannot sync '" + tmp + "': " + errno_text();
        close(fd);
        unlink(tmp.c_str());
        return e;
    }
    close(fd);
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        std::string e = "cannot rename to '" + path + "': " + errno_text();
        unlink(tmp.c_str());
        return e;
    }
    // Make the rename itself durable.
    size_t slash = path.rfind('/');
    std::string dir =
        slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path, std::vector<uint8_t>& out) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "cannot open '" + path + "': " + errno_text();
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return "'" + path + "' is not a regular file";
    }
    out.resize(static_cast<size_t>(st.st_size));
    size_t off = 0;
    while (off < out.size()) {
        ssize_t n = read(fd, out.data() + off, out.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    close(fd);
    out.resize(off);
    return std::nullopt;
}

bool SnapshotStore::valid_tag(const std::string& tag) {
    if (tag.empty() || tag.size() > 128 || tag[0] == '.') return false;
    for (char c : tag)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

std::string SnapshotStore::path_of(const std::string& tag) const {
    return dir_ + "/" + tag + kSuffix;
}

std::optional<std::string> SnapshotStore::ensure_dir() {
    return mkdir_p(dir_);
}

std::optional<std::string> SnapshotStore::save(const std::string& tag,
                                               std::span<const uint8_t> data) {
    if (!valid_tag(tag))
        return "invalid snapshot tag '" + tag + "' (use letters, digits, '-', '_', '.')";
    if (auto e = ensure_dir()) return e;
    return write_file_atomic(path_of(tag), data);
}

std::optional<std::string> SnapshotStore::load(const std::string& tag,
                                               std::vector<uint8_t>& out) const {
    if (!valid_tag(tag)) return "invalid snapshot tag '" + tag + "'";
    if (access(path_of(tag).c_str(), F_OK) != 0)
        return "snapshot '" + tag + "' does not exist in " + dir_;
    return read_file(path_of(tag), out);
}

std::optional<std::string> SnapshotStore::remove(const std::string& tag) {
    if (!valid_tag(tag)) return "invalid snapshot tag '" + tag + "'";
    if (unlink(path_of(tag).c_str()) != 0) {
        if (errno == ENOENT) return "snapshot '" + tag + "' does not exist";
        return "cannot delete snapshot '" + tag + "': " + errno_text();
    }
    return std::nullopt;
}

std::vector<StoredSnapshot> SnapshotStore::list() const {
    std::vector<StoredSnapshot> out;
    DIR* d = opendir(dir_.c_str());
    if (!d) return out;
    const size_t slen = std::strlen(kSuffix);
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() <= slen || name.compare(name.size() - slen, slen, kSuffix) != 0) continue;
        std::string tag = name.substr(0, name.size() - slen);
        if (!valid_tag(tag)) continue;
        struct stat st;
        if (stat((dir_ + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        out.push_back({tag, static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
    }
    closedir(d);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tag < b.tag; });
    return out;
}

std::string default_snapshot_dir() {
    if (const char* e = std::getenv("KESTREL_SAVEVM_DIR"); e && *e) return e;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        return std::string(x) + "/kestrel/snapshots";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.local/share/kestrel/snapshots";
    return ".kestrel-snapshots";
}

} // namespace kestrel::savevm
