// The savevm machinery on small example objects: round trips, subsections,
// versions, and every kind of damaged stream.
#include "savevm/snapshot_stream.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <vector>

using namespace kestrel::savevm;

namespace {

struct Lane {
    uint64_t lo = 0, hi = 0;
};

struct Toy {
    uint64_t a = 0;
    uint32_t regs[4] = {};
    bool flag = false;
    std::vector<Lane> lanes;
    uint64_t typer2 = 0;   // optional: subsection "toy/typer2"
    uint32_t added_v2 = 7; // exists since version 2
    bool operator==(const Toy& o) const {
        if (a != o.a || flag != o.flag || typer2 != o.typer2 || added_v2 != o.added_v2)
            return false;
        if (std::memcmp(regs, o.regs, sizeof regs) != 0) return false;
        if (lanes.size() != o.lanes.size()) return false;
        for (size_t i = 0; i < lanes.size(); i++)
            if (lanes[i].lo != o.lanes[i].lo || lanes[i].hi != o.lanes[i].hi) return false;
        return true;
    }
};

} // namespace

template <> struct kestrel::savevm::Describe<Lane> {
    static constexpr auto fields = savevm::fields(field("lo", &Lane::lo), field("hi", &Lane::hi));
};

namespace {

constexpr auto kToyV2 =
    section<Toy>("toy", 2, 1,
                 fields(field("a", &Toy::a), field("regs", &Toy::regs), field("flag", &Toy::flag),
                        field("lanes", &Toy::lanes), field("added_v2", &Toy::added_v2, 2)),
                 subsection<Toy>(
                     "toy/typer2", 1, 1, [](const Toy& t) { return t.typer2 != 0; },
                     [](Toy& t) { t.typer2 = 0; }, fields(field("typer2", &Toy::typer2))));

// The same object as a build that knows only version 1 and no subsection.
constexpr auto kToyV1 =
    section<Toy>("toy", 1, 1,
                 fields(field("a", &Toy::a), field("regs", &Toy::regs), field("flag", &Toy::flag),
                        field("lanes", &Toy::lanes)));

Toy sample() {
    Toy t;
    t.a = 0x1122334455667788ull;
    t.regs[0] = 1;
    t.regs[3] = 0xffffffffu;
    t.flag = true;
    t.lanes = {{1, 2}, {3, 4}};
    t.added_v2 = 99;
    return t;
}

const ConfigRecord kCfg = {{"machine", "virt"}, {"cpus", "2"}, {"gic-version", "3"}};

std::vector<uint8_t> save_toy(const Toy& t, uint8_t* ram = nullptr, uint64_t ram_size = 0) {
    Toy copy = t;
    auto obj = make_state_object(kToyV2, &copy);
    StateObject* objs[] = {obj.get()};
    std::vector<RamBlock> blocks;
    if (ram) blocks.push_back({"ram", ram, ram_size});
    return write_snapshot(kCfg, objs, blocks);
}

} // namespace

TEST_CASE("round trip restores every field, subsection absent means its default") {
    Toy src = sample();
    auto stream = save_toy(src);
    Toy dst;
    dst.typer2 = 5; // the absent subsection must reset this to 0
    auto obj = make_state_object(kToyV2, &dst);
    StateObject* objs[] = {obj.get()};
    read_snapshot(stream, kCfg, objs, {});
    CHECK(dst == src);
    CHECK(dst.typer2 == 0);
}

TEST_CASE("a needed subsection is written and restored") {
    Toy src = sample();
    src.typer2 = 0x1234;
    auto stream = save_toy(src);
    Toy dst;
    auto obj = make_state_object(kToyV2, &dst);
    StateObject* objs[] = {obj.get()};
    read_snapshot(stream, kCfg, objs, {});
    CHECK(dst.typer2 == 0x1234);
}

