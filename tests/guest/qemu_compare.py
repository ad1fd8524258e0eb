#!/usr/bin/env python3
"""Runs one bare-metal program under Kestrel and qemu-system-aarch64 and
compares what both print (UART output up to the verdict line).

Usage: qemu_compare.py KESTREL IMAGE.bin IMAGE.elf [-cpu MODEL] [OPTIONS...]
(Kestrel loads the raw image, QEMU the ELF; both start at the same address.
Further options, e.g. -smp 2 or -M virt,gic-version=3, go to both.)
Exits 77 (skip) when qemu-system-aarch64 is not installed.
"""
import shutil
import subprocess
import sys

kestrel, raw_image, image, *rest = sys.argv[1:]
cpu = "cortex-a57"
if rest[:1] == ["-cpu"]:
    cpu = rest[1]
    rest = rest[2:]
qemu = shutil.which("qemu-system-aarch64")
if not qemu:
    print("qemu-system-aarch64 not found: skipping")
    sys.exit(77)


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return out + "\n<timeout>\n"
    return p.stdout


common = ["-M", "virt", "-cpu", cpu, "-nographic", *rest]
k = run([kestrel, *common, "-kernel", raw_image])
q = run([qemu, *common, "-kernel", image, "-semihosting", "-monitor", "none", "-serial", "stdio"])
# QEMU may emit terminal control sequences around the console output.
q = q.replace("\r", "").replace("\x1b[?7l", "").replace("\x1b[?7h", "")
k = k.replace("\r", "")
if k != q:
    print(f"output differs for {image} (-cpu {cpu})")
    print("--- kestrel\n" + k + "--- qemu-system-aarch64\n" + q)
    sys.exit(1)
if "TEST PASSED" not in k:
    print("both ran, but the program did not pass:\n" + k)
    sys.exit(1)
print(k)
