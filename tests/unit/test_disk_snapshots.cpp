// Copy-before-write disk snapshots: any order of snapshots, writes,
// restores and deletions gives back the disk exactly as it was at each
// snapshot, also from a new process reading the side files.
#include "hw/virtio/block_backend.hpp"
#include "savevm/disk_snapshots.hpp"
#include "temp_files.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <map>
#include <random>

using namespace kestrel;
using namespace kestrel::savevm;
using kestrel::test::TempDir;

namespace {

constexpr uint64_t kDiskSize = 1 << 20 | 4096; // not a whole number of clusters

std::vector<uint8_t> contents(BlockBackend& b) {
    std::vector<uint8_t> v(b.size());
    REQUIRE(b.read(0, v.data(), v.size()));
    return v;
}

// A guest-like burst of sector writes at random places.
void scribble(BlockBackend& b, std::mt19937& rng, int writes) {
    for (int i = 0; i < writes; i++) {
        uint64_t sectors = 1 + rng() % 300;
        uint64_t start = rng() % (kDiskSize / 512 - sectors);
        std::vector<uint8_t> data(sectors * 512);
        for (auto& x : data)
            x = static_cast<uint8_t>(rng());
        REQUIRE(b.write(start * 512, data.data(), data.size()));
    }
}

} // namespace

TEST_CASE("disk snapshots: restore any snapshot, in any order, after deletions, in a new process") {
    TempDir dir;
    std::vector<uint8_t> init(kDiskSize);
    for (size_t i = 0; i < init.size(); i++)
        init[i] = static_cast<uint8_t>(i * 7);
    std::string image = dir.file("disk.img", init);
    std::string snapdir = dir.path("snaps");
    std::filesystem::create_directory(snapdir);
    std::mt19937 rng(1);
    BlockBackend disk(image, false);
    std::map<std::string, std::vector<uint8_t>> at;
    {
        DiskSnapshots ds(disk, 0, snapdir);
        CHECK(ds.tags().empty());
        scribble(disk, rng, 10);
        for (std::string tag : {"a", "b", "c"}) {
            REQUIRE_FALSE(ds.begin(tag));
            at[tag] = contents(disk);
            scribble(disk, rng, 20);
        }
        CHECK(std::filesystem::exists(snapdir + "/b.disk0"));
        for (std::string tag : {"a", "c", "b", "a"}) {
            CAPTURE(tag);
            REQUIRE_FALSE(ds.restore(tag));
            CHECK(contents(disk) == at[tag]);
            scribble(disk, rng, 5);
        }
        // Deleting a snapshot in the middle keeps the older one whole.
        REQUIRE_FALSE(ds.remove("b"));
        CHECK_FALSE(std::filesystem::exists(snapdir + "/b.disk0"));
        REQUIRE_FALSE(ds.restore("a"));
        CHECK(contents(disk) == at["a"]);
        CHECK(ds.check("b").has_value());
        scribble(disk, rng, 15);
    }
    // A new process finds the side files.
    BlockBackend again(image, false);
    DiskSnapshots ds(again, 0, snapdir);
    CHECK(ds.tags() == std::vector<std::string>{"a", "c"});
    REQUIRE_FALSE(ds.restore("c"));
    CHECK(contents(again) == at["c"]);
    scribble(again, rng, 10);
    // Deleting the oldest keeps the newer one whole.
    REQUIRE_FALSE(ds.remove("a"));
    REQUIRE_FALSE(ds.restore("c"));
    CHECK(contents(again) == at["c"]);
    // Replacing a tag takes the disk as it is now.
    scribble(again, rng, 3);
    REQUIRE_FALSE(ds.begin("c"));
    auto now = contents(again);
    scribble(again, rng, 3);
    REQUIRE_FALSE(ds.restore("c"));
    CHECK(contents(again) == now);
}

TEST_CASE("disk snapshots: other images' side files are ignored, a torn record is dropped") {
    TempDir dir;
    std::string snapdir = dir.path("snaps");
    std::filesystem::create_directory(snapdir);
    std::string a = dir.file("a.img", std::vector<uint8_t>(kDiskSize, 1));
    std::string b = dir.file("b.img", std::vector<uint8_t>(kDiskSize, 2));
    BlockBackend da(a, false), db(b, false);
    {
        DiskSnapshots sa(da, 0, snapdir);
        REQUIRE_FALSE(sa.begin("s"));
        std::vector<uint8_t> x(4096, 9);
        REQUIRE(da.write(0, x.data(), x.size()));
        REQUIRE(da.write(200000, x.data(), x.size()));
    }
    DiskSnapshots sb(db, 0, snapdir); // same disk number, other image
    CHECK(sb.tags().empty());
    // Cut the side file inside its last record: the first survives.
    std::filesystem::resize_file(snapdir + "/s.disk0",
                                 std::filesystem::file_size(snapdir + "/s.disk0") - 100);
    DiskSnapshots sa(da, 0, snapdir);
    REQUIRE(sa.tags().size() == 1);
    REQUIRE_FALSE(sa.restore("s"));
    std::vector<uint8_t> first(4096);
    REQUIRE(da.read(0, first.data(), first.size()));
    CHECK(first == std::vector<uint8_t>(4096, 1));
}
