// Command-line parsing (qemu-system-aarch64 habits).
#include "cpu/log.hpp"
#include "machine/cli.hpp"

#include <doctest/doctest.h>

using namespace kestrel;

namespace {

CliOptions parse(std::vector<std::string> args) {
    return parse_command_line(args);
}

std::string error_of(std::vector<std::string> args) {
    try {
        parse_command_line(args);
    } catch (const CliError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("cli: defaults") {
    CliOptions o = parse({"-kernel", "k"});
    CHECK(o.machine.kernel == "k");
    CHECK(o.machine.cpu_model == "cortex-a57");
    CHECK(o.machine.smp == 1);
    CHECK(o.machine.ram_size == (128ull << 20));
    CHECK(o.machine.gic_version == "3");
    CHECK_FALSE(o.machine.virtualization);
    CHECK(o.machine.serial == "stdio");
    CHECK_FALSE(o.machine.semihosting);
    CHECK(o.log_mask == 0);
    CHECK(o.info.empty());
}

TEST_CASE("cli: a typical boot line") {
    CliOptions o = parse({"-M", "virt,gic-version=4.1,virtualization=off", "-cpu", "max", "-smp",
                          "4", "-m", "1G", "-kernel", "vmlinuz", "-initrd", "initrd.img", "-append",
                          "console=ttyAMA0 quiet", "-nographic", "-no-reboot"});
    CHECK(o.machine.gic_version == "4.1");
    CHECK_FALSE(o.machine.virtualization);
    CHECK(o.machine.cpu_model == "max");
    CHECK(o.machine.smp == 4);
    CHECK(o.machine.ram_size == (1ull << 30));
    CHECK(o.machine.initrd == "initrd.img");
    CHECK(o.machine.append == "console=ttyAMA0 quiet");
    CHECK(o.nographic);
    CHECK(o.console_escapes());
    CHECK(o.machine.no_reboot);
}

TEST_CASE("cli: -M and -machine repeat and merge") {
    CliOptions o = parse({"-M", "virt", "-machine", "gic-version=4.1", "-machine",
                          "virtualization=off", "-kernel", "k"});
    CHECK(o.machine.gic_version == "4.1");
    CHECK_FALSE(o.machine.virtualization);
    // max is the newest GIC Kestrel models.
    CHECK(parse({"-M", "virt,gic-version=max", "-M", "virtualization=off", "-kernel", "k"})
              .machine.gic_version == "4.1");
    // EL2 does not exist yet: asking for it is a clear error.
    CHECK(contains(error_of({"-M", "virt", "-M", "virtualization=on", "-kernel", "k"}), "EL2"));
    CHECK(parse({"-M", "virt,gic-version=max", "-kernel", "k"}).machine.gic_version == "4.1");
    CHECK(parse({"-M", "virt", "-kernel", "k"}).machine.gic_version == "3");
    CHECK(parse({"-machine", "type=virt,virtualization=off", "-kernel", "k"})
              .machine.virtualization == false);
    CHECK(contains(error_of({"-M", "sbsa-ref"}), "sbsa-ref"));
    CHECK(contains(error_of({"-M", "virt,gic-version=2"}), "gic-version"));
    CHECK(contains(error_of({"-M", "virt,bogus=1"}), "bogus"));
    CHECK(contains(error_of({"-M", "virt,virtualization=maybe"}), "virtualization"));
}

TEST_CASE("cli: sizes and counts") {
    CHECK(parse({"-m", "512", "-kernel", "k"}).machine.ram_size == (512ull << 20));
    CHECK(parse({"-m", "512M", "-kernel", "k"}).machine.ram_size == (512ull << 20));
    CHECK(parse({"-m", "2G", "-kernel", "k"}).machine.ram_size == (2ull << 30));
    CHECK(parse({"-m", "size=64M", "-kernel", "k"}).machine.ram_size == (64ull << 20));
    CHECK(parse({"-smp", "cpus=2", "-kernel", "k"}).machine.smp == 2);
    CHECK(parse({"-smp", "2,sockets=1,cores=2,threads=1", "-kernel", "k"}).machine.smp == 2);
    CHECK(contains(error_of({"-m", "12X"}), "-m"));
    CHECK(contains(error_of({"-m", "lots"}), "-m"));
    CHECK(contains(error_of({"-m", "1K"}), "-m"));
    CHECK(contains(error_of({"-m", "99999999999999999999"}), "-m"));
    CHECK(contains(error_of({"-smp", "0"}), "-smp"));
    CHECK(contains(error_of({"-smp", "two"}), "-smp"));
    CHECK(contains(error_of({"-smp", "cpus=2,wombats=3"}), "wombats"));
    CHECK(parse_size("-m", "3k") == 3072);
}

TEST_CASE("cli: serial, display and semihosting") {
    CHECK(parse({"-serial", "null", "-kernel", "k"}).machine.serial == "null");
    CHECK(parse({"-serial", "file:/tmp/out.txt", "-kernel", "k"}).machine.serial ==
          "file:/tmp/out.txt");
    CliOptions mon = parse({"-serial", "mon:stdio", "-kernel", "k"});
    CHECK(mon.serial_on_stdio());
    CHECK(mon.console_escapes());
    CliOptions plain = parse({"-serial", "stdio", "-kernel", "k"});
    CHECK(plain.serial_on_stdio());
    CHECK_FALSE(plain.console_escapes());
    CHECK(contains(error_of({"-serial", "tcp:1234"}), "-serial"));
    CHECK(contains(error_of({"-serial", "null", "-serial", "null"}), "-serial"));
    CHECK_NOTHROW(parse({"-display", "none", "-kernel", "k"}));
    CHECK(contains(error_of({"-display", "gtk"}), "-display"));
    CHECK(parse({"-semihosting", "-kernel", "k"}).machine.semihosting);
    CHECK(parse({"-semihosting-config", "enable=on,target=native", "-kernel", "k"})
              .machine.semihosting);
    CHECK_FALSE(parse({"-semihosting-config", "enable=off", "-kernel", "k"}).machine.semihosting);
    CHECK(contains(error_of({"-semihosting-config", "chardev=x"}), "chardev"));
}

TEST_CASE("cli: logging options") {
    CliOptions o = parse({"-d", "in_asm,int", "-D", "log.txt", "-kernel", "k"});
    CHECK(o.log_mask == (kLogInAsm | kLogInt));
    CHECK(o.log_file == "log.txt");
    CHECK(contains(error_of({"-d", "in_asm,nonsense"}), "nonsense"));
    CHECK(contains(parse({"-d", "help"}).info, "in_asm"));
}

TEST_CASE("cli: help, version and informational queries") {
    CHECK(contains(parse({"-h"}).info, "-kernel"));
    CHECK(contains(parse({"-help"}).info, "-kernel"));
    CHECK(contains(parse({"--help"}).info, "-kernel"));
    CHECK(contains(parse({"-version"}).info, "Kestrel"));
    std::string cpus = parse({"-cpu", "help"}).info;
    CHECK(contains(cpus, "cortex-a57"));
    CHECK(contains(cpus, "cortex-a72"));
    CHECK(contains(cpus, "max"));
    CHECK(contains(parse({"-M", "help"}).info, "virt"));
}

TEST_CASE("cli: errors name the option") {
    CHECK(contains(error_of({"-frobnicate"}), "-frobnicate"));
    CHECK(contains(error_of({"-kernel"}), "-kernel"));
    CHECK(contains(error_of({"-cpu", "cortex-a53"}), "cortex-a53"));
    CHECK(contains(error_of({"-append", "x"}), "-append"));
    CHECK(contains(error_of({"-initrd", "x"}), "-initrd"));
    CHECK(contains(error_of({"disk.img"}), "disk.img"));
    CHECK(contains(error_of({"-accel", "xen"}), "xen"));
}
