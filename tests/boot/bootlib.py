"""Shared by the boot tests and scripts/bench-boot: fetching the test guest,
building a disk image, and booting it with a timeout while timing the
marker and the exit."""
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GUEST_SCRIPT = Path(__file__).resolve().parent / "guest-test.sh"
START_MARKER = "KESTREL-BOOT-TEST: start"
PASS_MARKER = "KESTREL-BOOT-TEST: PASS"
# Any of these in the guest's console output fails the boot; so does a
# guest programming error Kestrel's devices report on stderr.
BAD_PATTERNS = ["Oops", "BUG:", "WARNING:", "Kernel panic", "Unable to handle", "guest error"]
SKIP = 77


class GuestMissing(Exception):
    """The guest files are absent and cannot be fetched (offline)."""


def workload_md5():
    """md5 of the text the guest's awk generator prints (guest-test.sh gen())."""
    h = hashlib.md5()
    x = 1
    for i in range(10000):
        x = (x * 69069 + 12345) % 2147483648
        h.update(f"{i} {x}\n".encode())
    return h.hexdigest()


def test_initrd_name(script=GUEST_SCRIPT, prefix="initrd-test"):
    """The test initramfs is named after its /test.sh and the fetch script,
    so a change to either builds a fresh one instead of reusing a stale one."""
    h = hashlib.sha256(Path(script).read_bytes())
    h.update((ROOT / "scripts" / "fetch-guest").read_bytes())
    return f"{prefix}-{h.hexdigest()[:12]}.gz"


def ensure_guest(flavour, guest_dir=None, script=GUEST_SCRIPT, prefix="initrd-test"):
    """(vmlinuz, test initrd) of a flavour, fetched on first use, with script
    as the initramfs' /test.sh. Raises GuestMissing when they cannot be
    fetched."""
    guest_dir = Path(guest_dir or os.environ.get("KESTREL_GUEST_DIR", ROOT / "guest"))
    name = test_initrd_name(script, prefix)
    kernel, initrd = guest_dir / flavour / "vmlinuz", guest_dir / flavour / name
    if kernel.exists() and initrd.exists():
        return kernel, initrd
    guest_dir.mkdir(parents=True, exist_ok=True)
    # Boot tests run in parallel: one fetch at a time, the others wait.
    with open(guest_dir / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (kernel.exists() and initrd.exists()):
            r = subprocess.run([str(ROOT / "scripts" / "fetch-guest"), "--flavour", flavour,
                                "--out", str(guest_dir), "--test-script", str(script),
                                "--initrd-name", name], capture_output=True, text=True)
            if r.returncode != 0 or not initrd.exists():
                raise GuestMissing(r.stdout + r.stderr)
            # Test initramfs of older test scripts are of no further use.
            for old in (guest_dir / flavour).glob(f"{prefix}-*.gz*"):
                if not old.name.startswith(name):
                    old.unlink()
    return kernel, initrd


def make_disk(workdir: Path, extra=None):
    """An ext4 image made by mke2fs -d with a few files and their md5
    manifest, which the guest checks; extra: more {name: bytes} files."""
    src = workdir / "disk-src"
    src.mkdir()
    for rel, data in (extra or {}).items():
        (src / rel).write_bytes(data)
    files = {
        "hello.txt": b"hello from the host\n",
        "numbers.txt": "".join(f"{i}\n" for i in range(5000)).encode(),
        "sub/binary.bin": bytes((i * 37 + 11) & 0xFF for i in range(70000)),
    }
    lines = []
    for rel, data in files.items():
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        lines.append(f"{hashlib.md5(data).hexdigest()}  {rel}\n")
    (src / "manifest.md5").write_text("".join(lines))
    img = workdir / "disk.img"
    mke2fs = shutil.which("mke2fs") or "/sbin/mke2fs"
    subprocess.run([mke2fs, "-q", "-F", "-t", "ext4", "-d", str(src), str(img), "32M"],
                   check=True, capture_output=True)
    return img


def disk_file(img: Path, path: str):
    """A file's contents read from an ext4 image on the host (debugfs)."""
    debugfs = shutil.which("debugfs") or "/sbin/debugfs"
    r = subprocess.run([debugfs, "-R", f"cat {path}", str(img)], capture_output=True)
    return r.stdout


class BootResult:
    def __init__(self):
        self.log = ""
        self.returncode = None
        self.timed_out = False
        self.t_start = None  # seconds from launch to the start marker
        self.t_pass = None  # ... to the PASS marker
        self.t_exit = None  # ... to the process exit


def run_boot(cmd, timeout, echo=False):
    """Runs an emulator command line, collecting its console output, timing
    the markers and killing it after timeout seconds."""
    res = BootResult()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    chunks = []

    def reader():
        for line in iter(proc.stdout.readline, b""):
            now = time.monotonic() - t0
            text = line.decode(errors="replace").replace("\r\n", "\n")
            if START_MARKER in text and res.t_start is None:
                res.t_start = now
            if PASS_MARKER in text and res.t_pass is None:
                res.t_pass = now
            if echo:
                print(text, end="", flush=True)
            chunks.append(text)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        res.timed_out = True
        proc.kill()
        proc.wait()
    th.join(5)
    res.t_exit = time.monotonic() - t0
    res.returncode = proc.returncode
    res.log = "".join(chunks)
    return res


def bad_lines(log):
    return [l for l in log.splitlines() if any(p in l for p in BAD_PATTERNS)]


def kernel_args(smp, disk, rtc, extra=""):
    args = (f"console=ttyAMA0 panic=-1 kestrel.test kestrel.cpus={smp} "
            f"kestrel.md5={workload_md5()} kestrel.time={int(time.time())}")
    if disk:
        args += " kestrel.disk=1"
    if rtc:
        args += " kestrel.rtc=1"
    return (args + " " + extra).strip()


def checks_in(log):
    return re.findall(r"^CHECK (\S+): (.*)$", log, re.M)


def tempdir():
    return tempfile.TemporaryDirectory(prefix="kestrel-boot-")


WORKLOAD_SCRIPT = Path(__file__).resolve().parent / "workload.sh"


def qemu_user_reference(script: Path, guest_dir=None):
    """The output of script run by the guest's busybox under qemu-aarch64
    (every applet through busybox, nothing from the host), or None when
    qemu-aarch64 or the busybox package is missing."""
    qemu = shutil.which("qemu-aarch64")
    guest_dir = Path(guest_dir or os.environ.get("KESTREL_GUEST_DIR", ROOT / "guest"))
    debs = sorted((guest_dir / "debs").glob("busybox-static_*.deb"))
    if not qemu or not debs:
        return None
    with tempfile.TemporaryDirectory(prefix="kestrel-ref-") as tmp:
        tmp = Path(tmp)
        subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(tmp / "pkg")], check=True)
        busybox = tmp / "pkg" / "bin" / "busybox"
        applets = subprocess.run([qemu, str(busybox), "--list"], capture_output=True,
                                 text=True, check=True).stdout.split()
        bindir = tmp / "bin"
        bindir.mkdir()
        for a in applets:
            w = bindir / a
            w.write_text(f'#!/bin/sh\nexec {qemu} {busybox} {a} "$@"\n')
            w.chmod(0o755)
        r = subprocess.run([qemu, str(busybox), "sh", str(script)], capture_output=True,
                           cwd=tmp, env={"PATH": str(bindir)}, timeout=600)
        return r.stdout + r.stderr
