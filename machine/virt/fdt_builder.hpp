// Writes the virt board's device tree with libfdt, describing exactly the
// devices Kestrel creates, with the same node shapes as the common virt
// board so guest kernels find what they expect.
#pragma once
#include "machine/virt/machine_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kestrel {

// Fixed phandles: properties must precede child nodes in the sequential
// writer, so the root's interrupt-parent must be known before the GIC node
// is written.
enum : uint32_t { kPhandleClock = 0x8000, kPhandleGic = 0x8001, kPhandleIts = 0x8002 };

struct FdtGicParams {
    std::string version = "3"; // "3" or "4.1"
    uint64_t dist_base = 0, dist_size = 0;
    uint64_t redist_base = 0, redist_size = 0;
    bool has_its = true;
    uint64_t its_base = 0, its_size = 0;
    bool maintenance_irq = false; // EL2 present: PPI 9
};

// A device at a fixed MMIO window with one SPI.
struct FdtMmioDevice {
    uint64_t base = 0, size = 0;
    unsigned spi = 0; // SPI number (INTID - 32)
};

struct FdtParams {
    uint64_t ram_base = 0, ram_size = 0;
    std::string cpu_compatible = "arm,cortex-a57";
    std::vector<uint64_t> cpu_mpidrs; // one per core
    std::string psci_method = "hvc";  // "hvc" or "smc"
    uint64_t uart_base = 0, uart_size = 0;
    unsigned uart_spi = 1;
    std::optional<FdtMmioDevice> rtc;  // PL031
    std::vector<FdtMmioDevice> virtio; // virtio-mmio transports in use, in probe order
    FdtGicParams gic;
    std::string bootargs;
    std::optional<std::pair<uint64_t, uint64_t>> initrd; // start, end
};

class FdtWriter;

// The interrupt controller node (and its ITS child) with phandle
// kPhandleGic; the GIC model may grow its own version of this.
void add_gic_node(FdtWriter& w, const FdtGicParams& gic);

// Builds the whole tree; returns the blob.
std::vector<uint8_t> build_virt_fdt(const FdtParams& p);

// Updates /chosen in a user-supplied DTB (-dtb): bootargs when given and
// the initrd range. Throws MachineError naming the file when the blob is
// not a valid DTB.
std::vector<uint8_t> patch_user_dtb(const std::vector<uint8_t>& dtb, const std::string& name,
                                    const std::string& bootargs,
                                    std::optional<std::pair<uint64_t, uint64_t>> initrd);

// A thin wrapper of libfdt's sequential-write calls that turns errors into
// exceptions (NOSPACE lets build_virt_fdt retry with a bigger buffer).
class FdtWriter {
  public:
    struct NoSpace {};
    explicit FdtWriter(size_t capacity);
    void begin_node(const std::string& name);
    void end_node();
    void prop(const char* name, const void* data, size_t len);
    void prop_empty(const char* name) { prop(name, nullptr, 0); }
    void prop_u32(const char* name, uint32_t v);
    void prop_cells(const char* name, const std::vector<uint32_t>& cells);
    // Each value as two cells (#address-cells = #size-cells = 2).
    void prop_u64s(const char* name, const std::vector<uint64_t>& values);
    void prop_string(const char* name, const std::string& s);
    // A string list ("a\0b\0").
    void prop_strings(const char* name, const std::vector<std::string>& list);
    std::vector<uint8_t> finish();

  private:
    void check(int rc, const char* what);
    std::vector<uint8_t> buf_;
};

} // namespace kestrel
