#!/usr/bin/env python3
"""Boots Debian's arm64 kernel with the test initramfs on Kestrel and checks
the guest's report (tests/boot/guest-test.sh).

Fails on a timeout, a missing PASS marker, a failed guest check, a non-zero
exit status, or a kernel log line with Oops, BUG:, WARNING:, Kernel panic or
Unable to handle. Exits 77 (skipped) when the guest files are absent and
cannot be fetched (offline).

usage: boot_test.py KESTREL --flavour generic|cloud --cpu C --smp N --gic V
                    [--disk] [--rng] [--rtc] [--workload] [--timeout S] [--verbose]
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bootlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kestrel")
    ap.add_argument("--flavour", default="generic", choices=["generic", "cloud"])
    ap.add_argument("--cpu", default="cortex-a57")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--gic", default="3")
    ap.add_argument("--disk", action="store_true", help="attach a virtio-blk ext4 image")
    ap.add_argument("--rng", action="store_true", help="attach a virtio-rng device")
    ap.add_argument("--rtc", action="store_true", help="check the PL031 RTC")
    ap.add_argument("--workload", action="store_true",
                    help="run tests/boot/workload.sh from the disk and compare its output "
                         "with qemu-aarch64 running the same busybox")
    ap.add_argument("--timeout", type=float, default=150)
    ap.add_argument("--verbose", action="store_true", help="echo the console as it runs")
    args = ap.parse_args()

    try:
        kernel, initrd = bootlib.ensure_guest(args.flavour)
    except bootlib.GuestMissing as e:
        print(f"guest files missing and cannot be fetched; skipping\n{e}")
        return bootlib.SKIP

    with bootlib.tempdir() as tmp:
        cmd = [args.kestrel, "-M", f"virt,gic-version={args.gic}", "-cpu", args.cpu,
               "-smp", str(args.smp), "-m", "512M", "-nographic", "-no-reboot",
               "-kernel", str(kernel), "-initrd", str(initrd),
               "-append", bootlib.kernel_args(args.smp, args.disk, args.rtc)]
        img = None
        if args.disk:
            extra = {}
            if args.workload:
                extra["workload.sh"] = bootlib.WORKLOAD_SCRIPT.read_bytes()
            img = bootlib.make_disk(Path(tmp), extra)
            cmd += ["-drive", f"file={img},format=raw,if=virtio"]
        if args.rng:
            cmd += ["-device", "virtio-rng-device"]
        print("running:", " ".join(cmd), flush=True)
        res = bootlib.run_boot(cmd, args.timeout, echo=args.verbose)

        problems = []
        if res.timed_out:
            problems.append(f"timed out after {args.timeout:.0f} s")
        elif res.returncode != 0:
            problems.append(f"Kestrel exited with status {res.returncode}")
        if res.t_pass is None:
            problems.append("no PASS marker")
        for name, verdict in bootlib.checks_in(res.log):
            if verdict != "ok":
                problems.append(f"guest check {name}: {verdict}")
        for line in bootlib.bad_lines(res.log):
            problems.append(f"kernel log: {line.strip()}")
        if img is not None and res.t_pass is not None:
            if b"written by the guest" not in bootlib.disk_file(img, "/note.txt"):
                problems.append("the guest's write did not reach the disk image")
            if args.workload:
                got = bootlib.disk_file(img, "/workload.out")
                want = bootlib.qemu_user_reference(bootlib.WORKLOAD_SCRIPT)
                if want is None:
                    print("no qemu-aarch64: workload output not compared")
                elif got != want:
                    problems.append("workload output differs from qemu-aarch64's:\n--- guest\n" +
                                    got.decode(errors="replace") + "--- qemu-aarch64\n" +
                                    want.decode(errors="replace"))
                else:
                    print(f"workload output ({len(got)} bytes) equals qemu-aarch64's")

    if not args.verbose:
        print(res.log)
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"PASSED: marker at {res.t_pass:.1f} s, exit at {res.t_exit:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
