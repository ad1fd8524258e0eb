// Advanced SIMD three same (integer), vector and scalar: arithmetic,
// halving, saturating, compares, shifts by register, min/max/absolute
// difference, multiply(-accumulate), pairwise and the bitwise operations.
#include "cpu/a64/groups.hpp"
#include "cpu/a64/simd_int.hpp"

namespace kestrel::a64 {
namespace {

// Operation selector: (U << 5) | opcode.
enum : unsigned {
    kHadd = 0x00,
    kQadd = 0x01,
    kRhadd = 0x02,
    kHsub = 0x04,
    kQsub = 0x05,
    kCmgt = 0x06,
    kCmge = 0x07,
    kShl = 0x08,
    kQshl = 0x09,
    kRshl = 0x0a,
    kQrshl = 0x0b,
    kMax = 0x0c,
    kMin = 0x0d,
    kAbd = 0x0e,
    kAba = 0x0f,
    kAdd = 0x10,
    kCmtst = 0x11,
    kMla = 0x12,
    kMul = 0x13,
    kMaxp = 0x14,
    kMinp = 0x15,
    kQdmulh = 0x16,
    kAddp = 0x17,
    kU = 0x20,
    kSub = kU | 0x10,
    kCmeq = kU | 0x11,
    kMls = kU | 0x12,
    kPmul = kU | 0x13,
    kQrdmulh = kU | 0x16,
};

// Sizes an operation accepts; `scalar` for the scalar (Dd/Sd...) forms.
bool size_allowed(unsigned sel, unsigned size, bool q, bool scalar) {
    unsigned op = sel & 0x1f;
    if (scalar) {
        switch (op) {
        case 0x01:
        case 0x05:
        case 0x09:
        case 0x0b: return true; // saturating add/sub/shift
        case 0x06:
        case 0x07:
        case 0x08:
        case 0x0a:
        case 0x10:
        case 0x11: return size == 3;
        case 0x16: return size == 1 || size == 2;
        default: return false;
        }
    }
    switch (op) {
    case 0x01:
    case 0x05:
    case 0x06:
    case 0x07:
    case 0x08:
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x10:
    case 0x11:
    case 0x17: return size != 3 || q;
    case 0x13: return (sel & kU) ? size == 0 : size != 3;
    case 0x16: return size == 1 || size == 2;
    default: return size != 3;
    }
}

template <typename T> T all_ones(bool c) {
    return c ? static_cast<T>(~T{0}) : T{0};
}

// One lane of an element-wise operation.
template <typename T> inline T lane_op(unsigned sel, T a, T b, T d, bool& sat) {
    constexpr unsigned esize = sizeof(T) * 8;
    const bool u = sel & kU;
    const __int128 x = ival(a, u), y = ival(b, u);
    switch (sel) {
    case kHadd:
    case kHadd | kU: return static_cast<T>((x + y) >> 1);
    case kRhadd:
    case kRhadd | kU: return static_cast<T>((x + y + 1) >> 1);
    case kHsub:
    case kHsub | kU: return static_cast<T>((x - y) >> 1);
    case kQadd:
    case kQadd | kU: return sat_to<T>(x + y, u, sat);
    case kQsub:
    case kQsub | kU: return sat_to<T>(x - y, u, sat);
    case kCmgt:
    case kCmgt | kU: return all_ones<T>(x > y);
    case kCmge:
    case kCmge | kU: return all_ones<T>(x >= y);
    case kShl:
    case kShl | kU: return shift_by_reg<T>(a, static_cast<int8_t>(b), u, false, false, sat);
    case kQshl:
    case kQshl | kU: return shift_by_reg<T>(a, static_cast<int8_t>(b), u, false, true, sat);
    case kRshl:
    case kRshl | kU: return shift_by_reg<T>(a, static_cast<int8_t>(b), u, true, false, sat);
    case kQrshl:
    case kQrshl | kU: return shift_by_reg<T>(a, static_cast<int8_t>(b), u, true, true, sat);
    case kMax:
    case kMax | kU:
    case kMaxp:
    case kMaxp | kU: return x > y ? a : b;
    case kMin:
    case kMin | kU:
    case kMinp:
    case kMinp | kU: return x < y ? a : b;
    case kAbd:
    case kAbd | kU: return static_cast<T>(x > y ? x - y : y - x);
    case kAba:
    case kAba | kU: return static_cast<T>(d + static_cast<T>(x > y ? x - y : y - x));
    case kAdd:
    case kAddp: return static_cast<T>(a + b);
    case kSub: return static_cast<T>(a - b);
    case kCmtst: return all_ones<T>((a & b) != 0);
    case kCmeq: return all_ones<T>(a == b);
    case kMla: return static_cast<T>(d + mul_lo<T>(a, b));
    case kMls: return static_cast<T>(d - mul_lo<T>(a, b));
    case kMul: return mul_lo<T>(a, b);
    case kPmul: return static_cast<T>(clmul64(a, b));
    case kQdmulh: return sat_signed<T>((2 * ival(a, false) * ival(b, false)) >> esize, sat);
    case kQrdmulh:
        return sat_signed<T>(
            (2 * ival(a, false) * ival(b, false) + (__int128(1) << (esize - 1))) >> esize, sat);
    default: return 0;
    }
}

template <typename T> void run_lanes(Cpu& c, uint32_t i, unsigned sel, unsigned bytes) {
    const VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)], d = c.s.v[rd_of(i)];
    VReg r;
    bool sat = false;
    const unsigned count = bytes / sizeof(T);
    const unsigned op = sel & 0x1f;
    if (op == 0x14 || op == 0x15 || op == 0x17) {
        // Pairwise: lanes of Vn then Vm taken two at a time.
        for (unsigned e = 0; e < count; e++) {
            const VReg& src = e < count / 2 ? n : m;
            unsigned p = 2 * (e % (count / 2));
            set_elem<T>(r, e, lane_op<T>(sel, elem<T>(src, p), elem<T>(src, p + 1), T{0}, sat));
        }
    } else {
        for (unsigned e = 0; e < count; e++)
            set_elem<T>(r, e, lane_op<T>(sel, elem<T>(n, e), elem<T>(m, e), elem<T>(d, e), sat));
    }
    if (sat) set_qc(c);
    write_vec(c, rd_of(i), r, bytes == 16);
}

