// Assembles the one A64 table from its groups and decodes through it.
#include "cpu/a64/groups.hpp"

#include <array>
#include <vector>

namespace kestrel {

std::span<const InsnDesc> a64_table() {
    // One group per line, in decode order.
    static std::span<const InsnDesc> (*const groups[])() = {
        a64::branch_insns,
        a64::system_insns,
        a64::system_op_insns,
        a64::dp_imm_insns,
        a64::dp_reg_arith_insns,
        a64::dp_reg_misc_insns,
        a64::ldst_single_insns,
        a64::ldst_pair_insns,
        a64::ldst_exclusive_insns,
        a64::ldst_atomic_insns,
        a64::ldst_fp_insns,
        a64::fp_dp_insns,
        a64::fp_compare_insns,
        a64::fp_convert_insns,
        a64::fp_scalar_simd_insns,
        a64::simd_copy_insns, // before simd_shift_imm: modified immediates share its space
        a64::simd_three_same_insns,
        a64::simd_three_diff_insns,
        a64::simd_two_misc_insns,
        a64::simd_shift_imm_insns,
        a64::simd_by_elem_insns,
        a64::simd_ldst_insns,
        a64::simd_crypto_insns,
        a64::simd_fp_three_same_insns,
        a64::simd_fp_two_misc_insns,
        a64::simd_fp_shift_imm_insns,
        a64::simd_fp_by_elem_insns,
        a64::simd_fp_reduce_insns,
    };
    static const std::vector<InsnDesc> table = [] {
        std::vector<InsnDesc> t;
        for (auto group : groups) {
            auto g = group();
            t.insert(t.end(), g.begin(), g.end());
        }
        return t;
    }();
    return table;
}

namespace {

// Entries bucketed by bits 28:25 (the top-level encoding group), keeping
// table order within a bucket, so decoding scans only a short list.
struct DecodeIndex {
    std::array<std::vector<const InsnDesc*>, 16> buckets;
    DecodeIndex() {
        for (const InsnDesc& d : a64_table()) {
            for (uint32_t op0 = 0; op0 < 16; op0++) {
                uint32_t m = (d.pat.mask >> 25) & 0xf;
                uint32_t v = (d.pat.value >> 25) & 0xf;
                if ((op0 & m) == v) buckets[op0].push_back(&d);
            }
        }
    }
};

} // namespace

const InsnDesc* a64_decode(uint32_t insn, uint64_t feature_mask) {
    static const DecodeIndex index;
    for (const InsnDesc* d : index.buckets[(insn >> 25) & 0xf]) {
        if (d->pat.matches(insn) && (feature_mask & feature_bit(d->feature))) return d;
    }
    return nullptr;
}

} // namespace kestrel
