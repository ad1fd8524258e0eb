// One emulated AArch64 core: state, memory access through the soft TLB, and
// the hooks the board installs (PSCI, semihosting, interrupt lines).
#pragma once
#include "cpu/cpu_model.hpp"
#include "cpu/cpu_state.hpp"
#include "cpu/exception.hpp"
#include "cpu/gic_cpu_interface.hpp"
#include "cpu/generic_timer.hpp"
#include "cpu/page_table_walker.hpp"
#include "cpu/sysreg_state.hpp"
#include "cpu/tlb.hpp"
#include "hw/bus.hpp"

#include <atomic>
#include <cstring>
#include <functional>
#include <vector>

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
    // Every core of the machine including this one (set by the board), so
    // inner-shareable TLB maintenance reaches them all; nullptr: this core only.
    std::vector<Cpu*>* siblings = nullptr;
    // The per-core generic timer (CNTP_*, CNTV_*); its outputs are level lines.
    GenericTimer timer;

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
    // The fast path serves naturally aligned accesses that the TLB entry
    // permits (the alignment bits are part of the tag compare); anything else
    // takes the slow path, which walks, checks alignment and permissions.
    template <typename T> T load(uint64_t va) { return load_idx<T>(mmu_idx_, va); }
    template <typename T> void store(uint64_t va, T v) { store_idx<T>(mmu_idx_, va, v); }
    // sizeof(T) bytes that architecturally are several accesses of `align`
    // bytes each (a pair of words, a run of vector lanes): Device memory and
    // SCTLR_EL1.A then only require `align`-byte alignment.
    template <typename T> T load_elems(uint64_t va, unsigned align) {
        return load_idx<T>(mmu_idx_, va, align);
    }
    template <typename T> void store_elems(uint64_t va, T v, unsigned align) {
        store_idx<T>(mmu_idx_, va, v, align);
    }
    // Unprivileged accesses (LDTR/STTR): EL0 permissions at EL0 and EL1.
    template <typename T> T load_unpriv(uint64_t va) { return load_idx<T>(unpriv_idx(), va); }
    template <typename T> void store_unpriv(uint64_t va, T v) { store_idx<T>(unpriv_idx(), va, v); }
    template <typename T> T load_idx(unsigned idx, uint64_t va, unsigned align = sizeof(T)) {
        const TlbEntry& e = tlb.entry(idx, va);
        if (e.tag_read == (va & (kTlbPageMask | (sizeof(T) - 1)))) [[likely]] {
            T v;
            std::memcpy(&v, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
            return v;
        }
        return static_cast<T>(load_slow(va, sizeof(T), idx, align));
    }
    template <typename T>
    void store_idx(unsigned idx, uint64_t va, T v, unsigned align = sizeof(T)) {
        const TlbEntry& e = tlb.entry(idx, va);
        if (e.tag_write == (va & (kTlbPageMask | (sizeof(T) - 1)))) [[likely]] {
            std::memcpy(reinterpret_cast<void*>(va + e.addend), &v, sizeof(T));
            return;
        }
        store_slow(va, sizeof(T), static_cast<uint64_t>(v), idx, align);
    }
    // Raises the alignment fault a single access of `size` bytes at va
    // would take for being unaligned (SCTLR_EL1.A, or Device memory), for
    // accesses performed in smaller pieces (16-byte SIMD&FP registers).
    void check_access_alignment(uint64_t va, unsigned size, AccessType type);
    uint64_t load_sized(uint64_t va, unsigned size);
    void store_sized(uint64_t va, unsigned size, uint64_t v);
    // 16-byte accesses for Q registers and pairs.
    VReg load128(uint64_t va);
    void store128(uint64_t va, VReg v);
    // Fetches an instruction word; returns its physical address via pa_out.
    uint32_t fetch(uint64_t va, uint64_t& pa_out);
    // Host pointer of the RAM page holding va for execution, or nullptr.
    const uint8_t* code_page(uint64_t va, uint64_t& pa_page_out);
    // True when code_page(va) would find pa_page in the TLB without a walk:
    // the current regime holds an executable translation of va's page to it.
    // The translation-block cache checks its cached blocks with this.
    bool code_page_cached(uint64_t va, uint64_t pa_page) {
        const TlbEntry& e = tlb.entry(mmu_idx_, va);
        return e.tag_exec == (va & kTlbPageMask) && e.pa_page == pa_page;
    }

    // --- translation ------------------------------------------------------
    struct Translation {
        uint64_t pa = 0;
        WalkResult walk;
        Stage1Perms perms;
    };
    // Translates va for an access of the given type in regime idx; throws
    // the guest-visible abort on a fault (permission faults included). An
    // unaligned data access to Device memory (with the MMU off, all data
    // memory is Device-nGnRnE) takes an alignment fault, checked before the
    // permissions as the architecture orders them.
    Translation translate_for(uint64_t va, AccessType type, unsigned idx, bool unaligned = false);
    // Translates va for the current regime; throws GuestException on a fault.
    uint64_t translate(uint64_t va, AccessType type, unsigned size);
    // The stage-1 registers of the EL1&0 regime, as the walker takes them.
    Stage1Config stage1_config() const;
    unsigned mmu_idx() const { return mmu_idx_; }
    unsigned unpriv_idx() const { return s.el <= 1 ? kMmuIdxEl0 : mmu_idx_; }
    // Recomputes the cached translation regime after EL/PAN/SCTLR changes.
    void update_mmu_idx();
    void tlb_flush_all() { tlb.flush(); }
    // TLB maintenance, on this core or (inner shareable) on every core.
    void tlbi_all(bool broadcast);
    void tlbi_asid(bool broadcast);
    void tlbi_va(uint64_t va, bool broadcast);
    // AT S1E{0,1}{R,W}: translates va as the given regime would and writes
    // the result (or the fault) to PAR_EL1.
    void address_translate(uint64_t va, bool el0, bool write);
    // Throws the abort for a fault found translating va.
    [[noreturn]] void raise_abort(uint64_t va, AccessType type, FaultKind kind, int level,
                                  bool cache_maint = false);
    // SCTLR_EL1.A (or SA0/SA) style checks used by the memory instructions.
    bool alignment_check_enabled() const { return sys.sctlr_el1 & (1u << 1); }
    // Raises the SP alignment fault when SP is the base register and it is
    // not 16-byte aligned while SCTLR_EL1.SA (EL1) / SA0 (EL0) is set.
    void check_sp_alignment(uint64_t sp_value) {
        unsigned bit = s.el == 0 ? 4 : 3;
        if ((sp_value & 15) && (sys.sctlr_el1 & (1u << bit))) raise_sp_alignment();
    }
    // The one FP/AdvSIMD access check (EC 0x07): every FP and SIMD
    // instruction, SIMD&FP load/store and FPCR/FPSR access calls it after
    // decoding. CPACR_EL1.FPEN: 0b11 traps nothing, 0b01 traps EL0 only,
    // 0b00/0b10 trap EL0 and EL1 (to EL1). At EL2, CPTR_EL2.TFP traps to EL2.
    void check_fp_enabled() {
        if (s.el <= 1) [[likely]] {
            unsigned fpen = (sys.cpacr_el1 >> 20) & 3;
            if (fpen == 3 || (fpen == 1 && s.el == 1)) [[likely]]
                return;
            raise_fp_trap();
        }
        if (s.el == 2 && (sys.cptr_el2 & (1u << 10))) raise_fp_trap();
    }

    // --- exceptions -------------------------------------------------------
    [[noreturn]] void undefined();
    [[noreturn]] void raise(const GuestException& e) { throw e; }
    // Delivers a synchronous exception (vectoring, ESR/FAR/ELR/SPSR).
    void take_exception(const GuestException& e);
    // Delivers a pending unmasked IRQ/FIQ; returns true when one was taken.
    bool check_interrupts();
    // ERET: restores PSTATE from SPSR_ELx and jumps to ELR_ELx; an illegal
    // return sets PSTATE.IL instead of changing EL or SP.
    void exception_return();
    // A system register or instruction trapped to EL1 (EC 0x18).
    [[noreturn]] void raise_sysreg_trap(uint32_t insn);
    // The syndrome of a trapped MRS/MSR/SYS instruction (ISS for EC 0x18).
    static uint32_t sysreg_trap_iss(uint32_t insn);
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
    // align: the alignment the architecture requires of the access.
    uint64_t load_slow(uint64_t va, unsigned size, unsigned idx, unsigned align);
    void store_slow(uint64_t va, unsigned size, uint64_t v, unsigned idx, unsigned align);
    void fill_tlb(unsigned idx, uint64_t va, const Translation& t);
    [[noreturn]] void external_abort(uint64_t va, AccessType type, MemResult r);
    [[noreturn]] void raise_sp_alignment();
    [[noreturn]] void raise_fp_trap();
    unsigned mmu_idx_ = 0;
};

} // namespace kestrel
