#include "hw/register_bank.hpp"

#include "cpu/log.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace kestrel {

namespace {

uint64_t width_mask(unsigned bytes) {
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

} // namespace

void RegisterBank::add(RegisterSpec spec) {
    if (spec.width == 0 || spec.width > 8) {
        std::fprintf(stderr, "kestrel: %s: register %s has bad width %u\n", device_.c_str(),
                     spec.name, spec.width);
        std::abort();
    }
    for (const Reg& r : regs_) {
        if (spec.offset < r.spec.offset + r.spec.width &&
            r.spec.offset < spec.offset + spec.width) {
            std::fprintf(stderr, "kestrel: %s: register %s overlaps %s\n", device_.c_str(),
                         spec.name, r.spec.name);
            std::abort();
        }
    }
    Reg r;
    r.value = spec.reset & width_mask(spec.width);
    r.spec = std::move(spec);
    auto it = std::lower_bound(regs_.begin(), regs_.end(), r.spec.offset,
                               [](const Reg& a, uint64_t off) { return a.spec.offset < off; });
    regs_.insert(it, std::move(r));
}

void RegisterBank::add_constant(const char* name, uint64_t offset, uint64_t value, unsigned width) {
    add(reg(name, offset).sized(width).reset_to(value).read_only());
}

RegisterBank::Reg* RegisterBank::find(uint64_t offset) {
    auto it = std::lower_bound(regs_.begin(), regs_.end(), offset,
                               [](const Reg& a, uint64_t off) { return a.spec.offset < off; });
    if (it == regs_.end() || it->spec.offset != offset) return nullptr;
    return &*it;
}

const RegisterBank::Reg* RegisterBank::find(uint64_t offset) const {
    return const_cast<RegisterBank*>(this)->find(offset);
}

void RegisterBank::ignore(const char* what, uint64_t offset, unsigned size, uint64_t value,
                          bool is_write) {
    ignored_++;
    if (!log_enabled(kLogGuestErrors)) return;
    if (is_write)
        log_printf("%s: %s: write of 0x%llx (size %u) at offset 0x%llx ignored\n", device_.c_str(),
                   what, static_cast<unsigned long long>(value), size,
                   static_cast<unsigned long long>(offset));
    else
        log_printf("%s: %s: read (size %u) at offset 0x%llx returns 0\n", device_.c_str(), what,
                   size, static_cast<unsigned long long>(offset));
}

MemResult RegisterBank::read(uint64_t offset, unsigned size, uint64_t& value) {
    value = 0;
    Reg* r = find(offset);
    if (!r) {
        ignore("no register", offset, size, 0, false);
        return MemResult::Ok;
    }
    if (size > r->spec.width) {
        ignore("access wider than the register", offset, size, 0, false);
        return MemResult::Ok;
    }
    if (r->spec.access == RegAccess::WriteOnly) {
        ignore("write-only register", offset, size, 0, false);
        return MemResult::Ok;
    }
    uint64_t v = r->spec.on_read ? r->spec.on_read() : r->value;
    value = v & r->spec.read_mask & width_mask(size);
    return MemResult::Ok;
}

MemResult RegisterBank::write(uint64_t offset, unsigned size, uint64_t value) {
    Reg* r = find(offset);
    if (!r) {
        ignore("no register", offset, size, value, true);
        return MemResult::Ok;
    }
    if (size > r->spec.width) {
        ignore("access wider than the register", offset, size, value, true);
        return MemResult::Ok;
    }
    if (r->spec.access == RegAccess::ReadOnly) {
        ignore("read-only register", offset, size, value, true);
        return MemResult::Ok;
    }
    // A narrower write only covers the register's low bytes.
    uint64_t mask = r->spec.write_mask & width_mask(size) & width_mask(r->spec.width);
    if (r->spec.on_write) {
        r->spec.on_write(value & mask);
        return MemResult::Ok;
    }
    uint64_t old = r->value;
    r->value = (old & ~mask) | (value & mask);
    if (r->spec.after_write) r->spec.after_write(old, r->value);
    return MemResult::Ok;
}

void RegisterBank::reset() {
    for (Reg& r : regs_)
        r.value = r.spec.reset & width_mask(r.spec.width);
}

uint64_t RegisterBank::get(uint64_t offset) const {
    const Reg* r = find(offset);
    if (!r) {
        std::fprintf(stderr, "kestrel: %s: no register at 0x%llx\n", device_.c_str(),
                     static_cast<unsigned long long>(offset));
        std::abort();
    }
    return r->value;
}

void RegisterBank::set(uint64_t offset, uint64_t value) {
    Reg* r = find(offset);
    if (!r) {
        std::fprintf(stderr, "kestrel: %s: no register at 0x%llx\n", device_.c_str(),
                     static_cast<unsigned long long>(offset));
        std::abort();
    }
    r->value = value & width_mask(r->spec.width);
}

} // namespace kestrel
