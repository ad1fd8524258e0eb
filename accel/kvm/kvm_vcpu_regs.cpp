#include "accel/kvm/kvm_vcpu_regs.hpp"

#include <cstdio>
#include <cstring>

namespace kestrel {

using namespace kvm;

const std::vector<KvmSysRegMap>& kvm_sysreg_map() {
    static const std::vector<KvmSysRegMap> map = [] {
        std::vector<KvmSysRegMap> m = {
            {"SCTLR_EL1", sys_reg(3, 0, 1, 0, 0), &SysRegState::sctlr_el1},
            {"CPACR_EL1", sys_reg(3, 0, 1, 0, 2), &SysRegState::cpacr_el1},
            {"TTBR0_EL1", sys_reg(3, 0, 2, 0, 0), &SysRegState::ttbr0_el1},
            {"TTBR1_EL1", sys_reg(3, 0, 2, 0, 1), &SysRegState::ttbr1_el1},
            {"TCR_EL1", sys_reg(3, 0, 2, 0, 2), &SysRegState::tcr_el1},
            {"AFSR0_EL1", sys_reg(3, 0, 5, 1, 0), &SysRegState::afsr0_el1},
            {"AFSR1_EL1", sys_reg(3, 0, 5, 1, 1), &SysRegState::afsr1_el1},
            {"ESR_EL1", sys_reg(3, 0, 5, 2, 0), &SysRegState::esr_el1},
            {"FAR_EL1", sys_reg(3, 0, 6, 0, 0), &SysRegState::far_el1},
            {"PAR_EL1", sys_reg(3, 0, 7, 4, 0), &SysRegState::par_el1},
            {"MAIR_EL1", sys_reg(3, 0, 10, 2, 0), &SysRegState::mair_el1},
            {"AMAIR_EL1", sys_reg(3, 0, 10, 3, 0), &SysRegState::amair_el1},
            {"VBAR_EL1", sys_reg(3, 0, 12, 0, 0), &SysRegState::vbar_el1},
            {"CONTEXTIDR_EL1", sys_reg(3, 0, 13, 0, 1), &SysRegState::contextidr_el1},
            {"TPIDR_EL1", sys_reg(3, 0, 13, 0, 4), &SysRegState::tpidr_el1},
            {"CNTKCTL_EL1", sys_reg(3, 0, 14, 1, 0), &SysRegState::cntkctl_el1},
            {"CSSELR_EL1", sys_reg(3, 2, 0, 0, 0), &SysRegState::csselr_el1},
            {"TPIDR_EL0", sys_reg(3, 3, 13, 0, 2), &SysRegState::tpidr_el0},
            {"TPIDRRO_EL0", sys_reg(3, 3, 13, 0, 3), &SysRegState::tpidrro_el0},
            {"MDSCR_EL1", sys_reg(2, 0, 0, 2, 2), &SysRegState::mdscr_el1},
            {"MDCCINT_EL1", sys_reg(2, 0, 0, 2, 0), &SysRegState::mdccint_el1},
            {"OSDLR_EL1", sys_reg(2, 0, 1, 3, 4), &SysRegState::osdlr_el1},
            {"PMCR_EL0", sys_reg(3, 3, 9, 12, 0), &SysRegState::pmcr_el0},
            {"PMCNTENSET_EL0", sys_reg(3, 3, 9, 12, 1), &SysRegState::pmcnten},
            {"PMINTENSET_EL1", sys_reg(3, 0, 9, 14, 1), &SysRegState::pminten},
            {"PMOVSSET_EL0", sys_reg(3, 3, 9, 14, 3), &SysRegState::pmovs},
            {"PMSELR_EL0", sys_reg(3, 3, 9, 12, 5), &SysRegState::pmselr_el0},
            {"PMCCNTR_EL0", sys_reg(3, 3, 9, 13, 0), &SysRegState::pmccntr_el0},
            {"PMCCFILTR_EL0", sys_reg(3, 3, 14, 15, 7), &SysRegState::pmccfiltr_el0},
            {"PMUSERENR_EL0", sys_reg(3, 3, 9, 14, 0), &SysRegState::pmuserenr_el0},
            // The virtual timer under the kernel's names (see kvm_abi.hpp).
            {"CNTV_CTL_EL0", KVM_REG_ARM_TIMER_CTL, &SysRegState::cntv_ctl_el0},
            {"CNTV_CVAL_EL0", KVM_REG_ARM_TIMER_CVAL, &SysRegState::cntv_cval_el0},
            {"CNTP_CTL_EL0", KVM_REG_ARM_PTIMER_CTL, &SysRegState::cntp_ctl_el0},
            {"CNTP_CVAL_EL0", KVM_REG_ARM_PTIMER_CVAL, &SysRegState::cntp_cval_el0},
        };
        for (unsigned n = 0; n < 16; n++) {
            // Breakpoint/watchpoint registers: DBGBVR<n> (2,0,0,n,4) etc.,
            // kept in arrays (field = nullptr, see debug_slot()).
            static const char* names[4] = {"DBGBVRn_EL1", "DBGBCRn_EL1", "DBGWVRn_EL1",
                                           "DBGWCRn_EL1"};
            m.push_back({names[0], sys_reg(2, 0, 0, n, 4), nullptr});
            m.push_back({names[1], sys_reg(2, 0, 0, n, 5), nullptr});
            m.push_back({names[2], sys_reg(2, 0, 0, n, 6), nullptr});
            m.push_back({names[3], sys_reg(2, 0, 0, n, 7), nullptr});
        }
        return m;
    }();
    return map;
}

namespace {

// The debug register arrays cannot be named by a pointer-to-member of a
// scalar; they are reached through this instead.
uint64_t* debug_slot(SysRegState& sys, uint64_t id) {
    const unsigned crm = (id >> 3) & 0xf, op2 = id & 7;
    switch (op2) {
    case 4: return &sys.dbgbvr[crm];
    case 5: return &sys.dbgbcr[crm];
    case 6: return &sys.dbgwvr[crm];
    case 7: return &sys.dbgwcr[crm];
    }
    return nullptr;
}

std::string regname(uint64_t id) {
    char b[40];
    std::snprintf(b, sizeof b, "register 0x%016llx", static_cast<unsigned long long>(id));
    return b;
}

struct Io {
    KvmInterface& kvm;
    int fd;
    std::optional<std::string> err;
    template <typename T> void get(uint64_t id, const char* what, T& v) {
        if (err) return;
        static_assert(sizeof(T) <= 16);
        uint8_t buf[16] = {};
        int r = kvm.get_one_reg(fd, id, buf);
        if (r < 0) {
            err = std::string("KVM_GET_ONE_REG ") + (what ? what : regname(id).c_str()) + ": " +
                  kvm_errno_text(r);
            return;
        }
        std::memcpy(&v, buf, sizeof(T));
    }
    template <typename T> void set(uint64_t id, const char* what, const T& v) {
        if (err) return;
        uint8_t buf[16] = {};
        std::memcpy(buf, &v, sizeof(T));
        int r = kvm.set_one_reg(fd, id, buf);
        if (r < 0)
            err = std::string("KVM_SET_ONE_REG ") + (what ? what : regname(id).c_str()) + ": " +
                  kvm_errno_text(r);
    }
};

} // namespace

uint64_t kvm_pstate_from(const CpuState& s) {
    uint64_t v = s.nzcv | s.daif;
    v |= uint64_t{s.el} << 2;
    v |= s.spsel;
    if (s.pan) v |= 1u << 22;
    if (s.uao) v |= 1u << 23;
    if (s.ss) v |= 1u << 21;
    if (s.il) v |= 1u << 20;
    return v;
}

void kvm_pstate_to(uint64_t p, CpuState& s) {
    s.nzcv = static_cast<uint32_t>(p) & 0xf0000000u;
    s.daif = static_cast<uint32_t>(p) & 0x3c0u;
    s.el = (p >> 2) & 3;
    s.spsel = p & 1;
    s.pan = (p >> 22) & 1;
    s.uao = (p >> 23) & 1;
    s.ss = (p >> 21) & 1;
    s.il = (p >> 20) & 1;
}

std::optional<std::string> kvm_get_vcpu_regs(KvmInterface& kvm, int fd, const KvmRegSet& present,
                                             uint64_t counter_now, CpuState& s, SysRegState& sys) {
    Io io{kvm, fd, {}};
    for (unsigned n = 0; n < 31; n++)
        io.get(core_x(n), nullptr, s.x[n]);
    io.get(kRegSpEl0, "SP_EL0", s.sp_el[0]);
    io.get(kRegSpEl1, "SP_EL1", s.sp_el[1]);
    io.get(kRegPc, "PC", s.pc);
    uint64_t pstate = 0;
    io.get(kRegPstate, "PSTATE", pstate);
    io.get(kRegElrEl1, "ELR_EL1", sys.elr_el1);
    io.get(kRegSpsrEl1, "SPSR_EL1", sys.spsr_el1);
    for (unsigned n = 0; n < 32; n++)
        io.get(core_v(n), nullptr, s.v[n]);
    io.get(kRegFpsr, "FPSR", s.fpsr);
    io.get(kRegFpcr, "FPCR", s.fpcr);
    for (const KvmSysRegMap& m : kvm_sysreg_map()) {
        if (!present.count(m.id)) continue;
        uint64_t* slot = m.field ? &(sys.*(m.field)) : debug_slot(sys, m.id);
        io.get(m.id, m.name, *slot);
    }
    if (present.count(KVM_REG_ARM_TIMER_CNT)) {
        uint64_t vcnt = 0;
        io.get(KVM_REG_ARM_TIMER_CNT, "CNTVCT_EL0", vcnt);
        sys.cntvoff_el2 = counter_now - vcnt;
    }
    if (io.err) return io.err;
    kvm_pstate_to(pstate, s);
    // The kernel owns the exclusive monitor; a restored guest retries.
    s.excl_size = 0;
    return std::nullopt;
}

std::optional<std::string> kvm_set_vcpu_regs(KvmInterface& kvm, int fd, const KvmRegSet& present,
                                             uint64_t counter_now, const CpuState& s,
                                             const SysRegState& sys) {
    Io io{kvm, fd, {}};
    for (unsigned n = 0; n < 31; n++)
        io.set(core_x(n), nullptr, s.x[n]);
    io.set(kRegSpEl0, "SP_EL0", s.sp_el[0]);
    io.set(kRegSpEl1, "SP_EL1", s.sp_el[1]);
    io.set(kRegPc, "PC", s.pc);
    io.set(kRegPstate, "PSTATE", kvm_pstate_from(s));
    io.set(kRegElrEl1, "ELR_EL1", sys.elr_el1);
    io.set(kRegSpsrEl1, "SPSR_EL1", sys.spsr_el1);
    for (unsigned n = 0; n < 32; n++)
        io.set(core_v(n), nullptr, s.v[n]);
    io.set(kRegFpsr, "FPSR", s.fpsr);
    io.set(kRegFpcr, "FPCR", s.fpcr);
    SysRegState copy = sys; // debug_slot needs a mutable object
    for (const KvmSysRegMap& m : kvm_sysreg_map()) {
        if (!present.count(m.id)) continue;
        const uint64_t v = m.field ? sys.*(m.field) : *debug_slot(copy, m.id);
        io.set(m.id, m.name, v);
    }
    // The virtual count: the kernel adjusts its offset so the guest reads
    // this value now.
    if (present.count(KVM_REG_ARM_TIMER_CNT))
        io.set(KVM_REG_ARM_TIMER_CNT, "CNTVCT_EL0", counter_now - sys.cntvoff_el2);
    return io.err;
}

} // namespace kestrel
