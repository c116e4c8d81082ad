#!/usr/bin/env python3
"""Startup latency of `hostctl run`: from the command's start to the app's first line of output.

Usage: bench/startup.py [--runs N] [--hostctl PATH]

Builds hostctl in release (unless --hostctl is given), copies a small one-executable
package (Tests/HostctlCLITests/Fixtures/Hello) to a temporary directory, builds it
once, then times in one interleaved run (so machine noise hits every variant alike):

  direct          exec'ing the built binary
  hostctl-nobuild hostctl run --no-build
  hostctl-uptodate hostctl run            (up to date: the fast path, no swift build)
  swift-run       swift run hello          (SwiftPM checks the build, then execs)

and prints medians (and min/max) in milliseconds, hostctl's overhead over the direct
exec, and the ratio of `hostctl run` (up to date) to `swift run`.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def first_line_ms(command, cwd):
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    line = process.stdout.readline()
    elapsed = (time.perf_counter() - start) * 1000
    process.stdout.read()
    process.wait(timeout=60)
    if not line.startswith(b"hello"):
        sys.exit(f"unexpected first line from {command}: {line!r}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--hostctl", help="a hostctl binary to measure (default: build it in release)")
    args = parser.parse_args()

    hostctl = args.hostctl
    if not hostctl:
        subprocess.run(["swift", "build", "-c", "release", "--product", "hostctl"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        hostctl = os.path.join(ROOT, ".build", "release", "hostctl")

    work = tempfile.mkdtemp(prefix="hostctl-startup-")
    package = os.path.join(work, "Hello")
    shutil.copytree(os.path.join(ROOT, "Tests", "HostctlCLITests", "Fixtures", "Hello"), package)
    subprocess.run([hostctl, "run", "-v", "q"], cwd=package, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["swift", "build", "--product", "hello"], cwd=package, check=True, stdout=subprocess.DEVNULL)

    variants = {
        "direct": [os.path.join(package, ".build", "debug", "hello")],
        "hostctl-nobuild": [hostctl, "run", "--no-build"],
        "hostctl-uptodate": [hostctl, "run"],
        "swift-run": ["swift", "run", "hello"],
    }
    for command in variants.values():  # warm caches
        first_line_ms(command, package)
    samples = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, command in variants.items():
            samples[name].append(first_line_ms(command, package))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"startup to first line of output, {args.runs} runs each, interleaved (ms)")
    print(f"{'variant':<18} {'median':>8} {'min':>8} {'max':>8}")
    for name, values in samples.items():
        print(f"{name:<18} {medians[name]:8.1f} {min(values):8.1f} {max(values):8.1f}")
    print(f"hostctl overhead over direct exec: --no-build {medians['hostctl-nobuild'] - medians['direct']:.1f} ms, "
          f"up to date {medians['hostctl-uptodate'] - medians['direct']:.1f} ms")
    print(f"hostctl run (up to date) / swift run: {medians['hostctl-uptodate'] / medians['swift-run']:.3f}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
