#!/usr/bin/env python3
"""End-to-end snapshot tests: a guest that prints an increasing count is
saved, let run, restored (in the same process, in a new process with
-loadvm and with -incoming file:), and must carry on from the saved count
with its guest clock continuing from the saved value. Damaged and
mismatched snapshots must be refused while the running guest keeps running.

The guest is a parameter: any image whose serial output has lines matching
--count-regex (group 1: the count, group 2 optional: guest time in ms) and
that ends with --done-text and powers off. The bare-metal counter program
(roms/tests/counter.c) is the default shape; a Linux guest whose init runs
a loop printing "n=$i t=$(cut -d' ' -f1 /proc/uptime)" then "COUNTER DONE"
and powers off works with e.g.
  --mem 512M --extra=-initrd --extra=initrd.gz --extra=-append
  --extra="console=ttyAMA0 ..." --count-regex 'n=(\\d+) t=([\\d.]+)'
  --time-scale 1000 --timeout-scale 5

usage: snapshot_e2e.py KESTREL IMAGE [--smp N] [--gic 3|4.1] [--cpu MODEL] [--mem SIZE]
                       [--extra ARG]... [--scenarios a,b,...]
Exit status 0 when every scenario passed, 1 otherwise.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zlib


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def connect_unix(path, timeout, what):
    """A connection to a Kestrel monitor socket, waiting for it to appear."""
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            s.settimeout(60)
            return s
        except OSError:
            s.close()
            if time.time() > deadline:
                raise Failure(f"{what} socket {path} never appeared")
            time.sleep(0.05)


class Monitor:
    """The human monitor over a unix socket."""

    PROMPT = b"(kestrel) "

    def __init__(self, path, timeout=20):
        self.s = connect_unix(path, timeout, "monitor")
        self._read_prompt()

    def _read_prompt(self):
        buf = b""
        while not buf.endswith(self.PROMPT):
            chunk = self.s.recv(65536)
            if not chunk:
                raise Failure("monitor closed the connection")
            buf += chunk
        return buf[: -len(self.PROMPT)].decode(errors="replace")

    def cmd(self, line):
        self.s.sendall((line + "\n").encode())
        if line == "quit":  # no prompt follows: the connection closes
            while self.s.recv(65536):
                pass
            return ""
        return self._read_prompt()

    def close(self):
        self.s.close()


class Qmp:
    """The machine monitor: greeting, capabilities, commands, events."""

    def __init__(self, path, timeout=20):
        self.s = connect_unix(path, timeout, "QMP")
        self.buf = b""
        self.events = []
        greeting = self._read()
        check("QMP" in greeting, f"no QMP greeting: {greeting}")
        check("return" in self.execute("qmp_capabilities"), "qmp_capabilities failed")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise Failure("QMP closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.s.sendall((json.dumps(req) + "\n").encode())
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def wait_event(self, name, timeout=20):
        deadline = time.time() + timeout
        while True:
            for e in self.events:
                if e["event"] == name:
                    self.events.remove(e)
                    return e
            if time.time() > deadline:
                raise Failure(f"no {name} event")
            self.s.settimeout(max(0.1, deadline - time.time()))
            try:
                msg = self._read()
            except socket.timeout:
                continue
            finally:
                self.s.settimeout(60)
            self.events.append(msg)


class Guest:
    """One Kestrel process with its serial output in a file."""

    TIMEOUT_SCALE = 1.0  # slower guests (Linux) scale every wait

    def __init__(self, t, name, extra_args, machine_args=None):
        self.t = t
        self.dir = t.workdir
        self.serial = os.path.join(self.dir, name + ".serial")
        self.mon_path = os.path.join(self.dir, name + ".mon")
        self.qmp_path = os.path.join(self.dir, name + ".qmp")
        args = [t.kestrel] + (machine_args or t.machine_args()) + [
            "-display", "none", "-serial", "file:" + self.serial,
            "-savevm-dir", t.snapdir,
            "-monitor", f"unix:{self.mon_path},server,nowait",
            "-qmp", f"unix:{self.qmp_path},server,nowait",
        ] + extra_args
        self.args = args
        self.stderr_path = os.path.join(self.dir, name + ".stderr")
        self.err = open(self.stderr_path, "w")
        self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=self.err)
        self.mon = None
        self.qmp = None

    def connect(self, qmp=False):
        self.mon = Monitor(self.mon_path)
        if qmp:
            self.qmp = Qmp(self.qmp_path)
        return self

    def text(self):
        try:
            with open(self.serial, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def counts(self, text=None):
        return self.t.counts(self.text() if text is None else text)

    def wait_count(self, at_least, timeout=60):
        deadline = time.time() + timeout * self.TIMEOUT_SCALE
        while time.time() < deadline:
            c = self.counts()
            if c and c[-1][0] >= at_least:
                return c[-1][0]
            if self.p.poll() is not None:
                raise Failure(f"guest exited early ({self.p.returncode}): {self.stderr()}")
            time.sleep(0.02)
        raise Failure(f"count never reached {at_least}; output ends with {self.text()[-200:]!r}")

    def wait_lines_after(self, pos, n, timeout=60):
        deadline = time.time() + timeout * self.TIMEOUT_SCALE
        while len(self.counts(self.text()[pos:])) < n:
            if time.time() > deadline:
                raise Failure(f"fewer than {n} lines after a restore: {self.text()[pos:]!r}")
            if self.p.poll() is not None:
                raise Failure(f"guest exited early ({self.p.returncode}): {self.stderr()}")
            time.sleep(0.02)

    def wait_exit(self, timeout=120):
        try:
            rc = self.p.wait(timeout=timeout * self.TIMEOUT_SCALE)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise Failure(f"guest did not finish; output ends {self.text()[-200:]!r}")
        self.err.close()
        return rc

    def stderr(self):
        if not self.err.closed:
            self.err.flush()
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def diagnosis(self):
        """What the monitor says about a guest that stopped making
        progress (for the failure report)."""
        if self.mon is None:
            return "  (no monitor connection)"
        out = []
        for cmd in ("info status", "info cpus", "info registers", "info gic"):
            try:
                self.mon.s.settimeout(10)
                reply = self.mon.cmd(cmd)
            except (OSError, Failure) as e:
                reply = f"(no answer: {e})"
            out.append(f"  --- {cmd}\n" + "\n".join("  " + l for l in reply.splitlines()[:80]))
        return "\n".join(out)

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


class Test:
    def __init__(self, a):
        self.kestrel = a.kestrel
        self.image = a.image
        self.smp = a.smp
        self.gic = a.gic
        self.cpu = a.cpu
        self.mem = a.mem
        self.extra = a.extra or []
        self.count_re = re.compile(a.count_regex)
        self.done_text = a.done_text
        self.max_resume_ms = a.max_resume_ms
        self.time_scale = a.time_scale
        Guest.TIMEOUT_SCALE = a.timeout_scale
        self.workdir = tempfile.mkdtemp(prefix="kestrel-snap-")
        self.snapdir = os.path.join(self.workdir, "snapshots")
        self.guests = []

    def machine_args(self, gic=None, mem=None):
        return ["-M", f"virt,gic-version={gic or self.gic}", "-cpu", self.cpu,
                "-smp", str(self.smp), "-m", mem or self.mem, "-kernel", self.image] + self.extra

    def start(self, name, extra=(), machine_args=None, qmp=False, connect=True):
        g = Guest(self, name, list(extra), machine_args)
        self.guests.append(g)
        if connect:
            g.connect(qmp)
        return g

    def counts(self, text):
        """(count, time or None) for every complete line."""
        out = []
        for line in text.split("\n")[:-1]:
            m = self.count_re.search(line)
            if m:
                t = None
                if m.re.groups >= 2 and m.group(2) is not None:
                    t = int(float(m.group(2)) * self.time_scale)
                out.append((int(m.group(1)), t))
        return out

    def check_continues(self, saved_text, later_text, what):
        """later_text (output after a restore) must continue saved_text
        (the output at the moment of the save) with no gap, and the guest
        clock must continue from the saved value."""
        joined = self.counts(saved_text + later_text)
        before = self.counts(saved_text)
        check(before, f"{what}: nothing was printed before the save")
        check(len(joined) > len(before) + 3, f"{what}: the restored guest printed too little")
        for (a, ta), (b, tb) in zip(joined, joined[1:]):
            check(b == a + 1, f"{what}: count goes {a} -> {b} (expected {a + 1})")
        last_t, first_t = before[-1][1], joined[len(before)][1]
        if last_t is not None and first_t is not None:
            check(0 <= first_t - last_t <= self.max_resume_ms,
                  f"{what}: guest clock went {last_t} ms -> {first_t} ms across the restore")

    def finish(self, g, what):
        rc = g.wait_exit()
        check(rc == 0, f"{what}: kestrel exited with {rc}: {g.stderr()}")
        check(self.done_text in g.text(), f"{what}: the guest did not finish")
        if self.smp > 1:
            beats = [int(x) for x in re.findall(r"s=(\d+)", g.text())]
            check(beats and beats[-1] > 0, f"{what}: the second core never ran")

    # --- scenarios -----------------------------------------------------

    def same_process(self):
        g = self.start("a", qmp=True)
        g.wait_count(20)
        # Stopped around the save so the output read here is exactly what
        # the guest had printed when it was saved.
        g.mon.cmd("stop")
        r = g.mon.cmd("savevm s1")
        check("Error" not in r, f"savevm failed: {r}")
        self.saved_text = g.text()
        g.mon.cmd("cont")
        saved = g.counts(self.saved_text)[-1][0]
        check("s1" in g.mon.cmd("info snapshots"), "info snapshots does not list s1")
        g.wait_count(saved + 40)
        # migrate file: for the -incoming scenario, from a known point.
        self.migrate_path = os.path.join(self.workdir, "migration.bin")
        g.mon.cmd("stop")
        r = g.mon.cmd("migrate file:" + self.migrate_path)
        check("Error" not in r, f"migrate failed: {r}")
        self.migrated_text = g.text()
        g.mon.cmd("cont")
        # stop/cont with events; the count must not move while stopped.
        check("return" in g.qmp.execute("stop"), "QMP stop failed")
        g.qmp.wait_event("STOP")
        status = g.qmp.execute("query-status")["return"]
        check(status["status"] == "paused", f"query-status says {status}")
        frozen = g.counts()[-1][0]
        time.sleep(0.3)
        check(g.counts()[-1][0] == frozen, "the guest ran while stopped")
        check("paused" in g.mon.cmd("info status"), "info status does not say paused")
        g.qmp.execute("cont")
        g.qmp.wait_event("RESUME")
        g.wait_count(frozen + 10)
        # Snapshots through the machine monitor.
        check("return" in g.qmp.execute("savevm", tag="via-qmp"), "QMP savevm failed")
        tags = [x["tag"] for x in g.qmp.execute("query-snapshots")["return"]]
        check("via-qmp" in tags, f"query-snapshots lists {tags}")
        bad = g.qmp.execute("loadvm", tag="no-such-tag")
        check("error" in bad and "no-such-tag" in bad["error"]["desc"], f"QMP loadvm: {bad}")
        check("return" in g.qmp.execute("delvm", tag="via-qmp"), "QMP delvm failed")
        hmp = g.qmp.execute("human-monitor-command", **{"command-line": "info status"})
        check("running" in hmp.get("return", ""), f"human-monitor-command: {hmp}")
        # The monitor's dumps answer while the guest runs.
        check("X00=" in g.mon.cmd("info registers"), "info registers")
        check("CPU #0" in g.mon.cmd("info cpus"), "info cpus")
        check(g.mon.cmd("info gic").strip() != "", "info gic")
        # A savevm of the running guest (not checked for its exact count).
        r = g.mon.cmd("savevm running")
        check("Error" not in r, f"savevm of a running guest failed: {r}")
        g.mon.cmd("stop")
        r = g.mon.cmd("loadvm s1")
        check("Error" not in r, f"loadvm failed: {r}")
        at_load = len(g.text())
        g.mon.cmd("cont")
        g.wait_lines_after(at_load, 20)
        self.check_continues(self.saved_text, g.text()[at_load:], "loadvm in the same process")
        self.finish(g, "same process")
        g.qmp.wait_event("SHUTDOWN")

    def new_process_loadvm(self):
        g = self.start("b", ["-loadvm", "s1"])
        self.finish(g, "-loadvm in a new process")
        self.check_continues(self.saved_text, g.text(), "-loadvm in a new process")

    def new_process_incoming(self):
        g = self.start("c", ["-incoming", "file:" + self.migrate_path])
        self.finish(g, "-incoming in a new process")
        self.check_continues(self.migrated_text, g.text(), "-incoming in a new process")

    def refused_while_running(self, g, tag, expect, what):
        before = g.wait_count(1)
        r = g.mon.cmd("loadvm " + tag)
        check("Error" in r, f"{what}: loadvm was not refused: {r}")
        for e in expect:
            check(e in r, f"{what}: the error does not mention {e!r}: {r.strip()}")
        g.wait_count(before + 15)
        c = [n for n, _ in g.counts()]
        check(all(b == a + 1 for a, b in zip(c, c[1:])),
              f"{what}: the running guest was disturbed")

    def gic_mismatch(self):
        if self.gic != "4.1":
            return
        g = self.start("d", machine_args=self.machine_args(gic="3"))
        self.refused_while_running(g, "s1", ["GICv4.1", "GICv3", "nASSGIcap=1"],
                                   "4.1 snapshot into a v3 machine")
        g.mon.cmd("quit")
        g.wait_exit()

    def damaged_files(self):
        with open(os.path.join(self.snapdir, "s1.ksnap"), "rb") as f:
            good = f.read()
        # A CPU section from a newer build (version 99), with a valid CRC.
        at = good.find(b"S\x03\x00\x00\x00cpu")
        check(at > 0, "no cpu section in the snapshot")
        ver = at + 1 + 4 + 3 + 4
        newer = bytearray(good)
        newer[ver:ver + 4] = (99).to_bytes(4, "little")
        newer[-4:] = zlib.crc32(bytes(newer[:-5])).to_bytes(4, "little")
        damaged = {
            "section-version": (bytes(newer), ["section 'cpu'", "version 99 is newer"]),
            "truncated": (good[: len(good) // 2], ["truncated"]),
            "bitflip": (good[:200] + bytes([good[200] ^ 0x10]) + good[201:], ["corrupt"]),
            "version": (good[:8] + bytes([99, 0, 0, 0]) + good[12:], ["format version 99"]),
        }
        # A snapshot of a machine with more RAM: valid, but not this machine's.
        big = self.start("e", machine_args=self.machine_args(
            mem="256M" if self.mem != "256M" else "512M"))
        big.wait_count(5)
        r = big.mon.cmd("savevm bigram")
        check("Error" not in r, f"savevm on the 256M machine failed: {r}")
        big.mon.cmd("quit")
        big.wait_exit()
        with open(os.path.join(self.snapdir, "bigram.ksnap"), "rb") as f:
            damaged["config"] = (f.read(), ["does not fit", "ram="])
        os.remove(os.path.join(self.snapdir, "bigram.ksnap"))
        # -incoming with each: a clear error and exit status 1.
        for name, (data, expect) in damaged.items():
            path = os.path.join(self.workdir, name + ".bin")
            with open(path, "wb") as f:
                f.write(data)
            g = self.start("inc-" + name, ["-incoming", "file:" + path], connect=False)
            rc = g.wait_exit(timeout=60)
            err = g.stderr()
            check(rc == 1, f"-incoming {name}: exit status {rc}, expected 1 ({err.strip()})")
            for e in expect:
                check(e in err, f"-incoming {name}: error does not mention {e!r}: {err.strip()}")
            check("Segmentation" not in err and "Aborted" not in err, f"{name}: crashed")
        # loadvm of each into a running guest: refused, the guest keeps running.
        g = self.start("f")
        for name, (data, expect) in damaged.items():
            with open(os.path.join(self.snapdir, "bad-" + name + ".ksnap"), "wb") as f:
                f.write(data)
            self.refused_while_running(g, "bad-" + name, expect, f"loadvm of a {name} snapshot")
            check("Error" not in g.mon.cmd("delvm bad-" + name), f"delvm bad-{name}")
        check("bad-" not in g.mon.cmd("info snapshots"), "delvm left snapshots behind")
        g.mon.cmd("quit")
        g.wait_exit()

    def console_monitor(self):
        """Ctrl-A c on -nographic switches the terminal to the monitor."""
        args = [self.kestrel] + self.machine_args() + ["-nographic", "-savevm-dir",
                                                       self.snapdir]
        p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            out = b""
            os.set_blocking(p.stdout.fileno(), False)

            def read_until(text, timeout=30):
                nonlocal out
                deadline = time.time() + timeout
                while text.encode() not in out:
                    if time.time() > deadline:
                        raise Failure(f"no {text!r} on the console: {out[-300:]!r}")
                    try:
                        chunk = p.stdout.read()
                    except BlockingIOError:
                        chunk = None
                    if chunk:
                        out += chunk
                    else:
                        time.sleep(0.02)

            read_until("n=5 ")
            p.stdin.write(b"\x01c")
            p.stdin.flush()
            read_until("(kestrel) ")
            p.stdin.write(b"info status\r")
            p.stdin.flush()
            read_until("VM status: running")
            p.stdin.write(b"stop\rinfo status\r")
            p.stdin.flush()
            read_until("VM status: paused")
            p.stdin.write(b"cont\r\x01c")
            p.stdin.flush()
            mark = len(out)
            read_until("COUNTER DONE", timeout=60)
            check(b"n=" in out[mark:], "the console did not return to the guest")
            check(p.wait(timeout=30) == 0, "kestrel did not exit cleanly")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()

    def run(self, scenarios):
        ok = True
        for name in scenarios:
            t0 = time.time()
            try:
                getattr(self, name)()
                print(f"PASS {name} ({time.time() - t0:.1f} s)")
            except Failure as e:
                ok = False
                print(f"FAIL {name}: {e}")
                for g in self.guests:
                    if g.p.poll() is None:
                        print(f"  [{' '.join(g.args)}] still running")
                        print(g.diagnosis())
            finally:
                for g in self.guests:
                    g.kill()
                self.guests = []
            if not ok:
                break
        return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kestrel")
    ap.add_argument("image")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--gic", default="3")
    ap.add_argument("--cpu", default="cortex-a57")
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--extra", action="append", help="extra kestrel argument (repeatable)")
    ap.add_argument("--count-regex", default=r"n=(\d+) t=(\d+)")
    ap.add_argument("--done-text", default="COUNTER DONE")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="factor from the printed guest time to ms (1000 for seconds)")
    ap.add_argument("--timeout-scale", type=float, default=1.0,
                    help="multiplies every wait (e.g. 5 for a booting Linux guest)")
    ap.add_argument("--max-resume-ms", type=int, default=300,
                    help="largest guest-clock step allowed across a restore")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--scenarios", default="same_process,new_process_loadvm,"
                    "new_process_incoming,gic_mismatch,damaged_files,console_monitor")
    a = ap.parse_args()
    t = Test(a)
    ok = t.run(a.scenarios.split(","))
    if a.keep or not ok:
        print("work directory:", t.workdir)
    else:
        shutil.rmtree(t.workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
