// -drive and -device: parsing, ordering of the virtio devices, errors.
#include "machine/cli.hpp"

#include <doctest/doctest.h>

using namespace kestrel;

namespace {

using Kind = VirtioDeviceConfig::Kind;

std::vector<VirtioDeviceConfig> devices(std::vector<std::string> args) {
    args.insert(args.begin(), {"-kernel", "k"});
    return parse_command_line(args).machine.virtio;
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

TEST_CASE("cli devices: none by default") {
    CHECK(devices({}).empty());
}

TEST_CASE("cli devices: -drive if=virtio is a virtio-blk disk; if defaults to virtio") {
    auto v = devices({"-drive", "file=a.img,format=raw,if=virtio", "-drive",
                      "file=b.img,format=raw,readonly=on", "-drive", "file=c,,d.img"});
    REQUIRE(v.size() == 3);
    CHECK(v[0].kind == Kind::Block);
    CHECK(v[0].file == "a.img");
    CHECK_FALSE(v[0].read_only);
    CHECK(v[1].file == "b.img");
    CHECK(v[1].read_only);
    CHECK(v[2].file == "c,d.img"); // ",," is a literal comma
}

TEST_CASE("cli devices: if=none drives are attached by -device, in option order") {
    auto v = devices({"-device", "virtio-rng-device", "-device", "virtio-blk-device,drive=d1",
                      "-drive", "file=x.img,format=raw,if=virtio", "-drive",
                      "file=y.img,if=none,id=d1,format=raw,readonly=on"});
    REQUIRE(v.size() == 3);
    CHECK(v[0].kind == Kind::Rng);
    CHECK(v[1].kind == Kind::Block);
    CHECK(v[1].file == "y.img");
    CHECK(v[1].read_only);
    CHECK(v[2].file == "x.img");
    // An unused if=none drive adds no device.
    CHECK(devices({"-drive", "file=y.img,if=none,id=d"}).empty());
}

TEST_CASE("cli devices: errors name the option and the problem") {
    CHECK(contains(error_of({"-drive", "file=a.img,format=qcow2"}), "format 'qcow2'"));
    CHECK(contains(error_of({"-drive", "format=raw"}), "file= is required"));
    CHECK(contains(error_of({"-drive", "file=a,if=ide"}), "interface 'ide'"));
    CHECK(contains(error_of({"-drive", "file=a,if=none"}), "if=none needs id="));
    CHECK(contains(error_of({"-drive", "file=a,bogus=1"}), "unknown property 'bogus'"));
    CHECK(contains(error_of({"-drive", "file=a,readonly=maybe"}), "readonly"));
    CHECK(contains(error_of({"-drive", "file=a,if=none,id=x", "-drive", "file=b,if=none,id=x"}),
                   "duplicate drive id 'x'"));
    CHECK(contains(error_of({"-device", "virtio-blk-device,drive=nope"}),
                   "no -drive with id 'nope'"));
    CHECK(contains(error_of({"-device", "virtio-blk-device"}), "drive=ID is required"));
    CHECK(contains(error_of({"-drive", "file=a,if=none,id=x", "-device",
                             "virtio-blk-device,drive=x", "-device", "virtio-blk-device,drive=x"}),
                   "already in use"));
    CHECK(contains(error_of({"-drive", "file=a,id=x", "-device", "virtio-blk-device,drive=x"}),
                   "already in use"));
    CHECK(contains(error_of({"-device", "e1000"}), "unknown device 'e1000'"));
    CHECK(contains(error_of({"-device", "virtio-rng-device,speed=9"}), "unknown property 'speed'"));
    std::vector<std::string> many = {"-kernel", "k"};
    for (int i = 0; i < 33; i++) {
        many.push_back("-device");
        many.push_back("virtio-rng-device");
    }
    CHECK(contains(error_of(many), "too many virtio devices"));
}

TEST_CASE("cli devices: -device help lists the devices") {
    CliOptions o = parse_command_line({"-device", "help"});
    CHECK(contains(o.info, "virtio-blk-device"));
    CHECK(contains(o.info, "virtio-rng-device"));
}
