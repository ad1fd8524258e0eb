// The encoding groups that make up the A64 table, one file each.
#pragma once
#include "cpu/decoder.hpp"

#include <span>

namespace kestrel::a64 {

std::span<const InsnDesc> branch_insns();
std::span<const InsnDesc> system_insns();
std::span<const InsnDesc> dp_imm_insns();
std::span<const InsnDesc> simd_copy_insns();
std::span<const InsnDesc> simd_three_same_insns();
std::span<const InsnDesc> simd_three_diff_insns();
std::span<const InsnDesc> simd_two_misc_insns();
std::span<const InsnDesc> simd_shift_imm_insns();
std::span<const InsnDesc> simd_by_elem_insns();
std::span<const InsnDesc> simd_ldst_insns();
std::span<const InsnDesc> simd_crypto_insns();

} // namespace kestrel::a64