TEST_CASE("an older reader refuses an unknown subsection and a newer version") {
    Toy src = sample();
    src.typer2 = 1;
    auto stream = save_toy(src);
    Toy dst;
    auto obj = make_state_object(kToyV1, &dst);
    StateObject* objs[] = {obj.get()};
    CHECK_THROWS_WITH_AS(read_snapshot(stream, kCfg, objs, {}), doctest::Contains("newer"),
                         LoadError);
}

TEST_CASE("a version-1 stream loads into a version-2 reader, keeping new fields' values") {
    Toy src = sample();
    auto v1obj = make_state_object(kToyV1, &src);
    StateObject* wobjs[] = {v1obj.get()};
    auto stream = write_snapshot(kCfg, wobjs, {});
    Toy dst;
    dst.added_v2 = 42;
    auto obj = make_state_object(kToyV2, &dst);
    StateObject* objs[] = {obj.get()};
    read_snapshot(stream, kCfg, objs, {});
    CHECK(dst.a == src.a);
    CHECK(dst.added_v2 == 42);
}

TEST_CASE("a validator can refuse the load and nothing changes") {
    Toy src = sample();
    src.typer2 = 0x10;
    auto stream = save_toy(src);
    Toy dst;
    dst.a = 77;
    std::vector<uint8_t> ram(8192, 0xab);
    auto obj = make_state_object(
        kToyV2, &dst, 0, {}, [](const Toy& staged, const Toy& live) -> std::optional<std::string> {
            if (staged.typer2 != live.typer2) return "TYPER2 differs";
            return std::nullopt;
        });
    StateObject* objs[] = {obj.get()};
    std::vector<uint8_t> src_ram(8192, 0);
    src_ram[5000] = 9;
    auto stream2 = save_toy(src, src_ram.data(), src_ram.size());
    RamBlock rb{"ram", ram.data(), ram.size()};
    CHECK_THROWS_WITH_AS(read_snapshot(stream2, kCfg, objs, {&rb, 1}),
                         doctest::Contains("TYPER2 differs"), LoadError);
    CHECK(dst.a == 77);
    CHECK(ram[5000] == 0xab);
    (void)stream;
}

TEST_CASE("configuration mismatch names each difference") {
    auto stream = save_toy(sample());
    Toy dst;
    auto obj = make_state_object(kToyV2, &dst);
    StateObject* objs[] = {obj.get()};
    ConfigRecord other = {{"machine", "virt"}, {"cpus", "1"}, {"gic-version", "4.1"}};
    try {
        read_snapshot(stream, other, objs, {});
        FAIL("load succeeded");
    } catch (const LoadError& e) {
        std::string m = e.what();
        CHECK(m.find("cpus=2") != std::string::npos);
        CHECK(m.find("cpus=1") != std::string::npos);
        CHECK(m.find("gic-version=4.1") != std::string::npos);
    }
}

TEST_CASE("RAM: zero pages elided, contents restored exactly") {
    std::vector<uint8_t> ram(1 << 20, 0);
    for (size_t i = 0; i < 3000; i++)
        ram[(i * 7919) % ram.size()] = static_cast<uint8_t>(i);
    ram[ram.size() - 1] = 0x5a;
    Toy t = sample();
    auto obj = make_state_object(kToyV2, &t);
    StateObject* objs[] = {obj.get()};
    RamBlock rb{"ram", ram.data(), ram.size()};
    SaveStats st;
    auto stream = write_snapshot(kCfg, objs, {&rb, 1}, &st);
    CHECK(st.ram_bytes == ram.size());
    CHECK(st.stream_bytes < ram.size() / 4);
    std::vector<uint8_t> dst(ram.size(), 0xff);
    RamBlock db{"ram", dst.data(), dst.size()};
    read_snapshot(stream, kCfg, objs, {&db, 1});
    CHECK(dst == ram);
}

