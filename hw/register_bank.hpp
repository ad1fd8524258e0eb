// Describes a device's registers as data (offset, width, reset value,
// read/write masks, side effects) so devices need no hand-written
// offset switches. Accesses that match no register, are wider than the
// register, or write a read-only register are logged (-d guest_errors) and
// otherwise ignored: reads return 0, nothing ever faults.
#pragma once
#include "hw/device.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kestrel {

enum class RegAccess : uint8_t { ReadWrite, ReadOnly, WriteOnly };

struct RegisterSpec {
    const char* name = "";
    uint64_t offset = 0;
    unsigned width = 4; // bytes
    uint64_t reset = 0;
    uint64_t read_mask = ~0ull;  // bits a read returns
    uint64_t write_mask = ~0ull; // bits a write may change
    RegAccess access = RegAccess::ReadWrite;
    // When set, a read returns this instead of the stored value (before
    // read_mask is applied).
    std::function<uint64_t()> on_read;
    // When set, a write calls this with the masked value instead of storing
    // it (write-one-to-clear registers, FIFOs, ...).
    std::function<void(uint64_t value)> on_write;
    // Side effect after a stored write: (old value, new value).
    std::function<void(uint64_t old_value, uint64_t new_value)> after_write;

    // Fluent setters: reg("CR", 0x30).reset_to(0x300).masks(0xffff, 0xff87).
    RegisterSpec& sized(unsigned bytes) {
        width = bytes;
        return *this;
    }
    RegisterSpec& reset_to(uint64_t v) {
        reset = v;
        return *this;
    }
    RegisterSpec& masks(uint64_t readable, uint64_t writable) {
        read_mask = readable;
        write_mask = writable;
        return *this;
    }
    RegisterSpec& read_only() {
        access = RegAccess::ReadOnly;
        write_mask = 0;
        return *this;
    }
    RegisterSpec& write_only() {
        access = RegAccess::WriteOnly;
        return *this;
    }
    RegisterSpec& reads(std::function<uint64_t()> fn) {
        on_read = std::move(fn);
        return *this;
    }
    RegisterSpec& writes(std::function<void(uint64_t)> fn) {
        on_write = std::move(fn);
        return *this;
    }
    RegisterSpec& then(std::function<void(uint64_t, uint64_t)> fn) {
        after_write = std::move(fn);
        return *this;
    }
};

inline RegisterSpec reg(const char* name, uint64_t offset) {
    RegisterSpec s;
    s.name = name;
    s.offset = offset;
    return s;
}

class RegisterBank {
  public:
    explicit RegisterBank(std::string device_name) : device_(std::move(device_name)) {}

    // Adds a register; overlapping registers are an internal error (abort).
    void add(RegisterSpec spec);
    // A read-only register holding a constant (ID registers).
    void add_constant(const char* name, uint64_t offset, uint64_t value, unsigned width = 4);

    // Device-style accesses; always return MemResult::Ok.
    MemResult read(uint64_t offset, unsigned size, uint64_t& value);
    MemResult write(uint64_t offset, unsigned size, uint64_t value);
    // Restores every stored value to its reset value.
    void reset();

    // Direct access to a stored value for the device's own logic; offset
    // must name a register (an internal error otherwise).
    uint64_t get(uint64_t offset) const;
    void set(uint64_t offset, uint64_t value);

    // Counts ignored (logged) accesses, for tests and statistics.
    uint64_t ignored_accesses() const { return ignored_; }

  private:
    struct Reg {
        RegisterSpec spec;
        uint64_t value = 0;
    };
    Reg* find(uint64_t offset);
    const Reg* find(uint64_t offset) const;
    void ignore(const char* what, uint64_t offset, unsigned size, uint64_t value, bool is_write);

    std::string device_;
    std::vector<Reg> regs_; // sorted by offset
    uint64_t ignored_ = 0;
};

} // namespace kestrel
