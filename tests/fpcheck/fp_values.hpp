// Edge-biased floating-point and integer operands for FP tests: zeros,
// subnormals, extreme normals, infinities, quiet and signalling NaNs,
// values next to rounding and integer-conversion boundaries.
#pragma once
#include <cstdint>
#include <random>

namespace kestrel::fptest {

struct FormatInfo {
    int n, e, f, bias;
};
constexpr FormatInfo kHalfInfo{16, 5, 10, 15};
constexpr FormatInfo kSingleInfo{32, 8, 23, 127};
constexpr FormatInfo kDoubleInfo{64, 11, 52, 1023};

class ValueGen {
  public:
    explicit ValueGen(uint64_t seed) : rng_(seed) {}

    uint64_t bits(unsigned n) { return n >= 64 ? rng_() : rng_() & ((1ull << n) - 1); }
    unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }

    // A value of the given format, biased towards special cases.
    uint64_t fp(const FormatInfo& fi) {
        uint64_t fmask = (1ull << fi.f) - 1, emax = (1ull << fi.e) - 1;
        uint64_t sign = bits(1) << (fi.n - 1);
        auto make = [&](uint64_t e, uint64_t f) { return sign | (e << fi.f) | (f & fmask); };
        switch (below(20)) {
        case 0: return make(0, 0);                      // zero
        case 1: return make(0, 1 + bits(fi.f) % fmask); // subnormal
        case 2: return make(0, below(2) ? 1 : fmask);   // extreme subnormals
        case 3: return make(1 + below(2), bits(fi.f));  // smallest normals
        case 4: return make(emax - 1 - below(2), below(2) ? fmask : bits(fi.f)); // largest normals
        case 5: return make(emax, 0);                                            // infinity
        case 6: return make(emax, (1ull << (fi.f - 1)) | bits(fi.f - 1));        // quiet NaN
        case 7:
            return make(emax, 1 + bits(fi.f - 1) % ((1ull << (fi.f - 1)) - 1)); // signalling NaN
        case 8: // small integers and halves (rounding ties)
        {
            int k = static_cast<int>(below(12));
            uint64_t e = fi.bias + k;
            return make(e, (bits(4) << (fi.f - 4)) | (below(2) ? 0 : bits(fi.f)));
        }
        case 9: // near integer-conversion limits 2^31, 2^32, 2^63, 2^64
        {
            static const int kExps[] = {30, 31, 32, 62, 63, 64};
            int k = kExps[below(6)];
            if (k + fi.bias >= static_cast<int>(emax)) k = fi.bias;
            uint64_t f = below(2) ? fmask - below(3) : below(3);
            return make(fi.bias + k, f);
        }
        case 10: // one with low fraction noise (just above/below 1, 2, ...)
            return make(fi.bias + below(3) - 1, below(2) ? bits(3) : fmask - bits(3));
        case 11: // tiny results: exponents around the subnormal boundary
            return make(1 + below(fi.f + 2) % (emax - 1), bits(fi.f));
        default: // ordinary numbers with modest exponents
            return make(fi.bias - 8 + below(17), bits(fi.f));
        }
    }

    // A second operand related to a (equal, negated, nearby, half/double).
    uint64_t related(const FormatInfo& fi, uint64_t a) {
        uint64_t signbit = 1ull << (fi.n - 1);
        switch (below(6)) {
        case 0: return a ^ signbit;
        case 1: return (a ^ signbit) + (below(2) ? 1 : -1ull);
        case 2: return a + bits(3);
        case 3: return a ^ (bits(1) << (fi.n - 1)) ^ bits(fi.f / 2);
        case 4: { // a * 2^k, k small: alignment of addends
            uint64_t e = (a >> fi.f) & ((1ull << fi.e) - 1);
            int ne = static_cast<int>(e) + static_cast<int>(below(70)) - 35;
            if (ne < 1 || ne >= (1 << fi.e) - 1) return fp(fi);
            return (a & ~(((1ull << fi.e) - 1) << fi.f)) ^ (static_cast<uint64_t>(ne) << fi.f) ^
                   (bits(1) << (fi.n - 1));
        }
        default: return fp(fi);
        }
    }

    // An integer operand biased to sign and width boundaries.
    uint64_t integer() {
        switch (below(8)) {
        case 0: return bits(2);
        case 1: return -bits(2);
        case 2: return 0x7fffffffull + bits(2) - 1;
        case 3: return 0xffffffffull - bits(2);
        case 4: return 0x8000000000000000ull + bits(2) - 1;
        case 5: return ~0ull - bits(2);
        case 6: return (1ull << below(64)) + bits(2) - 1;
        default: return rng_();
        }
    }

    // A random FPCR: rounding mode, FZ, DN and AHP.
    uint64_t fpcr() {
        uint64_t v = bits(2) << 22;
        if (below(3) == 0) v |= 1ull << 24; // FZ
        if (below(4) == 0) v |= 1ull << 25; // DN
        if (below(4) == 0) v |= 1ull << 26; // AHP
        return v;
    }

    std::mt19937_64& rng() { return rng_; }

  private:
    std::mt19937_64 rng_;
};

} // namespace kestrel::fptest