TEST_CASE("every truncation and every single-bit flip is refused without a crash") {
    std::vector<uint8_t> ram(16384, 0);
    ram[100] = 1;
    auto stream = save_toy(sample(), ram.data(), ram.size());
    std::vector<uint8_t> dst_ram(ram.size());
    RamBlock db{"ram", dst_ram.data(), dst_ram.size()};
    Toy dst;
    auto obj = make_state_object(kToyV2, &dst);
    StateObject* objs[] = {obj.get()};
    for (size_t len = 0; len < stream.size(); len++) {
        std::span<const uint8_t> part(stream.data(), len);
        CHECK_THROWS_AS(read_snapshot(part, kCfg, objs, {&db, 1}), LoadError);
    }
    for (size_t byte = 0; byte < stream.size(); byte++) {
        for (int b = 0; b < 8; b += 3) {
            auto bad = stream;
            bad[byte] ^= static_cast<uint8_t>(1u << b);
            CHECK_THROWS_AS(read_snapshot(bad, kCfg, objs, {&db, 1}), LoadError);
        }
    }
    CHECK(dst == Toy{});
}

TEST_CASE("foreign files and wrong format versions get clear messages") {
    std::vector<uint8_t> junk(64, 'x');
    Toy dst;
    auto obj = make_state_object(kToyV2, &dst);
    StateObject* objs[] = {obj.get()};
    CHECK_THROWS_WITH_AS(read_snapshot(junk, kCfg, objs, {}),
                         doctest::Contains("not a Kestrel snapshot"), LoadError);
    auto stream = save_toy(sample());
    stream[8] = 99; // format version
    CHECK_THROWS_WITH_AS(read_snapshot(stream, kCfg, objs, {}),
                         doctest::Contains("format version 99"), LoadError);
}

TEST_CASE("the format dump describes fields, versions and subsections") {
    Toy t;
    auto obj = make_state_object(kToyV2, &t);
    StateObject* objs[] = {obj.get()};
    auto j = describe_format(objs);
    REQUIRE(j["sections"].size() == 1);
    auto s = j["sections"][0];
    CHECK(s["name"] == "toy");
    CHECK(s["version"] == 2);
    CHECK(s["fields"][1]["name"] == "regs");
    CHECK(s["fields"][1]["type"]["count"] == 4);
    CHECK(s["fields"][1]["type"]["array"] == "u32");
    CHECK(s["fields"][3]["type"]["vector"]["struct"][0]["name"] == "lo");
    CHECK(s["fields"][4]["since"] == 2);
    CHECK(s["subsections"][0]["name"] == "toy/typer2");
}

#include "savevm/snapshot_store.hpp"

#include <cstdlib>
#include <unistd.h>

TEST_CASE("snapshot store: atomic save, list, load, delete, tag rules") {
    char tmpl[] = "/tmp/kestrel-store-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    SnapshotStore store(std::string(tmpl) + "/nested/dir");
    std::vector<uint8_t> a(1000, 1), b(10, 2), got;
    CHECK_FALSE(store.save("first", a));
    CHECK_FALSE(store.save("second.v2", b));
    CHECK_FALSE(store.save("first", b)); // replace
    auto l = store.list();
    REQUIRE(l.size() == 2);
    CHECK(l[0].tag == "first");
    CHECK(l[0].size == 10);
    CHECK_FALSE(store.load("first", got));
    CHECK(got == b);
    CHECK(store.load("missing", got).has_value());
    CHECK(store.save("../escape", a).has_value());
    CHECK(store.save("a/b", a).has_value());
    CHECK(store.save("", a).has_value());
    CHECK(store.save(".hidden", a).has_value());
    CHECK_FALSE(store.remove("first"));
    CHECK(store.remove("first").has_value());
    CHECK(store.list().size() == 1);
    CHECK_FALSE(store.remove("second.v2"));
    std::string cmd = std::string("rm -rf ") + tmpl;
    CHECK(std::system(cmd.c_str()) == 0);
}