void three_same(Cpu& c, uint32_t i) {
    const bool scalar = bit(i, 28), q = bit(i, 30) || scalar;
    const unsigned size = bits(i, 22, 2);
    const unsigned sel = (bit(i, 29) << 5) | bits(i, 11, 5);
    if (!size_allowed(sel, size, bit(i, 30), scalar)) c.undefined();
    c.check_fp_enabled();
    const unsigned bytes = scalar ? (1u << size) : (q ? 16 : 8);
    with_usize(size, [&]<typename T>() { run_lanes<T>(c, i, sel, bytes); });
}

// AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF: whole-register bitwise operations.
void logical(Cpu& c, uint32_t i) {
    c.check_fp_enabled();
    const bool q = bit(i, 30);
    const unsigned op = (bit(i, 29) << 2) | bits(i, 22, 2);
    const VReg n = c.s.v[rn_of(i)], m = c.s.v[rm_of(i)], d = c.s.v[rd_of(i)];
    auto f = [op](uint64_t x, uint64_t y, uint64_t z) -> uint64_t {
        switch (op) {
        case 0: return x & y;
        case 1: return x & ~y;
        case 2: return x | y;
        case 3: return x | ~y;
        case 4: return x ^ y;
        case 5: return y ^ ((y ^ x) & z);   // BSL
        case 6: return z ^ ((z ^ x) & y);   // BIT
        default: return z ^ ((z ^ x) & ~y); // BIF
        }
    };
    VReg r;
    r.lo = f(n.lo, m.lo, d.lo);
    r.hi = f(n.hi, m.hi, d.hi);
    write_vec(c, rd_of(i), r, q);
}

#define V3(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_three_same", P("0 Q:1 " u " 01110 size:2 1 Rm:5 " opc " 1 Rn:5 Rd:5"),         \
            three_same, Feature::AdvSIMD                                                           \
    }
