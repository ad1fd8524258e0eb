// Advanced SIMD two-register miscellaneous (integer), vector and scalar,
// plus the across-lanes reductions and scalar pairwise ADDP.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_int.hpp"

namespace kestrel::a64 {
namespace {

// Operation selector: (U << 5) | opcode.
enum : unsigned {
    kRev64 = 0x00,
    kRev16 = 0x01,
    kSaddlp = 0x02,
    kSuqadd = 0x03,
    kCls = 0x04,
    kCnt = 0x05,
    kSadalp = 0x06,
    kSqabs = 0x07,
    kCmgtZ = 0x08,
    kCmeqZ = 0x09,
    kCmltZ = 0x0a,
    kAbs = 0x0b,
    kXtn = 0x12,
    kSqxtn = 0x14,
    kU = 0x20,
    kRev32 = kU | 0x00,
    kUaddlp = kU | 0x02,
    kUsqadd = kU | 0x03,
    kClz = kU | 0x04,
    kNotRbit = kU | 0x05,
    kUadalp = kU | 0x06,
    kSqneg = kU | 0x07,
    kCmgeZ = kU | 0x08,
    kCmleZ = kU | 0x09,
    kNeg = kU | 0x0b,
    kSqxtun = kU | 0x12,
    kShll = kU | 0x13,
    kUqxtn = kU | 0x14,
};

bool size_allowed(unsigned sel, unsigned size, bool q, bool scalar) {
    if (scalar) {
        switch (sel) {
        case kSuqadd:
        case kUsqadd:
        case kSqabs:
        case kSqneg: return true;
        case kCmgtZ:
        case kCmgeZ:
        case kCmeqZ:
        case kCmleZ:
        case kCmltZ:
        case kAbs:
        case kNeg: return size == 3;
        case kSqxtun:
        case kSqxtn:
        case kUqxtn: return size != 3;
        default: return false;
        }
    }
    switch (sel) {
    case kRev64: return size != 3;
    case kRev32: return size < 2;
    case kRev16:
    case kCnt: return size == 0;
    case kNotRbit: return size < 2;
    case kSuqadd:
    case kUsqadd:
    case kSqabs:
    case kSqneg:
    case kCmgtZ:
    case kCmgeZ:
    case kCmeqZ:
    case kCmleZ:
    case kCmltZ:
    case kAbs:
    case kNeg: return size != 3 || q;
    default: return size != 3;
    }
}

template <typename T> T all_ones(bool c) {
    return c ? static_cast<T>(~T{0}) : T{0};
}

// One lane of an element-wise operation; `size` distinguishes NOT/RBIT.
template <typename T> inline T misc_lane(unsigned sel, unsigned size, T a, T d, bool& sat) {
    const S<T> s = static_cast<S<T>>(a);
    switch (sel) {
    case kSuqadd: return sat_signed<T>(ival(d, false) + ival(a, true), sat);
    case kUsqadd: return sat_unsigned<T>(ival(d, true) + ival(a, false), sat);
    case kCls: return static_cast<T>(std::countl_zero(static_cast<T>(s < 0 ? ~a : a)) - 1);
    case kClz: return static_cast<T>(std::countl_zero(a));
    case kCnt: return static_cast<T>(std::popcount(a));
    case kNotRbit:
        if (size == 0) return static_cast<T>(~a);
        {
            T r = 0;
            for (unsigned b = 0; b < 8; b++)
                r = static_cast<T>(r | (((a >> b) & 1) << (7 - b)));
            return r;
        }
    case kSqabs: return sat_signed<T>(s < 0 ? -ival(a, false) : ival(a, false), sat);
    case kSqneg: return sat_signed<T>(-ival(a, false), sat);
    case kCmgtZ: return all_ones<T>(s > 0);
    case kCmgeZ: return all_ones<T>(s >= 0);
    case kCmeqZ: return all_ones<T>(a == 0);
    case kCmleZ: return all_ones<T>(s <= 0);
    case kCmltZ: return all_ones<T>(s < 0);
    case kAbs: return s < 0 ? static_cast<T>(T{0} - a) : a;
    case kNeg: return static_cast<T>(T{0} - a);
    default: return 0;
    }
}

template <typename T>
void elementwise(Cpu& c, uint32_t i, unsigned sel, unsigned size, unsigned bytes) {
    const VReg n = c.s.v[rn_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    bool sat = false;
    for (unsigned e = 0; e < bytes / sizeof(T); e++)
        set_elem<T>(r, e, misc_lane<T>(sel, size, elem<T>(n, e), elem<T>(d, e), sat));
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, bytes == 16);
}

template <typename T> void reverse(Cpu& c, uint32_t i, unsigned container, bool q) {
    const VReg n = c.s.v[rn_of(i)];
    VReg r;
    const unsigned flip = container / sizeof(T) - 1, mask = 16 / sizeof(T) - 1;
    for (unsigned e = 0; e < (q ? 16 : 8) / sizeof(T); e++)
        set_elem<T>(r, e, elem<T>(n, (e ^ flip) & mask));
    write_vec(c, rd_of(i), r, q);
}

// SADDLP/UADDLP/SADALP/UADALP: pairs of T lanes summed into W<T> lanes.
template <typename T> void add_long_pairwise(Cpu& c, uint32_t i, bool u, bool acc, bool q) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    for (unsigned e = 0; e < (q ? 16 : 8) / sizeof(TW); e++) {
        __int128 v = ival(elem<T>(n, 2 * e), u) + ival(elem<T>(n, 2 * e + 1), u);
        if (acc) v += elem<TW>(d, e);
        set_elem<TW>(r, e, static_cast<TW>(v));
    }
    write_vec(c, rd_of(i), r, q);
}

// XTN/SQXTN/UQXTN/SQXTUN: W<T> lanes narrowed to T (vector: into the lower
// or, for the "2" forms, upper half; scalar: one lane).
template <typename T> void narrow(Cpu& c, uint32_t i, unsigned sel, bool part, bool scalar) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)];
    VReg r = part ? c.s.v[rd_of(i)] : VReg{};
    bool sat = false;
    const unsigned count = scalar ? 1 : 8 / sizeof(T), off = part ? 8 / sizeof(T) : 0;
    for (unsigned e = 0; e < count; e++) {
        TW x = elem<TW>(n, e);
        T v;
        switch (sel) {
        case kXtn: v = static_cast<T>(x); break;
        case kSqxtn: v = sat_signed<T>(ival(x, false), sat); break;
        case kUqxtn: v = sat_unsigned<T>(ival(x, true), sat); break;
        default: v = sat_unsigned<T>(ival(x, false), sat); break; // SQXTUN
        }
        set_elem<T>(r, e + off, v);
    }
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, part);
}

