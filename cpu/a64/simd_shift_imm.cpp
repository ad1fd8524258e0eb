// Advanced SIMD shift by immediate, vector and scalar: right shifts with
// rounding/accumulate, inserts, left shifts with saturation, narrowing and
// lengthening shifts. immh picks the element size (its highest set bit) and
// immh:immb the shift amount.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_int.hpp"

namespace kestrel::a64 {
namespace {

// Operation selector: (U << 5) | opcode.
enum : unsigned {
    kSshr = 0x00,
    kSsra = 0x02,
    kSrshr = 0x04,
    kSrsra = 0x06,
    kShl = 0x0a,
    kSqshl = 0x0e,
    kShrn = 0x10,
    kRshrn = 0x11,
    kSqshrn = 0x12,
    kSqrshrn = 0x13,
    kSshll = 0x14,
    kU = 0x20,
    kUshr = kU | 0x00,
    kUsra = kU | 0x02,
    kUrshr = kU | 0x04,
    kUrsra = kU | 0x06,
    kSri = kU | 0x08,
    kSli = kU | 0x0a,
    kSqshlu = kU | 0x0c,
    kUqshl = kU | 0x0e,
    kSqshrun = kU | 0x10,
    kSqrshrun = kU | 0x11,
    kUqshrn = kU | 0x12,
    kUqrshrn = kU | 0x13,
    kUshll = kU | 0x14,
};

bool is_narrow(unsigned sel) {
    return (sel & 0x1f) >= 0x10 && (sel & 0x1f) <= 0x13;
}
bool is_left(unsigned sel) {
    return sel == kShl || sel == kSli || sel == kSqshl || sel == kUqshl || sel == kSqshlu;
}

// Element-wise shifts (same size in and out).
template <typename T> inline T shift_lane(unsigned sel, unsigned shift, T a, T d, bool& sat) {
    constexpr unsigned esize = sizeof(T) * 8;
    const bool u = sel & kU;
    switch (sel) {
    case kSshr:
    case kUshr: return static_cast<T>(shift_right_exact(ival(a, u), shift, false));
    case kSrshr:
    case kUrshr: return static_cast<T>(shift_right_exact(ival(a, u), shift, true));
    case kSsra:
    case kUsra:
        return static_cast<T>(d + static_cast<T>(shift_right_exact(ival(a, u), shift, false)));
    case kSrsra:
    case kUrsra:
        return static_cast<T>(d + static_cast<T>(shift_right_exact(ival(a, u), shift, true)));
    case kSri: {
        if (shift >= esize) return d;
        const T mask = static_cast<T>(static_cast<T>(~T{0}) >> shift);
        return static_cast<T>((d & ~mask) | (a >> shift));
    }
    case kShl: return static_cast<T>(static_cast<uint64_t>(a) << shift);
    case kSli: {
        const T mask = static_cast<T>(static_cast<uint64_t>(static_cast<T>(~T{0})) << shift);
        return static_cast<T>((d & ~mask) | static_cast<T>(static_cast<uint64_t>(a) << shift));
    }
    case kSqshl: return sat_signed<T>(ival(a, false) << shift, sat);
    case kUqshl: return sat_unsigned<T>(ival(a, true) << shift, sat);
    default: return sat_unsigned<T>(ival(a, false) << shift, sat); // SQSHLU
    }
}

template <typename T>
void same_size(Cpu& c, uint32_t i, unsigned sel, unsigned shift, unsigned bytes) {
    const VReg n = c.s.v[rn_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    bool sat = false;
    for (unsigned e = 0; e < bytes / sizeof(T); e++)
        set_elem<T>(r, e, shift_lane<T>(sel, shift, elem<T>(n, e), elem<T>(d, e), sat));
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, bytes == 16);
}

// SHRN/RSHRN/SQSHRN/UQSHRN/SQRSHRN/UQRSHRN/SQSHRUN/SQRSHRUN: W<T> lanes
// shifted right and narrowed to T.
template <typename T>
void narrow(Cpu& c, uint32_t i, unsigned sel, unsigned shift, bool part, bool scalar) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)];
    VReg r = part ? c.s.v[rd_of(i)] : VReg{};
    bool sat = false;
    const bool round = sel & 1;
    const bool src_unsigned = sel == kShrn || sel == kRshrn || sel == kUqshrn || sel == kUqrshrn;
    const unsigned count = scalar ? 1 : 8 / sizeof(T), off = part ? 8 / sizeof(T) : 0;
    for (unsigned e = 0; e < count; e++) {
        const __int128 v = shift_right_exact(ival(elem<TW>(n, e), src_unsigned), shift, round);
        T x;
        switch (sel) {
        case kShrn:
        case kRshrn: x = static_cast<T>(v); break;
        case kSqshrn:
        case kSqrshrn: x = sat_signed<T>(v, sat); break;
        default: x = sat_unsigned<T>(v, sat); break; // UQ(R)SHRN, SQ(R)SHRUN
        }
        set_elem<T>(r, e + off, x);
    }
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, part);
}

