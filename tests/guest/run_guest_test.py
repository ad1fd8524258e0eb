#!/usr/bin/env python3
"""Runs one bare-metal guest test program under Kestrel.

Passes when Kestrel exits 0 and the guest printed "TEST PASSED". Extra
arguments after the image go to Kestrel (e.g. -smp 2).
"""
import subprocess
import sys

kestrel, image, *extra = sys.argv[1:]
cmd = [kestrel, "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-kernel", image, *extra]
try:
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=100)
except subprocess.TimeoutExpired as e:
    print("TIMEOUT:", " ".join(cmd))
    print((e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout)
    sys.exit(1)
sys.stdout.write(p.stdout)
sys.stderr.write(p.stderr)
if p.returncode != 0:
    print(f"kestrel exited with {p.returncode}")
    sys.exit(1)
if "TEST PASSED" not in p.stdout:
    print("guest did not print TEST PASSED")
    sys.exit(1)