template <typename T> void shll(Cpu& c, uint32_t i, bool part) {
    using TW = W<T>;
    const VReg n = c.s.v[rn_of(i)];
    VReg r;
    const unsigned count = 8 / sizeof(T), off = part ? count : 0;
    for (unsigned e = 0; e < count; e++)
        set_elem<TW>(r, e,
                     static_cast<TW>(static_cast<TW>(elem<T>(n, e + off)) << (8 * sizeof(T))));
    c.s.v[rd_of(i)] = r;
}

void two_misc(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30) && !scalar;
    const unsigned size = bits(i, 22, 2), sel = (bit(i, 29) << 5) | bits(i, 12, 5);
    if (!size_allowed(sel, size, q, scalar)) c.undefined();
    c.check_fp_enabled();
    if (sel == kNotRbit) // NOT/RBIT: size selects the operation, lanes are bytes
        return elementwise<uint8_t>(c, i, sel, size, q ? 16 : 8);
    with_usize(size, [&]<typename T>() {
        switch (sel) {
        case kRev64: reverse<T>(c, i, 8, q); return;
        case kRev32: reverse<T>(c, i, 4, q); return;
        case kRev16: reverse<T>(c, i, 2, q); return;
        default: break;
        }
        if constexpr (sizeof(T) < 8) {
            switch (sel) {
            case kSaddlp:
            case kUaddlp: add_long_pairwise<T>(c, i, sel & kU, false, q); return;
            case kSadalp:
            case kUadalp: add_long_pairwise<T>(c, i, sel & kU, true, q); return;
            case kXtn:
            case kSqxtn:
            case kUqxtn:
            case kSqxtun: narrow<T>(c, i, sel, q, scalar); return;
            case kShll: shll<T>(c, i, q); return;
            default: break;
            }
        }
        elementwise<T>(c, i, sel, size, scalar ? sizeof(T) : (q ? 16 : 8));
    });
}

