// The encoding groups that make up the A64 table, one file each.
#pragma once
#include "cpu/decoder.hpp"

#include <span>

namespace kestrel::a64 {

std::span<const InsnDesc> branch_insns();
std::span<const InsnDesc> system_insns();
std::span<const InsnDesc> system_op_insns();
std::span<const InsnDesc> dp_imm_insns();
std::span<const InsnDesc> dp_reg_arith_insns();
std::span<const InsnDesc> dp_reg_misc_insns();
std::span<const InsnDesc> ldst_single_insns();
std::span<const InsnDesc> ldst_pair_insns();
std::span<const InsnDesc> ldst_exclusive_insns();
std::span<const InsnDesc> ldst_atomic_insns();
std::span<const InsnDesc> ldst_fp_insns();
std::span<const InsnDesc> fp_dp_insns();
std::span<const InsnDesc> fp_compare_insns();
std::span<const InsnDesc> fp_convert_insns();
std::span<const InsnDesc> fp_scalar_simd_insns();
std::span<const InsnDesc> simd_copy_insns();
std::span<const InsnDesc> simd_three_same_insns();
std::span<const InsnDesc> simd_three_diff_insns();
std::span<const InsnDesc> simd_two_misc_insns();
std::span<const InsnDesc> simd_shift_imm_insns();
std::span<const InsnDesc> simd_by_elem_insns();
std::span<const InsnDesc> simd_ldst_insns();
std::span<const InsnDesc> simd_crypto_insns();
std::span<const InsnDesc> simd_fp_three_same_insns();
std::span<const InsnDesc> simd_fp_two_misc_insns();
std::span<const InsnDesc> simd_fp_shift_imm_insns();
std::span<const InsnDesc> simd_fp_by_elem_insns();
std::span<const InsnDesc> simd_fp_reduce_insns();

} // namespace kestrel::a64
