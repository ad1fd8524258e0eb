#include "hw/pl011.hpp"

namespace kestrel {

namespace {
constexpr uint32_t kRsrOverrun = 1u << 3;
constexpr uint32_t kAllInts = 0x7ff;
} // namespace

Pl011::Pl011(std::FILE* out) : out_(out) {
    regs_.add(reg("DR", kDR)
                  .masks(0xfff, 0xff)
                  .reads([this] { return read_dr(); })
                  .writes([this](uint64_t v) { write_dr(v); }));
    // RSR on read; any write to ECR clears the error flags.
    regs_.add(reg("RSR_ECR", kRSR)
                  .masks(0xf, ~0ull)
                  .reads([this] { return uint64_t{rsr_}; })
                  .writes([this](uint64_t) { rsr_ = 0; }));
    regs_.add(
        reg("FR", kFR).masks(0x1ff, 0).read_only().reads([this] { return uint64_t{flags()}; }));
    regs_.add(reg("ILPR", kILPR).masks(0xff, 0xff));
    regs_.add(reg("IBRD", kIBRD).masks(0xffff, 0xffff));
    regs_.add(reg("FBRD", kFBRD).masks(0x3f, 0x3f));
    regs_.add(reg("LCR_H", kLCR_H).masks(0xff, 0xff).then([this](uint64_t old_v, uint64_t new_v) {
        // Switching the FIFOs on or off empties them.
        if ((old_v ^ new_v) & kLcrFen) rx_.clear();
        update_irq();
    }));
    regs_.add(reg("CR", kCR).reset_to(0x300).masks(0xffff, 0xff87));
    regs_.add(reg("IFLS", kIFLS).reset_to(0x12).masks(0x3f, 0x3f).then([this](uint64_t, uint64_t) {
        update_irq();
    }));
    regs_.add(reg("IMSC", kIMSC).masks(kAllInts, kAllInts).then([this](uint64_t, uint64_t) {
        update_irq();
    }));
    regs_.add(
        reg("RIS", kRIS).masks(kAllInts, 0).read_only().reads([this] { return uint64_t{ris_}; }));
    regs_.add(reg("MIS", kMIS).masks(kAllInts, 0).read_only().reads([this] {
        return uint64_t{ris_} & regs_.get(kIMSC);
    }));
    regs_.add(reg("ICR", kICR).masks(0, kAllInts).write_only().writes([this](uint64_t v) {
        ris_ &= ~static_cast<uint32_t>(v);
        update_irq();
    }));
    regs_.add(reg("DMACR", kDMACR).masks(0x7, 0x7));
    // PrimeCell identification: part 0x011, designer ARM, revision 1.
    const uint8_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    const char* id_names[8] = {"PeriphID0", "PeriphID1", "PeriphID2", "PeriphID3",
                               "CellID0",   "CellID1",   "CellID2",   "CellID3"};
    for (unsigned i = 0; i < 8; i++)
        regs_.add_constant(id_names[i], 0xfe0 + 4 * i, ids[i]);
    reset();
}

MemResult Pl011::read(uint64_t offset, unsigned size, uint64_t& value) {
    return regs_.read(offset, size, value);
}

MemResult Pl011::write(uint64_t offset, unsigned size, uint64_t value) {
    return regs_.write(offset, size, value);
}

void Pl011::reset() {
    regs_.reset();
    rx_.clear();
    rsr_ = 0;
    ris_ = 0;
    update_irq();
}

Pl011State Pl011::save_state() const {
    Pl011State st;
    st.ilpr = static_cast<uint32_t>(regs_.get(kILPR));
    st.ibrd = static_cast<uint32_t>(regs_.get(kIBRD));
    st.fbrd = static_cast<uint32_t>(regs_.get(kFBRD));
    st.lcr_h = static_cast<uint32_t>(regs_.get(kLCR_H));
    st.cr = static_cast<uint32_t>(regs_.get(kCR));
    st.ifls = static_cast<uint32_t>(regs_.get(kIFLS));
    st.imsc = static_cast<uint32_t>(regs_.get(kIMSC));
    st.dmacr = static_cast<uint32_t>(regs_.get(kDMACR));
    st.rx.assign(rx_.begin(), rx_.end());
    st.rsr = rsr_;
    st.ris = ris_;
    return st;
}

void Pl011::load_state(const Pl011State& st) {
    // The same masks a guest write goes through.
    regs_.set(kILPR, st.ilpr & 0xff);
    regs_.set(kIBRD, st.ibrd & 0xffff);
    regs_.set(kFBRD, st.fbrd & 0x3f);
    regs_.set(kLCR_H, st.lcr_h & 0xff);
    regs_.set(kCR, st.cr & 0xffff);
    regs_.set(kIFLS, st.ifls & 0x3f);
    regs_.set(kIMSC, st.imsc & kAllInts);
    regs_.set(kDMACR, st.dmacr & 0x7);
    rx_.clear();
    for (size_t i = 0; i < st.rx.size() && i < kFifoDepth; i++)
        rx_.push_back(st.rx[i] & 0xfff);
    rsr_ = st.rsr & 0xf;
    ris_ = st.ris & kAllInts;
    update_irq();
}

unsigned Pl011::rx_trigger() const {
    if (!(regs_.get(kLCR_H) & kLcrFen)) return 1;
    // IFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 full.
    static constexpr unsigned eighths[8] = {1, 2, 4, 6, 7, 7, 7, 7};
    unsigned sel = (regs_.get(kIFLS) >> 3) & 7;
    return kFifoDepth * eighths[sel] / 8;
}

uint32_t Pl011::flags() const {
    uint32_t fr = kFrTxfe; // transmission is instantaneous: never busy, never full
    if (rx_.empty()) fr |= kFrRxfe;
    if (rx_.size() >= depth()) fr |= kFrRxff;
    return fr;
}

void Pl011::receive(uint8_t byte) {
    if (rx_.size() >= depth()) {
        rsr_ |= kRsrOverrun;
        ris_ |= kIntOe;
        update_irq();
        return;
    }
    rx_.push_back(byte);
    // The receive timeout fires for any byte left waiting; the guest never
    // sees the delay, so it is raised at once.
    ris_ |= kIntRt;
    if (rx_.size() >= rx_trigger()) ris_ |= kIntRx;
    update_irq();
}

uint64_t Pl011::read_dr() {
    if (rx_.empty()) return 0;
    uint16_t v = rx_.front();
    rx_.pop_front();
    rsr_ = (rsr_ & kRsrOverrun) | ((v >> 8) & 0x7);
    if (rx_.size() < rx_trigger()) ris_ &= ~kIntRx;
    if (rx_.empty()) ris_ &= ~kIntRt;
    update_irq();
    return v;
}

void Pl011::write_dr(uint64_t value) {
    if (out_) {
        std::fputc(static_cast<int>(value & 0xff), out_);
        std::fflush(out_);
    }
    // The byte left at once, so the transmit FIFO just drained.
    ris_ |= kIntTx;
    update_irq();
}

void Pl011::update_irq() {
    irq.set((ris_ & regs_.get(kIMSC)) != 0);
}

} // namespace kestrel