template <typename T> void lengthen(Cpu& c, uint32_t i, bool u, unsigned shift, bool part) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)];
    VReg r;
    const unsigned count = 8 / sizeof(T), off = part ? count : 0;
    for (unsigned e = 0; e < count; e++)
        set_elem<TW>(r, e, static_cast<TW>(ival(elem<T>(n, e + off), u) << shift));
    c.s.v[rd_of(i)] = r;
}

void shift_imm(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30) && !scalar;
    const unsigned immh = bits(i, 19, 4), immhb = bits(i, 16, 7);
    const unsigned sel = (bit(i, 29) << 5) | bits(i, 11, 5);
    if (immh == 0) c.undefined();
    const unsigned size = 31 - std::countl_zero(immh); // highest set bit
    const unsigned esize = 8u << size;
    const bool narrow_op = is_narrow(sel), long_op = sel == kSshll || sel == kUshll;
    if (narrow_op || long_op) {
        if (size == 3) c.undefined();
        if (scalar && long_op) c.undefined();
        if (scalar && (sel == kShrn || sel == kRshrn)) c.undefined();
    } else if (scalar) {
        bool any_size = sel == kSqshl || sel == kUqshl || sel == kSqshlu;
        if (!any_size && size != 3) c.undefined();
    } else if (size == 3 && !q) {
        c.undefined();
    }
    c.check_fp_enabled();
    // Right shifts (and narrowing, relative to the narrow size) count down
    // from 2*esize; left shifts count up from esize.
    const unsigned shift = (is_left(sel) || long_op) ? immhb - esize : 2 * esize - immhb;
    with_usize(size, [&]<typename T>() {
        if constexpr (sizeof(T) < 8) {
            if (narrow_op) return narrow<T>(c, i, sel, shift, q, scalar);
            if (long_op) return lengthen<T>(c, i, sel & kU, shift, q);
        }
        same_size<T>(c, i, sel, shift, scalar ? sizeof(T) : (q ? 16 : 8));
    });
}

#define VS(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_shift_imm", P("0 Q:1 " u " 011110 immh:4 immb:3 " opc " 1 Rn:5 Rd:5"),         \
            shift_imm, Feature::AdvSIMD                                                            \
    }
#define SS(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_shift_imm", P("01 " u " 111110 immh:4 immb:3 " opc " 1 Rn:5 Rd:5"), shift_imm, \
            Feature::AdvSIMD                                                                       \
    }

constexpr InsnDesc kInsns[] = {
    VS("SSHR", "0", "00000"),        VS("USHR", "1", "00000"),        VS("SSRA", "0", "00010"),
    VS("USRA", "1", "00010"),        VS("SRSHR", "0", "00100"),       VS("URSHR", "1", "00100"),
    VS("SRSRA", "0", "00110"),       VS("URSRA", "1", "00110"),       VS("SRI", "1", "01000"),
    VS("SHL", "0", "01010"),         VS("SLI", "1", "01010"),         VS("SQSHLU", "1", "01100"),
    VS("SQSHL_imm", "0", "01110"),   VS("UQSHL_imm", "1", "01110"),   VS("SHRN", "0", "10000"),
    VS("SQSHRUN", "1", "10000"),     VS("RSHRN", "0", "10001"),       VS("SQRSHRUN", "1", "10001"),
    VS("SQSHRN", "0", "10010"),      VS("UQSHRN", "1", "10010"),      VS("SQRSHRN", "0", "10011"),
    VS("UQRSHRN", "1", "10011"),     VS("SSHLL", "0", "10100"),       VS("USHLL", "1", "10100"),
    SS("SSHR_s", "0", "00000"),      SS("USHR_s", "1", "00000"),      SS("SSRA_s", "0", "00010"),
    SS("USRA_s", "1", "00010"),      SS("SRSHR_s", "0", "00100"),     SS("URSHR_s", "1", "00100"),
    SS("SRSRA_s", "0", "00110"),     SS("URSRA_s", "1", "00110"),     SS("SRI_s", "1", "01000"),
    SS("SHL_s", "0", "01010"),       SS("SLI_s", "1", "01010"),       SS("SQSHLU_s", "1", "01100"),
    SS("SQSHL_imm_s", "0", "01110"), SS("UQSHL_imm_s", "1", "01110"), SS("SQSHRUN_s", "1", "10000"),
    SS("SQRSHRUN_s", "1", "10001"),  SS("SQSHRN_s", "0", "10010"),    SS("UQSHRN_s", "1", "10010"),
    SS("SQRSHRN_s", "0", "10011"),   SS("UQRSHRN_s", "1", "10011"),
};

#undef VS
#undef SS

} // namespace

std::span<const InsnDesc> simd_shift_imm_insns() {
    return kInsns;
}

} // namespace kestrel::a64
