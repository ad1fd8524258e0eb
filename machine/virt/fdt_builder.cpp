#include "machine/virt/fdt_builder.hpp"

#include <cstdio>
#include <cstdlib>
#include <libfdt.h>

namespace kestrel {

namespace {

std::string unit_name(const char* base, uint64_t addr) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s@%llx", base, static_cast<unsigned long long>(addr));
    return buf;
}

// Generic timer PPIs: secure physical, non-secure physical, virtual,
// hypervisor physical; level triggered, active high.
constexpr uint32_t kPpiSecPhys = 13, kPpiNsPhys = 14, kPpiVirt = 11, kPpiHyp = 10, kPpiMaint = 9;
constexpr uint32_t kGicSpi = 0, kGicPpi = 1, kIrqEdgeRising = 1, kIrqLevelHigh = 4;
constexpr uint32_t kUartClockHz = 24000000;

void write_tree(FdtWriter& w, const FdtParams& p) {
    w.begin_node("");
    w.prop_u32("interrupt-parent", kPhandleGic);
    w.prop_string("model", "linux,dummy-virt");
    w.prop_u32("#size-cells", 2);
    w.prop_u32("#address-cells", 2);
    w.prop_string("compatible", "linux,dummy-virt");

    w.begin_node("psci");
    w.prop_strings("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    w.prop_string("method", p.psci_method);
    // PSCI 0.1 function IDs, for kernels that only know the old binding.
    w.prop_u32("cpu_suspend", 0xc4000001);
    w.prop_u32("cpu_off", 0x84000002);
    w.prop_u32("cpu_on", 0xc4000003);
    w.prop_u32("migrate", 0xc4000005);
    w.end_node();

    w.begin_node(unit_name("memory", p.ram_base));
    w.prop_string("device_type", "memory");
    w.prop_u64s("reg", {p.ram_base, p.ram_size});
    w.end_node();

    w.begin_node("apb-pclk");
    w.prop_string("compatible", "fixed-clock");
    w.prop_u32("#clock-cells", 0);
    w.prop_u32("clock-frequency", kUartClockHz);
    w.prop_string("clock-output-names", "clk24mhz");
    w.prop_u32("phandle", kPhandleClock);
    w.end_node();

    w.begin_node(unit_name("pl011", p.uart_base));
    w.prop_strings("compatible", {"arm,pl011", "arm,primecell"});
    w.prop_u64s("reg", {p.uart_base, p.uart_size});
    w.prop_cells("interrupts", {kGicSpi, p.uart_spi, kIrqLevelHigh});
    w.prop_cells("clocks", {kPhandleClock, kPhandleClock});
    w.prop_strings("clock-names", {"uartclk", "apb_pclk"});
    w.end_node();

    if (p.rtc) {
        w.begin_node(unit_name("pl031", p.rtc->base));
        w.prop_strings("compatible", {"arm,pl031", "arm,primecell"});
        w.prop_u64s("reg", {p.rtc->base, p.rtc->size});
        w.prop_cells("interrupts", {kGicSpi, p.rtc->spi, kIrqLevelHigh});
        w.prop_cells("clocks", {kPhandleClock});
        w.prop_string("clock-names", "apb_pclk");
        w.end_node();
    }

    // Linux creates (and later probes) platform devices in the order of
    // the nodes in the blob: the board lists its transports in the order
    // the command line created them.
    for (const FdtMmioDevice& v : p.virtio) {
        w.begin_node(unit_name("virtio_mmio", v.base));
        w.prop_string("compatible", "virtio,mmio");
        w.prop_u64s("reg", {v.base, v.size});
        w.prop_cells("interrupts", {kGicSpi, v.spi, kIrqEdgeRising});
        w.prop_empty("dma-coherent");
        w.end_node();
    }

    add_gic_node(w, p.gic);

    w.begin_node("cpus");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    for (uint64_t mpidr : p.cpu_mpidrs) {
        // reg holds the affinity fields (Aff2..Aff0) of MPIDR_EL1.
        uint32_t reg = static_cast<uint32_t>(mpidr & 0x00ffffff);
        w.begin_node(unit_name("cpu", reg));
        w.prop_string("device_type", "cpu");
        w.prop_string("compatible", p.cpu_compatible);
        w.prop_u32("reg", reg);
        w.prop_string("enable-method", "psci");
        w.end_node();
    }
    w.end_node();

    w.begin_node("timer");
    w.prop_strings("compatible", {"arm,armv8-timer", "arm,armv7-timer"});
    // With a GICv3 the PPI flags carry no CPU mask (that is GICv2 only).
    w.prop_cells("interrupts",
                 {kGicPpi, kPpiSecPhys, kIrqLevelHigh, kGicPpi, kPpiNsPhys, kIrqLevelHigh, kGicPpi,
                  kPpiVirt, kIrqLevelHigh, kGicPpi, kPpiHyp, kIrqLevelHigh});
    w.prop_empty("always-on");
    w.end_node();

    w.begin_node("chosen");
    w.prop_string("bootargs", p.bootargs);
    std::string stdout_path = "/";
    stdout_path += unit_name("pl011", p.uart_base);
    w.prop_string("stdout-path", stdout_path);
    if (p.initrd) {
        w.prop_u64s("linux,initrd-start", {p.initrd->first});
        w.prop_u64s("linux,initrd-end", {p.initrd->second});
    }
    w.end_node();

    w.end_node(); // root
}

void put_be32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}

} // namespace

FdtWriter::FdtWriter(size_t capacity) : buf_(capacity) {
    check(fdt_create(buf_.data(), static_cast<int>(buf_.size())), "fdt_create");
    check(fdt_finish_reservemap(buf_.data()), "fdt_finish_reservemap");
}