// ADDV/SADDLV/UADDLV/SMAXV/UMAXV/SMINV/UMINV.
void across_lanes(Cpu& c, uint32_t i) {
    const bool q = bit(i, 30), u = bit(i, 29);
    const unsigned size = bits(i, 22, 2), op = bits(i, 12, 5);
    if (size == 3 || (size == 2 && !q)) c.undefined();
    if (op == 0x1b && u) c.undefined();
    c.check_fp_enabled();
    const VReg n = c.s.v[rn_of(i)];
    with_usize(size, [&]<typename T>() {
        const unsigned count = (q ? 16 : 8) / sizeof(T);
        __int128 acc = ival(elem<T>(n, 0), u);
        for (unsigned e = 1; e < count; e++) {
            __int128 x = ival(elem<T>(n, e), u);
            switch (op) {
            case 0x0a: acc = x > acc ? x : acc; break;
            case 0x1a: acc = x < acc ? x : acc; break;
            default: acc += x; break;
            }
        }
        unsigned out = op == 0x03 ? 2 * sizeof(T) : sizeof(T); // SADDLV/UADDLV widen
        write_scalar(c, rd_of(i), static_cast<uint64_t>(acc), out);
    });
}

void addp_scalar(Cpu& c, uint32_t i) {
    if (bits(i, 22, 2) != 3) c.undefined();
    c.check_fp_enabled();
    const VReg n = c.s.v[rn_of(i)];
    write_scalar(c, rd_of(i), n.lo + n.hi, 8);
}

#define V2(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_two_misc", P("0 Q:1 " u " 01110 size:2 10000 " opc " 10 Rn:5 Rd:5"), two_misc, \
            Feature::AdvSIMD                                                                       \
    }
#define S2(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_two_misc", P("01 " u " 11110 size:2 10000 " opc " 10 Rn:5 Rd:5"), two_misc,    \
            Feature::AdvSIMD                                                                       \
    }
#define AL(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_two_misc", P("0 Q:1 " u " 01110 size:2 11000 " opc " 10 Rn:5 Rd:5"),           \
            across_lanes, Feature::AdvSIMD                                                         \
    }

constexpr InsnDesc kInsns[] = {
    V2("REV64", "0", "00000"),
    V2("REV32", "1", "00000"),
    V2("REV16", "0", "00001"),
    V2("SADDLP", "0", "00010"),
    V2("UADDLP", "1", "00010"),
    V2("SUQADD", "0", "00011"),
    V2("USQADD", "1", "00011"),
    V2("CLS", "0", "00100"),
    V2("CLZ", "1", "00100"),
    V2("CNT", "0", "00101"),
    V2("NOT_RBIT", "1", "00101"),
    V2("SADALP", "0", "00110"),
    V2("UADALP", "1", "00110"),
    V2("SQABS", "0", "00111"),
    V2("SQNEG", "1", "00111"),
    V2("CMGT_zero", "0", "01000"),
    V2("CMGE_zero", "1", "01000"),
    V2("CMEQ_zero", "0", "01001"),
    V2("CMLE_zero", "1", "01001"),
    V2("CMLT_zero", "0", "01010"),
    V2("ABS", "0", "01011"),
    V2("NEG", "1", "01011"),
    V2("XTN", "0", "10010"),
    V2("SQXTUN", "1", "10010"),
    V2("SHLL", "1", "10011"),
    V2("SQXTN", "0", "10100"),
    V2("UQXTN", "1", "10100"),
    S2("SUQADD_s", "0", "00011"),
    S2("USQADD_s", "1", "00011"),
    S2("SQABS_s", "0", "00111"),
    S2("SQNEG_s", "1", "00111"),
    S2("CMGT_zero_s", "0", "01000"),
    S2("CMGE_zero_s", "1", "01000"),
    S2("CMEQ_zero_s", "0", "01001"),
    S2("CMLE_zero_s", "1", "01001"),
    S2("CMLT_zero_s", "0", "01010"),
    S2("ABS_s", "0", "01011"),
    S2("NEG_s", "1", "01011"),
    S2("SQXTUN_s", "1", "10010"),
    S2("SQXTN_s", "0", "10100"),
    S2("UQXTN_s", "1", "10100"),
    AL("SADDLV", "0", "00011"),
    AL("UADDLV", "1", "00011"),
    AL("SMAXV", "0", "01010"),
    AL("UMAXV", "1", "01010"),
    AL("SMINV", "0", "11010"),
    AL("UMINV", "1", "11010"),
    AL("ADDV", "0", "11011"),
    {"ADDP_s", "simd_two_misc", P("01 0 11110 size:2 11000 11011 10 Rn:5 Rd:5"), addp_scalar,
     Feature::AdvSIMD},
};

#undef V2
#undef S2
#undef AL

} // namespace

std::span<const InsnDesc> simd_two_misc_insns() {
    return kInsns;
}

} // namespace kestrel::a64
