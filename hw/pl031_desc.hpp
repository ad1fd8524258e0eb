// savevm description of the PL031 RTC (section "pl031"). The counter is an
// offset from host wall-clock time, like a battery-backed clock: after a
// restore it shows the real date, not the date of the snapshot.
#pragma once
#include "hw/pl031.hpp"
#include "savevm/section.hpp"

namespace kestrel {

inline constexpr auto kPl031Section = savevm::section<Pl031State>(
    "pl031", 1, 1,
    savevm::fields(savevm::field("offset", &Pl031State::offset),
                   savevm::field("mr", &Pl031State::mr), savevm::field("lr", &Pl031State::lr),
                   savevm::field("imsc", &Pl031State::imsc),
                   savevm::field("ris", &Pl031State::ris)));

} // namespace kestrel
