// Cross-checks Kestrel's scalar FP instructions against qemu-aarch64, whose
// Arm FP emulation is exact: every FP entry of the decoder table runs with
// edge-biased operands and random FPCR settings under both, and the
// results (V0 whole, X0, NZCV, FPSR flags, UNDEFINED-ness) must agree.
//
// usage: fp-crosscheck QEMU GUEST [cases-per-insn] [seed] [name-filter]
// Exits 77 (skipped) when qemu or the guest program cannot run.
#include "cpu/cpu.hpp"
#include "cpu/decoder.hpp"
#include "hw/bus.hpp"
#include "tests/fpcheck/fp_values.hpp"

extern "C" {
#include "tests/fpcheck/fpcheck_case.h"
}

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace kestrel;
using namespace kestrel::fptest;

namespace {

bool is_fp_entry(const InsnDesc& d) {
    std::string g = d.group;
    return g.rfind("fp_", 0) == 0 || g.rfind("simd_scalar", 0) == 0;
}

void set_field(uint32_t& insn, const InsnPattern& p, const char* name, uint32_t v) {
    if (const InsnField* f = p.field(name)) {
        uint32_t m = ((1u << f->width) - 1) << f->lsb;
        insn = (insn & ~m) | ((v << f->lsb) & m);
    }
}

const FormatInfo& info_of(unsigned type) {
    return type == 0 ? kSingleInfo : type == 1 ? kDoubleInfo : kHalfInfo;
}

fpcheck_case make_case(const InsnDesc& d, ValueGen& g) {
    fpcheck_case c;
    std::memset(&c, 0, sizeof c);
    uint32_t insn = d.pat.value | (static_cast<uint32_t>(g.bits(32)) & ~d.pat.mask);
    set_field(insn, d.pat, "Rd", 0);
    set_field(insn, d.pat, "Rn", 1);
    set_field(insn, d.pat, "Rm", 2);
    set_field(insn, d.pat, "Ra", 3);
    // Mostly single and double; sometimes half or the unallocated type.
    static const unsigned kTypes[] = {0, 1, 0, 1, 0, 1, 0, 1, 3, 2};
    unsigned type = kTypes[g.below(10)];
    set_field(insn, d.pat, "ftype", type);
    if (d.pat.field("opc")) { // FCVT: mostly a real conversion
        static const unsigned kOpc[] = {0, 1, 3};
        unsigned opc = kOpc[g.below(3)];
        if (opc == type && g.below(8)) opc = type == 0 ? 1 : 0;
        set_field(insn, d.pat, "opc", opc);
    }
    if (d.pat.field("scale") && g.below(8)) set_field(insn, d.pat, "scale", 32 + g.below(32));
    if (const InsnField* f = d.pat.field("sz")) type = (insn >> f->lsb) & 1;
    const FormatInfo& fi = info_of(type == 2 ? 0 : type);
    for (int r = 0; r < 4; r++) {
        c.v[r][0] = g.bits(64);
        c.v[r][1] = g.bits(64);
    }
    uint64_t keep = fi.n == 64 ? 0 : ~0ull << fi.n; // random bits above the scalar
    uint64_t a = g.fp(fi);
    uint64_t b = g.below(2) ? g.related(fi, a) : g.fp(fi);
    uint64_t ra = g.below(3) ? g.related(fi, a) : g.fp(fi);
    c.v[1][0] = (c.v[1][0] & keep) | a;
    c.v[2][0] = (c.v[2][0] & keep) | b;
    c.v[3][0] = (c.v[3][0] & keep) | ra;
    c.x1 = g.integer();
    c.x0 = g.bits(64);
    c.fpcr = g.fpcr();
    c.nzcv = g.bits(4) << 28;
    c.insn = insn;
    return c;
}

// Runs the case on a Kestrel core; fills the same output fields.
fpcheck_case run_kestrel(Cpu& cpu, const fpcheck_case& in) {
    fpcheck_case out = in;
    cpu.s.el = 0;
    cpu.sys.cpacr_el1 = 3u << 20;
    for (int r = 0; r < 4; r++)
        cpu.s.v[r] = VReg{in.v[r][0], in.v[r][1]};
    cpu.s.x[0] = in.x0;
    cpu.s.x[1] = in.x1;
    cpu.s.fpcr = static_cast<uint32_t>(in.fpcr);
    cpu.s.fpsr = 0;
    cpu.s.nzcv = static_cast<uint32_t>(in.nzcv);
    out.undef = 0;
    const InsnDesc* d = a64_decode(in.insn, cpu.model.features);
    try {
        if (!d) throw GuestException{};
        d->fn(cpu, in.insn);
    } catch (const GuestException&) {
        out.undef = 1;
        return out;
    }
    out.v[0][0] = cpu.s.v[0].lo;
    out.v[0][1] = cpu.s.v[0].hi;
    out.x0 = cpu.s.x[0];
    out.nzcv = cpu.s.nzcv;
    out.fpsr = cpu.s.fpsr;
    return out;
}

bool same(const fpcheck_case& a, const fpcheck_case& b) {
    if (a.undef || b.undef) return a.undef == b.undef;
    return a.v[0][0] == b.v[0][0] && a.v[0][1] == b.v[0][1] && a.x0 == b.x0 && a.nzcv == b.nzcv &&
           (a.fpsr & 0x9f) == (b.fpsr & 0x9f);
}

void print_case(const char* name, const fpcheck_case& in, const fpcheck_case& want,
                const fpcheck_case& got) {
    std::printf("MISMATCH %s insn=%08x fpcr=%08llx nzcv_in=%llx\n  V1=%016llx V2=%016llx "
                "V3=%016llx X1=%016llx\n",
                name, in.insn, (unsigned long long)in.fpcr, (unsigned long long)in.nzcv >> 28,
                (unsigned long long)in.v[1][0], (unsigned long long)in.v[2][0],
                (unsigned long long)in.v[3][0], (unsigned long long)in.x1);
    auto show = [](const char* who, const fpcheck_case& c) {
        std::printf("  %-7s undef=%u V0=%016llx:%016llx X0=%016llx nzcv=%llx fpsr=%02llx\n", who,
                    c.undef, (unsigned long long)c.v[0][1], (unsigned long long)c.v[0][0],
                    (unsigned long long)c.x0, (unsigned long long)c.nzcv >> 28,
                    (unsigned long long)(c.fpsr & 0x9f));
    };
    show("qemu", want);
    show("kestrel", got);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s QEMU GUEST [cases] [seed] [filter]\n", argv[0]);
        return 2;
    }
    std::string qemu = argv[1], guest = argv[2];
    unsigned per_insn = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 4000;
    uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 0) : 1;
    std::string filter = argc > 5 ? argv[5] : "";
    if (access(qemu.c_str(), X_OK) != 0 || access(guest.c_str(), R_OK) != 0) {
        std::printf("qemu-aarch64 or the guest program is missing: skipped\n");
        return 77;
    }

    // cortex-a57 with FP and AdvSIMD: no FP16, as qemu -cpu cortex-a57.
    CpuModel model = *find_cpu_model("cortex-a57");
    model.features |= feature_bit(Feature::FP) | feature_bit(Feature::AdvSIMD);
    model.features &= ~feature_bit(Feature::FP16);
    Bus bus;
    Cpu cpu(0, model, bus);

    ValueGen g(seed);
    std::vector<const InsnDesc*> entries;
    std::vector<fpcheck_case> cases;
    for (const InsnDesc& d : a64_table()) {
        if (!is_fp_entry(d)) continue;
        if (!filter.empty() && std::string(d.name).find(filter) == std::string::npos) continue;
        for (unsigned k = 0; k < per_insn; k++) {
            entries.push_back(&d);
            cases.push_back(make_case(d, g));
        }
    }
    std::string dir = "/tmp";
    if (const char* t = std::getenv("TMPDIR")) dir = t;
    std::string in_path = dir + "/fpcheck-in-" + std::to_string(getpid());
    std::string out_path = dir + "/fpcheck-out-" + std::to_string(getpid());
    FILE* f = std::fopen(in_path.c_str(), "wb");
    if (!f) return 2;
    std::fwrite(cases.data(), sizeof(fpcheck_case), cases.size(), f);
    std::fclose(f);
    std::string cmd =
        "'" + qemu + "' -cpu cortex-a57 '" + guest + "' < '" + in_path + "' > '" + out_path + "'";
    int rc = std::system(cmd.c_str());
    std::vector<fpcheck_case> want(cases.size());
    f = std::fopen(out_path.c_str(), "rb");
    size_t got_n = f ? std::fread(want.data(), sizeof(fpcheck_case), want.size(), f) : 0;
    if (f) std::fclose(f);
    std::remove(in_path.c_str());
    std::remove(out_path.c_str());
    if (rc != 0 || got_n != cases.size()) {
        std::printf("qemu run failed (rc=%d, %zu of %zu results)\n", rc, got_n, cases.size());
        return 1;
    }

    size_t failures = 0, undefs = 0;
    std::string last;
    unsigned shown_for_last = 0;
    for (size_t k = 0; k < cases.size(); k++) {
        fpcheck_case got = run_kestrel(cpu, cases[k]);
        if (want[k].undef) undefs++;
        if (same(want[k], got)) continue;
        failures++;
        if (last != entries[k]->name) {
            last = entries[k]->name;
            shown_for_last = 0;
        }
        if (shown_for_last++ < 3) print_case(entries[k]->name, cases[k], want[k], got);
    }
    std::printf("%zu cases (%zu undefined), %zu mismatches\n", cases.size(), undefs, failures);
    return failures ? 1 : 0;
}
