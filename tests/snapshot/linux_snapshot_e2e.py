#!/usr/bin/env python3
"""The snapshot end-to-end scenarios (snapshot_e2e.py) with a booted Debian
Linux guest whose init prints an increasing count with its uptime.

usage: linux_snapshot_e2e.py KESTREL [snapshot_e2e.py options...]
Exits 77 (skip) when the guest cannot be fetched (offline)."""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "boot"))
import bootlib  # noqa: E402


def main():
    kestrel, *rest = sys.argv[1:]
    try:
        kernel, initrd = bootlib.ensure_guest("generic", script=HERE / "linux-counter.sh",
                                              prefix="initrd-counter")
    except bootlib.GuestMissing as e:
        print(f"guest not available: {e}")
        return bootlib.SKIP
    args = [sys.executable, str(HERE / "snapshot_e2e.py"), kestrel, str(kernel),
            "--mem", "512M", "--extra=-initrd", f"--extra={initrd}", "--extra=-append",
            "--extra=console=ttyAMA0 kestrel.test quiet", r"--count-regex=n=(\d+) t=([\d.]+)",
            "--time-scale", "1000", "--timeout-scale", "6", *rest]
    os.execv(sys.executable, args)


if __name__ == "__main__":
    sys.exit(main())
