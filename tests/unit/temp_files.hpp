// Temporary files for tests that hand paths to the code under test.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace kestrel::test {

class TempDir {
  public:
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "kestrel-test-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (!mkdtemp(buf.data())) std::abort();
        path_ = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name, const std::vector<uint8_t>& data) const {
        std::string p = path_ + "/" + name;
        std::ofstream f(p, std::ios::binary);
        f.write(reinterpret_cast<const char*>(data.data()),
                static_cast<std::streamsize>(data.size()));
        return p;
    }
    std::string path(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// Everything written to a FILE* so far.
inline std::string file_contents(std::FILE* f) {
    std::fflush(f);
    long end = std::ftell(f);
    std::string s(static_cast<size_t>(end), '\0');
    std::rewind(f);
    size_t n = std::fread(s.data(), 1, s.size(), f);
    s.resize(n);
    std::fseek(f, 0, SEEK_END);
    return s;
}

inline std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

} // namespace kestrel::test
