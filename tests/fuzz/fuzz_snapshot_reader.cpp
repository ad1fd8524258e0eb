// libFuzzer target for the snapshot stream reader: arbitrary bytes are read
// as a snapshot of a small machine (board, two cores, a GIC, PL011, PL031,
// a virtio transport, a RAM block). The reader must refuse bad input with a
// LoadError and never crash, overflow or allocate without bound; when it
// accepts, the staged-then-committed state must have the expected shape.
//
// With KESTREL_FUZZ_WRITE_SEED=DIR set, it writes valid streams into DIR
// (the seed corpus) and exits.
#include "cpu/cpu_state_desc.hpp"
#include "hw/pl011_desc.hpp"
#include "hw/pl031_desc.hpp"
#include "hw/virtio/virtio_mmio_desc.hpp"
#include "intc/gicv3/gic_state_desc.hpp"
#include "machine/virt/virt_snapshot.hpp"
#include "savevm/mirrored_object.hpp"
#include "savevm/snapshot_stream.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <zlib.h>

using namespace kestrel;
using namespace kestrel::savevm;

namespace {

constexpr uint64_t kRamSize = 64 * 1024;

struct Machine {
    BoardSnapshotState board;
    CpuSnapshotState cpu[2];
    GicV3State gic;
    Pl011State uart;
    Pl031State rtc;
    VirtioSnapshotState virtio;
    std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize);
    std::vector<std::unique_ptr<StateObject>> objects;

    explicit Machine(bool v41) {
        gic.gicd_typer2 = v41 ? 0x18f : 0;
        gic.group.assign(8, 0);
        gic.enabled = gic.pending = gic.active = gic.level = gic.edge_trigger = gic.group;
        gic.priority.assign(256, 0);
        gic.irouter.assign(256, 0);
        gic.cpu.resize(2);
        virtio.device_id = 2;
        virtio.transport.queues.resize(1);
        add(kBoardSection, 0, &board);
        add(kCpuSection, 0, &cpu[0]);
        add(kCpuSection, 1, &cpu[1]);
        objects.push_back(make_mirrored_object<GicV3State>(
            kGicSection, 0,
            {[this] { return gic; },
             [this](const GicV3State& st) -> std::optional<std::string> {
                 if (auto m = gic_typer2_mismatch(st.gicd_typer2, gic.gicd_typer2)) return m;
                 if (st.cpu.size() != 2 || st.priority.size() != 256) return "shape";
                 return std::nullopt;
             },
             [this](const GicV3State& st) { gic = st; }}));
        objects.push_back(make_mirrored_object<Pl011State>(
            kPl011Section, 0,
            {[this] { return uart; },
             [](const Pl011State& st) -> std::optional<std::string> {
                 if (!Pl011::valid_state(st)) return "fifo";
                 return std::nullopt;
             },
             [this](const Pl011State& st) { uart = st; }}));
        add(kPl031Section, 0, &rtc);
        objects.push_back(make_mirrored_object<VirtioSnapshotState>(
            kVirtioMmioSection, 0,
            {[this] { return virtio; },
             [](const VirtioSnapshotState& st) -> std::optional<std::string> {
                 if (st.device_id != 2 || st.transport.queues.size() != 1) return "device";
                 return std::nullopt;
             },
             [this](const VirtioSnapshotState& st) { virtio = st; }}));
    }
    template <typename T, typename D> void add(const D& desc, uint32_t inst, T* live) {
        objects.push_back(make_mirrored_object<T>(
            desc, inst, {[live] { return *live; }, {}, [live](const T& st) { *live = st; }}));
    }
    std::vector<StateObject*> list() {
        std::vector<StateObject*> v;
        for (auto& o : objects)
            v.push_back(o.get());
        return v;
    }
    std::vector<RamBlock> blocks() { return {{"ram", ram.data(), kRamSize}}; }
};

const ConfigRecord kConfig = {{"machine", "fuzz"}, {"smp", "2"}};

void write_seeds(const char* dir) {
    for (int v41 = 0; v41 < 2; v41++) {
        Machine m(v41);
        m.cpu[0].s.x[3] = 42;
        m.uart.rx = {'a', 'b'};
        m.ram[100] = 1;
        m.ram[kRamSize - 1] = 2;
        auto objs = m.list();
        auto blocks = m.blocks();
        auto stream = write_snapshot(kConfig, objs, blocks);
        std::string path = std::string(dir) + "/seed-" + std::to_string(v41);
        if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
            std::fwrite(stream.data(), 1, stream.size(), f);
            std::fclose(f);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("KESTREL_FUZZ_WRITE_SEED")) {
        write_seeds(dir);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The CRC would reject almost every mutation before the parser sees it;
    // half of the inputs get a fixed-up trailer so the parser is exercised.
    std::vector<uint8_t> buf(data, data + size);
    if (size > 6 && (data[0] & 1)) {
        uint32_t crc = static_cast<uint32_t>(crc32(0L, buf.data(), static_cast<uInt>(size - 5)));
        buf[size - 5] = 'Z';
        std::memcpy(&buf[size - 4], &crc, 4);
    }
    Machine m(data[0] & 2);
    auto objs = m.list();
    auto blocks = m.blocks();
    try {
        read_snapshot(buf, kConfig, objs, blocks);
        // Accepted: the validators' promises hold.
        if (m.gic.cpu.size() != 2 || m.uart.rx.size() > Pl011::kFifoDepth) std::abort();
    } catch (const LoadError&) {
    }
    return 0;
}
