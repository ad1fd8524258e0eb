// kestrel: the command-line front end.
#include "machine/virt/virt_machine.hpp"

#include <cstdio>
#include <cstring>
#include <string>

using namespace kestrel;

int main(int argc, char** argv) {
    VirtConfig cfg;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "kestrel: option '%s' needs an argument\n", a.c_str());
                std::exit(1);
            }
            return argv[++i];
        };
        if (a == "-kernel") cfg.kernel = next();
        else if (a == "-cpu") cfg.cpu_model = next();
        else if (a == "-M" || a == "-machine") next();
        else if (a == "-nographic") {}
        else if (a == "-semihosting") cfg.semihosting = true;
        else {
            std::fprintf(stderr, "kestrel: unknown option '%s'\n", a.c_str());
            return 1;
        }
    }
    try {
        VirtMachine m(cfg);
        return m.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kestrel: %s\n", e.what());
        return 1;
    }
}
