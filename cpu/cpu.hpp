// One emulated AArch64 core: state, memory access through the soft TLB, and
// the hooks the board installs (PSCI, semihosting, interrupt lines).
#pragma once
#include "cpu/cpu_model.hpp"
#include "cpu/cpu_state.hpp"
#include "cpu/exception.hpp"
#include "cpu/gic_cpu_interface.hpp"
#include "cpu/sysreg_state.hpp"
#include "cpu/tlb.hpp"
#include "hw/bus.hpp"

#include <atomic>
#include <cstring>
#include <functional>

namespace kestrel {

class Cpu;

// Services the board provides to a core. Each returns true when it handled
// the call; an unhandled HVC/SMC/HLT becomes the architectural behaviour.
struct CpuHooks {
    std::function<bool(Cpu&, uint16_t imm)> hvc;
    std::function<bool(Cpu&, uint16_t imm)> smc;
    std::function<bool(Cpu&, uint16_t imm)> hlt;
    // Called when the code page tracker sees a write to a page holding
    // translated code.
    std::function<void(uint64_t pa, unsigned len)> code_write;
};

enum class CpuRunState : uint8_t { Running, Halted, WaitForInterrupt, Off };

class Cpu {
public:
    Cpu(unsigned index, const CpuModel& model, Bus& bus);

    CpuState s;
    SysRegState sys;
    const CpuModel model;
    Bus& bus;
    const unsigned index;
    uint64_t mpidr = 0;
    CpuHooks hooks;
    CpuRunState run_state = CpuRunState::Running;
    int exit_code = 0;
    // Set from any thread to make the core leave its execution loop soon.
    std::atomic<bool> exit_request{false};
    // Asynchronous interrupt inputs (wired to the GIC).
    std::atomic<bool> irq_line{false};
    std::atomic<bool> fiq_line{false};
    // The interrupt controller's CPU interface (ICC_* registers); nullptr
    // when none is wired, which makes those registers UNDEFINED.
    GicCpuInterface* gic = nullptr;
    Tlb tlb;

    // --- registers -----------------------------------------------------
    uint64_t xr(unsigned n) const { return n == 31 ? 0 : s.x[n]; } // reg 31 = XZR
    uint32_t wr(unsigned n) const { return static_cast<uint32_t>(xr(n)); }
    void set_xr(unsigned n, uint64_t v) {
        if (n != 31) s.x[n] = v;
    }
    void set_wr(unsigned n, uint32_t v) { set_xr(n, v); }
    uint64_t& sp() { return s.sp_el[s.spsel ? s.el : 0]; }
    uint64_t xsp(unsigned n) { return n == 31 ? sp() : s.x[n]; } // reg 31 = SP
    void set_xsp(unsigned n, uint64_t v) {
        if (n == 31)
            sp() = v;
        else
            s.x[n] = v;
    }

    // --- memory (virtual addresses, through the TLB) ----------------------
    template <typename T> T load(uint64_t va) {
        const TlbEntry& e = tlb.entry(mmu_idx_, va);
        if (e.tag_read == (va & kTlbPageMask) && ((va & kTlbOffsetMask) + sizeof(T)) <= kTlbPageSize) [[likely]] {
            T v;
            std::memcpy(&v, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
            return v;
        }
        return static_cast<T>(load_slow(va, sizeof(T), AccessType::Read));
    }
    template <typename T> void store(uint64_t va, T v) {
        const TlbEntry& e = tlb.entry(mmu_idx_, va);
        if (e.tag_write == (va & kTlbPageMask) && ((va & kTlbOffsetMask) + sizeof(T)) <= kTlbPageSize) [[likely]] {
            std::memcpy(reinterpret_cast<void*>(va + e.addend), &v, sizeof(T));
            return;
        }
        store_slow(va, sizeof(T), static_cast<uint64_t>(v), AccessType::Write);
    }
    uint64_t load_sized(uint64_t va, unsigned size);
    void store_sized(uint64_t va, unsigned size, uint64_t v);
    // 16-byte accesses for Q registers and pairs.
    VReg load128(uint64_t va);
    void store128(uint64_t va, VReg v);
    // Fetches an instruction word; returns its physical address via pa_out.
    uint32_t fetch(uint64_t va, uint64_t& pa_out);
    // Host pointer of the RAM page holding va for execution, or nullptr.
    const uint8_t* code_page(uint64_t va, uint64_t& pa_page_out);

    // --- translation ------------------------------------------------------
    // Translates va for the current regime; throws GuestException on a fault.
    uint64_t translate(uint64_t va, AccessType type, unsigned size);
    unsigned mmu_idx() const { return mmu_idx_; }
    // Recomputes the cached translation regime after EL/PAN/SCTLR changes.
    void update_mmu_idx();
    void tlb_flush_all() { tlb.flush(); }

    // --- exceptions -------------------------------------------------------
    [[noreturn]] void undefined();
    [[noreturn]] void raise(const GuestException& e) { throw e; }
    // Delivers a synchronous exception (vectoring, ESR/FAR/ELR/SPSR).
    void take_exception(const GuestException& e);
    // Delivers a pending unmasked IRQ/FIQ; returns true when one was taken.
    bool check_interrupts();
    // PSTATE as it would be saved into SPSR_ELx.
    uint64_t pstate_to_spsr() const;
    void spsr_to_pstate(uint64_t spsr);

    // Stops this core (semihosting exit, PSCI power-off, fatal conditions).
    [[noreturn]] void halt(int code) {
        run_state = CpuRunState::Halted;
        exit_code = code;
        throw CpuExit{};
    }
    // Resets the core to its power-on state.
    void reset();

private:
    uint64_t load_slow(uint64_t va, unsigned size, AccessType type);
    void store_slow(uint64_t va, unsigned size, uint64_t v, AccessType type);
    void fill_tlb(uint64_t va, uint64_t pa, AccessType type);
    [[noreturn]] void external_abort(uint64_t va, AccessType type, unsigned size, MemResult r);
    unsigned mmu_idx_ = 0;
};

} // namespace kestrel
