// savevm description of the PL011 UART (section "pl011").
#pragma once
#include "hw/pl011.hpp"
#include "savevm/section.hpp"

namespace kestrel {

inline constexpr auto kPl011Section = savevm::section<Pl011State>(
    "pl011", 1, 1,
    savevm::fields(
        savevm::field("ilpr", &Pl011State::ilpr), savevm::field("ibrd", &Pl011State::ibrd),
        savevm::field("fbrd", &Pl011State::fbrd), savevm::field("lcr_h", &Pl011State::lcr_h),
        savevm::field("cr", &Pl011State::cr), savevm::field("ifls", &Pl011State::ifls),
        savevm::field("imsc", &Pl011State::imsc), savevm::field("dmacr", &Pl011State::dmacr),
        savevm::field("rx_fifo", &Pl011State::rx), savevm::field("rsr", &Pl011State::rsr),
        savevm::field("ris", &Pl011State::ris)));

} // namespace kestrel
