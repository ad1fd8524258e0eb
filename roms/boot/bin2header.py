#!/usr/bin/env python3
"""Turns the assembled boot stub into a C++ header of 32-bit words.

Usage: bin2header.py IN.bin OUT.h   (or --empty OUT.h when no cross
toolchain is available: the board then sets the boot registers itself).
"""
import sys

if len(sys.argv) != 3:
    sys.exit("usage: bin2header.py IN.bin|--empty OUT.h")
src, out = sys.argv[1], sys.argv[2]
data = b"" if src == "--empty" else open(src, "rb").read()
if len(data) % 4:
    sys.exit(f"{src}: size {len(data)} is not a multiple of 4")
words = [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]
body = ",\n".join(f"    0x{w:08x}u" for w in words)
with open(out, "w") as f:
    f.write("// Generated from roms/boot/boot.S by roms/boot/bin2header.py: do not edit.\n")
    f.write("#pragma once\n#include <array>\n#include <cstdint>\n\n")
    f.write("namespace kestrel::virt {\n\n")
    f.write(f"inline constexpr std::array<uint32_t, {len(words)}> kBootStub{{{{\n{body}\n}}}};\n\n")
    f.write("} // namespace kestrel::virt\n")
