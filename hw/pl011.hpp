// PL011 UART (ARM PrimeCell UART). Transmission is instantaneous: bytes go
// to the output file as the guest writes them, so the transmit FIFO is
// always empty. Received bytes wait in a 16-entry FIFO (the depth the
// advertised revision r1p1 has; 1 entry while LCR_H.FEN is clear).
// The interrupt output is high while RIS & IMSC is non-zero.
#pragma once
#include "hw/device.hpp"
#include "hw/irq_line.hpp"
#include "hw/register_bank.hpp"

#include <cstdio>
#include <deque>
#include <vector>

namespace kestrel {

// Guest-visible state (saved by savevm, see hw/pl011_desc.hpp): the
// writable registers, the receive FIFO and the error/interrupt latches.
struct Pl011State {
    uint32_t ilpr = 0, ibrd = 0, fbrd = 0, lcr_h = 0, cr = 0x300, ifls = 0x12, imsc = 0, dmacr = 0;
    std::vector<uint16_t> rx; // oldest first: data bits 7:0, error bits 11:8
    uint32_t rsr = 0;
    uint32_t ris = 0;
    bool operator==(const Pl011State&) const = default;
};

class Pl011 : public Device {
  public:
    // Register offsets.
    enum : uint64_t {
        kDR = 0x000,
        kRSR = 0x004, // RSR on read, ECR on write
        kFR = 0x018,
        kILPR = 0x020,
        kIBRD = 0x024,
        kFBRD = 0x028,
        kLCR_H = 0x02c,
        kCR = 0x030,
        kIFLS = 0x034,
        kIMSC = 0x038,
        kRIS = 0x03c,
        kMIS = 0x040,
        kICR = 0x044,
        kDMACR = 0x048,
    };
    // FR bits.
    enum : uint32_t {
        kFrBusy = 1u << 3,
        kFrRxfe = 1u << 4,
        kFrTxff = 1u << 5,
        kFrRxff = 1u << 6,
        kFrTxfe = 1u << 7
    };
    // Interrupt bits (IMSC/RIS/MIS/ICR).
    enum : uint32_t { kIntRx = 1u << 4, kIntTx = 1u << 5, kIntRt = 1u << 6, kIntOe = 1u << 10 };
    enum : uint32_t { kLcrFen = 1u << 4 };
    static constexpr unsigned kFifoDepth = 16;

    // Output goes to out (nullptr: discarded); the caller keeps ownership.
    explicit Pl011(std::FILE* out);
    const char* name() const override { return "pl011"; }
    MemResult read(uint64_t offset, unsigned size, uint64_t& value) override;
    MemResult write(uint64_t offset, unsigned size, uint64_t value) override;
    void reset() override;

    // Host side of the serial line. Call from the thread that runs the guest.
    bool can_receive() const { return rx_.size() < depth(); }
    // A byte arrived; when the FIFO is full it is lost and an overrun flagged.
    void receive(uint8_t byte);

    // Snapshot support. load_state() takes a state that valid_state()
    // accepted and drives the interrupt line to match it.
    Pl011State save_state() const;
    void load_state(const Pl011State& st);
    static bool valid_state(const Pl011State& st) { return st.rx.size() <= kFifoDepth; }

    IrqLine irq;

  private:
    unsigned depth() const { return (regs_.get(kLCR_H) & kLcrFen) ? kFifoDepth : 1; }
    unsigned rx_trigger() const;
    uint64_t read_dr();
    void write_dr(uint64_t value);
    uint32_t flags() const;
    void update_irq();

    std::FILE* out_;
    RegisterBank regs_{"pl011"};
    std::deque<uint16_t> rx_; // data bits 7:0, error bits 11:8
    uint32_t rsr_ = 0;
    uint32_t ris_ = 0;
};

} // namespace kestrel
