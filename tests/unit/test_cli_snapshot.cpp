// Command-line options of the monitors and snapshots, and the Ctrl-A c
// console escape.
#include "machine/cli.hpp"
#include "machine/stdin_console.hpp"

#include <doctest/doctest.h>

using namespace kestrel;

namespace {

CliOptions parse(std::vector<std::string> args) {
    return parse_command_line(args);
}

} // namespace

TEST_CASE("monitor, QMP and snapshot options") {
    auto o = parse({"-kernel", "k", "-monitor", "unix:/tmp/m,server,nowait", "-qmp",
                    "tcp:127.0.0.1:4444,server,nowait", "-monitor", "tcp::5555,server,nowait",
                    "-savevm-dir", "snaps", "-loadvm", "t1"});
    CHECK(o.monitors ==
          std::vector<std::string>{"unix:/tmp/m,server,nowait", "tcp::5555,server,nowait"});
    CHECK(o.qmp == std::vector<std::string>{"tcp:127.0.0.1:4444,server,nowait"});
    CHECK(o.savevm_dir == "snaps");
    CHECK(o.loadvm == "t1");
    CHECK(o.restores());
    o = parse({"-incoming", "file:/tmp/x.bin", "-dump-state-format"});
    CHECK(o.incoming == "file:/tmp/x.bin");
    CHECK(o.dump_state_format);
    CHECK(o.restores());
    CHECK(parse({"-kernel", "k", "-monitor", "none"}).monitors.empty());
}

TEST_CASE("bad monitor and snapshot options are refused with the option named") {
    CHECK_THROWS_WITH_AS(parse({"-monitor", "pty"}), doctest::Contains("-monitor"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-qmp", "vc"}), doctest::Contains("-qmp"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-incoming", "tcp:1.2.3.4:5"}), doctest::Contains("file:PATH"),
                         CliError);
    CHECK_THROWS_WITH_AS(parse({"-incoming", "file:"}), doctest::Contains("-incoming"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-loadvm", "a", "-incoming", "file:b"}),
                         doctest::Contains("give one"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-savevm-dir", ""}), doctest::Contains("-savevm-dir"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-loadvm"}), doctest::Contains("needs an argument"), CliError);
}

TEST_CASE("-monitor stdio takes stdin from the serial port, and may not share it") {
    auto o = parse({"-kernel", "k", "-monitor", "stdio"});
    CHECK(o.monitor_on_stdio());
    CHECK_FALSE(o.serial_on_stdio()); // the UART still writes to stdout
    CHECK_THROWS_WITH_AS(parse({"-kernel", "k", "-nographic", "-monitor", "stdio"}),
                         doctest::Contains("Ctrl-A c"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-kernel", "k", "-serial", "mon:stdio", "-monitor", "stdio"}),
                         doctest::Contains("-monitor stdio"), CliError);
    CHECK_THROWS_WITH_AS(parse({"-kernel", "k", "-qmp", "stdio", "-monitor", "stdio"}),
                         doctest::Contains("share"), CliError);
    CHECK(parse({"-kernel", "k", "-serial", "null", "-monitor", "stdio"}).monitor_on_stdio());
}

TEST_CASE("Ctrl-A c asks to switch between console and monitor") {
    EscapeFilter f;
    std::string out;
    CHECK(f.feed('a', out) == EscapeFilter::Action::None);
    CHECK(f.feed(EscapeFilter::kEscape, out) == EscapeFilter::Action::None);
    CHECK(f.feed('c', out) == EscapeFilter::Action::SwitchMonitor);
    CHECK(f.feed('c', out) == EscapeFilter::Action::None); // a plain 'c' again
    CHECK(out == "ac");
    CHECK(std::string(EscapeFilter::help_text()).find("C-a c") != std::string::npos);
}