#define S3(name, u, opc)                                                                           \
    {                                                                                              \
        name, "simd_three_same", P("01 " u " 11110 size:2 1 Rm:5 " opc " 1 Rn:5 Rd:5"),            \
            three_same, Feature::AdvSIMD                                                           \
    }
#define L3(name, u, sz)                                                                            \
    {                                                                                              \
        name, "simd_three_same", P("0 Q:1 " u " 01110 " sz " 1 Rm:5 00011 1 Rn:5 Rd:5"), logical,  \
            Feature::AdvSIMD                                                                       \
    }

constexpr InsnDesc kInsns[] = {
    V3("SHADD", "0", "00000"),   V3("UHADD", "1", "00000"),     V3("SQADD", "0", "00001"),
    V3("UQADD", "1", "00001"),   V3("SRHADD", "0", "00010"),    V3("URHADD", "1", "00010"),
    V3("SHSUB", "0", "00100"),   V3("UHSUB", "1", "00100"),     V3("SQSUB", "0", "00101"),
    V3("UQSUB", "1", "00101"),   V3("CMGT", "0", "00110"),      V3("CMHI", "1", "00110"),
    V3("CMGE", "0", "00111"),    V3("CMHS", "1", "00111"),      V3("SSHL", "0", "01000"),
    V3("USHL", "1", "01000"),    V3("SQSHL", "0", "01001"),     V3("UQSHL", "1", "01001"),
    V3("SRSHL", "0", "01010"),   V3("URSHL", "1", "01010"),     V3("SQRSHL", "0", "01011"),
    V3("UQRSHL", "1", "01011"),  V3("SMAX", "0", "01100"),      V3("UMAX", "1", "01100"),
    V3("SMIN", "0", "01101"),    V3("UMIN", "1", "01101"),      V3("SABD", "0", "01110"),
    V3("UABD", "1", "01110"),    V3("SABA", "0", "01111"),      V3("UABA", "1", "01111"),
    V3("ADD_v", "0", "10000"),   V3("SUB_v", "1", "10000"),     V3("CMTST", "0", "10001"),
    V3("CMEQ", "1", "10001"),    V3("MLA", "0", "10010"),       V3("MLS", "1", "10010"),
    V3("MUL", "0", "10011"),     V3("PMUL", "1", "10011"),      V3("SMAXP", "0", "10100"),
    V3("UMAXP", "1", "10100"),   V3("SMINP", "0", "10101"),     V3("UMINP", "1", "10101"),
    V3("SQDMULH", "0", "10110"), V3("SQRDMULH", "1", "10110"),  V3("ADDP_v", "0", "10111"),
    L3("AND_v", "0", "00"),      L3("BIC_v", "0", "01"),        L3("ORR_v", "0", "10"),
    L3("ORN_v", "0", "11"),      L3("EOR_v", "1", "00"),        L3("BSL", "1", "01"),
    L3("BIT", "1", "10"),        L3("BIF", "1", "11"),          S3("SQADD_s", "0", "00001"),
    S3("UQADD_s", "1", "00001"), S3("SQSUB_s", "0", "00101"),   S3("UQSUB_s", "1", "00101"),
    S3("CMGT_s", "0", "00110"),  S3("CMHI_s", "1", "00110"),    S3("CMGE_s", "0", "00111"),
    S3("CMHS_s", "1", "00111"),  S3("SSHL_s", "0", "01000"),    S3("USHL_s", "1", "01000"),
    S3("SQSHL_s", "0", "01001"), S3("UQSHL_s", "1", "01001"),   S3("SRSHL_s", "0", "01010"),
    S3("URSHL_s", "1", "01010"), S3("SQRSHL_s", "0", "01011"),  S3("UQRSHL_s", "1", "01011"),
    S3("ADD_s", "0", "10000"),   S3("SUB_s", "1", "10000"),     S3("CMTST_s", "0", "10001"),
    S3("CMEQ_s", "1", "10001"),  S3("SQDMULH_s", "0", "10110"), S3("SQRDMULH_s", "1", "10110"),
};

#undef V3
#undef S3
#undef L3

} // namespace

std::span<const InsnDesc> simd_three_same_insns() {
    return kInsns;
}

} // namespace kestrel::a64