void FdtWriter::check(int rc, const char* what) {
    if (rc == -FDT_ERR_NOSPACE) throw NoSpace{};
    if (rc < 0) {
        // Only a bug in the writer's call sequence gets here.
        std::fprintf(stderr, "kestrel: %s failed: %s\n", what, fdt_strerror(rc));
        std::abort();
    }
}

void FdtWriter::begin_node(const std::string& name) {
    check(fdt_begin_node(buf_.data(), name.c_str()), "fdt_begin_node");
}
void FdtWriter::end_node() {
    check(fdt_end_node(buf_.data()), "fdt_end_node");
}

void FdtWriter::prop(const char* name, const void* data, size_t len) {
    check(fdt_property(buf_.data(), name, data, static_cast<int>(len)), name);
}

void FdtWriter::prop_u32(const char* name, uint32_t v) {
    prop_cells(name, {v});
}

void FdtWriter::prop_cells(const char* name, const std::vector<uint32_t>& cells) {
    std::vector<uint8_t> b(cells.size() * 4);
    for (size_t i = 0; i < cells.size(); i++)
        put_be32(&b[4 * i], cells[i]);
    prop(name, b.data(), b.size());
}

void FdtWriter::prop_u64s(const char* name, const std::vector<uint64_t>& values) {
    std::vector<uint32_t> cells;
    for (uint64_t v : values) {
        cells.push_back(static_cast<uint32_t>(v >> 32));
        cells.push_back(static_cast<uint32_t>(v));
    }
    prop_cells(name, cells);
}

void FdtWriter::prop_string(const char* name, const std::string& s) {
    prop(name, s.c_str(), s.size() + 1);
}

void FdtWriter::prop_strings(const char* name, const std::vector<std::string>& list) {
    std::string joined;
    for (const std::string& s : list) {
        joined += s;
        joined.push_back('\0');
    }
    prop(name, joined.data(), joined.size());
}

std::vector<uint8_t> FdtWriter::finish() {
    check(fdt_finish(buf_.data()), "fdt_finish");
    buf_.resize(fdt_totalsize(buf_.data()));
    return std::move(buf_);
}

void add_gic_node(FdtWriter& w, const FdtGicParams& gic) {
    w.begin_node(unit_name("intc", gic.dist_base));
    w.prop_string("compatible", "arm,gic-v3"); // GICv4.x uses the same binding
    w.prop_u32("#interrupt-cells", 3);
    w.prop_empty("interrupt-controller");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_empty("ranges");
    w.prop_u32("#redistributor-regions", 1);
    w.prop_u64s("reg", {gic.dist_base, gic.dist_size, gic.redist_base, gic.redist_size});
    if (gic.maintenance_irq) w.prop_cells("interrupts", {kGicPpi, kPpiMaint, kIrqLevelHigh});
    w.prop_u32("phandle", kPhandleGic);
    if (gic.has_its) {
        w.begin_node(unit_name("its", gic.its_base));
        w.prop_string("compatible", "arm,gic-v3-its");
        w.prop_empty("msi-controller");
        w.prop_u32("#msi-cells", 1);
        w.prop_u64s("reg", {gic.its_base, gic.its_size});
        w.prop_u32("phandle", kPhandleIts);
        w.end_node();
    }
    w.end_node();
}

std::vector<uint8_t> build_virt_fdt(const FdtParams& p) {
    // Bootargs come from the user and may be long: grow until it fits.
    for (size_t cap = 64 * 1024;; cap *= 2) {
        try {
            FdtWriter w(cap);
            write_tree(w, p);
            return w.finish();
        } catch (const FdtWriter::NoSpace&) {
            if (cap > (64u << 20)) throw MachineError("the device tree does not fit in 64 MiB");
        }
    }
}

std::vector<uint8_t> patch_user_dtb(const std::vector<uint8_t>& dtb, const std::string& name,
                                    const std::string& bootargs,
                                    std::optional<std::pair<uint64_t, uint64_t>> initrd) {
    if (dtb.size() < sizeof(fdt_header) || fdt_check_header(dtb.data()) != 0 ||
        fdt_totalsize(dtb.data()) > dtb.size())
        throw MachineError("DTB '" + name + "' is not a valid flattened device tree");
    std::vector<uint8_t> out(dtb.size() + bootargs.size() + 4096);
    int rc = fdt_open_into(dtb.data(), out.data(), static_cast<int>(out.size()));
    if (rc != 0) throw MachineError("DTB '" + name + "' is corrupt: " + fdt_strerror(rc));
    int chosen = fdt_path_offset(out.data(), "/chosen");
    if (chosen < 0) chosen = fdt_add_subnode(out.data(), 0, "chosen");
    if (chosen < 0)
        throw MachineError("DTB '" + name + "': cannot add /chosen: " + fdt_strerror(chosen));
    if (!bootargs.empty())
        rc = fdt_setprop_string(out.data(), chosen, "bootargs", bootargs.c_str());
    if (rc == 0 && initrd) {
        rc = fdt_setprop_u64(out.data(), chosen, "linux,initrd-start", initrd->first);
        if (rc == 0) rc = fdt_setprop_u64(out.data(), chosen, "linux,initrd-end", initrd->second);
    }
    if (rc != 0)
        throw MachineError("DTB '" + name + "': cannot update /chosen: " + fdt_strerror(rc));
    fdt_pack(out.data());
    out.resize(fdt_totalsize(out.data()));
    return out;
}

} // namespace kestrel
