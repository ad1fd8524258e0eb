#!/usr/bin/env python3
"""Runs a libFuzzer target for a bounded time from a fresh seed corpus.

usage: run_fuzz.py FUZZER|none SECONDS
Exit 77 (skipped) when no fuzzer could be built (no clang with
-fsanitize=fuzzer; Debian: clang and libclang-rt-14-dev).
"""
import os
import subprocess
import sys
import tempfile

fuzzer, seconds = sys.argv[1], sys.argv[2]
if fuzzer != "none":
    fuzzer = os.path.abspath(fuzzer)
if fuzzer == "none" or not os.path.exists(fuzzer):
    print("fuzzer not built (needs clang with -fsanitize=fuzzer): skipped")
    sys.exit(77)
with tempfile.TemporaryDirectory(prefix="kestrel-fuzz-") as d:
    corpus = os.path.join(d, "corpus")
    os.mkdir(corpus)
    env = dict(os.environ, KESTREL_FUZZ_WRITE_SEED=corpus)
    subprocess.run([fuzzer], env=env, check=True)
    seeds = os.listdir(corpus)
    print(f"{len(seeds)} seed streams")
    r = subprocess.run([fuzzer, corpus, f"-max_total_time={seconds}", "-timeout=10",
                        "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1",
                        f"-artifact_prefix={d}/"], cwd=d)
    if r.returncode != 0:
        for f in os.listdir(d):
            if f.startswith(("crash-", "leak-", "timeout-", "oom-")):
                print("reproducer:", f, open(os.path.join(d, f), "rb").read()[:256].hex())
    sys.exit(r.returncode)
