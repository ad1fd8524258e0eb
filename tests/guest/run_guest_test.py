#!/usr/bin/env python3
"""Runs one bare-metal guest test program under Kestrel.

Passes when Kestrel exits 0 and the guest printed "TEST PASSED". Extra
arguments after the image go to Kestrel (e.g. -smp 2), except
--guest-input=TEXT, which is sent to the guest's UART on stdin ("\\n" for
a newline).
"""
import subprocess
import sys

kestrel, image, *extra = sys.argv[1:]
guest_input = None
for arg in list(extra):
    if arg.startswith("--guest-input="):
        guest_input = arg.split("=", 1)[1].replace("\\n", "\n")
        extra.remove(arg)
cmd = [kestrel, "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-kernel", image, *extra]
try:
    if guest_input is None:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=100)
    else:
        p = subprocess.run(cmd, input=guest_input, capture_output=True, text=True, timeout=100)
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
