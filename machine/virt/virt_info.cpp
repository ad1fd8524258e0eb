#include "machine/virt/virt_info.hpp"

#include <cstdio>

namespace kestrel {

namespace {

std::string hex64(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
    return b;
}

} // namespace

const char* run_state_name(CpuRunState s) {
    switch (s) {
    case CpuRunState::Running: return "running";
    case CpuRunState::Halted: return "halted";
    case CpuRunState::WaitForInterrupt: return "wfi";
    case CpuRunState::Off: return "off";
    }
    return "?";
}

std::string format_cpu_registers(const Cpu& c) {
    const CpuState& s = c.s;
    std::string out = "CPU#" + std::to_string(c.index) + " (" + run_state_name(c.run_state) + ")\n";
    for (unsigned i = 0; i < 31; i++) {
        char b[40];
        std::snprintf(b, sizeof b, "X%02u=%016llx%s", i, static_cast<unsigned long long>(s.x[i]),
                      i % 4 == 3 ? "\n" : " ");
        out += b;
    }
    out += " SP=" + hex64(s.sp_el[s.spsel ? s.el : 0]) + "\n";
    char p[160];
    std::snprintf(p, sizeof p, "PC=%016llx PSTATE: %c%c%c%c EL%u%c DAIF=%x PAN=%u IL=%u\n",
                  static_cast<unsigned long long>(s.pc), (s.nzcv & kFlagN) ? 'N' : '-',
                  (s.nzcv & kFlagZ) ? 'Z' : '-', (s.nzcv & kFlagC) ? 'C' : '-',
                  (s.nzcv & kFlagV) ? 'V' : '-', s.el, s.spsel ? 'h' : 't', s.daif >> 6, s.pan,
                  s.il);
    out += p;
    std::snprintf(
        p, sizeof p, "SP_EL0=%016llx SP_EL1=%016llx SP_EL2=%016llx SP_EL3=%016llx\n",
        static_cast<unsigned long long>(s.sp_el[0]), static_cast<unsigned long long>(s.sp_el[1]),
        static_cast<unsigned long long>(s.sp_el[2]), static_cast<unsigned long long>(s.sp_el[3]));
    out += p;
    std::snprintf(p, sizeof p, "FPCR=%08x FPSR=%08x\n", s.fpcr, s.fpsr);
    out += p;
    for (unsigned i = 0; i < 32; i++) {
        char q[64];
        std::snprintf(q, sizeof q, "Q%02u=%016llx:%016llx%s", i,
                      static_cast<unsigned long long>(s.v[i].hi),
                      static_cast<unsigned long long>(s.v[i].lo), i % 2 ? "\n" : " ");
        out += q;
    }
    const SysRegState& r = c.sys;
    const std::pair<const char*, uint64_t> regs[] = {
        {"SCTLR_EL1", r.sctlr_el1},     {"TCR_EL1", r.tcr_el1},
        {"TTBR0_EL1", r.ttbr0_el1},     {"TTBR1_EL1", r.ttbr1_el1},
        {"MAIR_EL1", r.mair_el1},       {"VBAR_EL1", r.vbar_el1},
        {"ESR_EL1", r.esr_el1},         {"FAR_EL1", r.far_el1},
        {"ELR_EL1", r.elr_el1},         {"SPSR_EL1", r.spsr_el1},
        {"CPACR_EL1", r.cpacr_el1},     {"CNTV_CTL", r.cntv_ctl_el0},
        {"CNTV_CVAL", r.cntv_cval_el0}, {"CNTP_CTL", r.cntp_ctl_el0},
        {"CNTP_CVAL", r.cntp_cval_el0}, {"HCR_EL2", r.hcr_el2},
    };
    unsigned n = 0;
    for (const auto& [name, v] : regs) {
        char b[48];
        std::snprintf(b, sizeof b, "%-10s=%016llx%s", name, static_cast<unsigned long long>(v),
                      ++n % 3 == 0 ? "\n" : " ");
        out += b;
    }
    if (n % 3) out += "\n";
    if (s.excl_size) {
        std::snprintf(p, sizeof p, "exclusive monitor: %u bytes at %016llx\n", s.excl_size,
                      static_cast<unsigned long long>(s.excl_addr));
        out += p;
    }
    return out;
}

std::string format_cpu_list(const std::vector<const Cpu*>& cpus) {
    std::string out;
    for (const Cpu* c : cpus) {
        char b[128];
        std::snprintf(b, sizeof b, "%c CPU #%u: pc=0x%016llx EL%u mpidr=0x%llx (%s)\n",
                      c->index == 0 ? '*' : ' ', c->index, static_cast<unsigned long long>(c->s.pc),
                      c->s.el, static_cast<unsigned long long>(c->mpidr),
                      run_state_name(c->run_state));
        out += b;
    }
    return out;
}

} // namespace kestrel
