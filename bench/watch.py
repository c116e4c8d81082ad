#!/usr/bin/env python3
"""hostctl watch: from a saved edit to the changed response, and swaps under load.

Usage: bench/watch.py [--app web|watched] [--edits 5] [--swaps 10] [--connections 16]
                      [--hostctl PATH] [--keep]

In one run, on one package (a copy made here):

  1. save-to-served: `hostctl watch` runs the app; each of --edits edits changes the text
     of a response and is timed from the moment the file is written and closed to the
     first response that carries the new text (polled every 5 ms). Beside it, the same
     edits are built with the incremental `swift build` hostctl runs (watch stopped), so
     the difference is what watch adds: the settle time, the up-to-date check, starting
     the new build and the swap. Goal: at most the build time + 150 ms.
  2. swaps under load: wrk (one thread, --connections keep-alive connections, pinned to
     CPU 1) loads the app through hostctl watch's front while --swaps edits are made one
     after another (each waits until its text is served); then the same with `hostctl run`
     restarted by hand for each edit (SIGINT, build, start), which is what watch spares.
     Failed requests = wrk's socket errors (connect, read, write, timeout) plus non-2xx/3xx
     responses (wrk retries a refused connection at once, so a restart by hand counts every
     attempt while nothing listens). Goal for watch: 0.

Apps (--app):
  web      a `hostctl new web` package using this checkout's hosting library by path
           (realistic; its first build compiles the hosting library: minutes)
  watched  Tests/HostctlCLITests/Fixtures/Watched: a one-file Swift launcher for a python3
           server (quick; for checking that the script works)

The machine is shared and noisy: compare figures within one run only.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, timeout=2.0):
    """The body of GET path, or None when nothing answers (a restart in progress)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return body.decode(errors="replace") if head.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None


def wait_until_served(port, path, marker, seconds=600, log=None):
    """When `marker` is first served on `path`; exits when the log says the build failed."""
    deadline = time.monotonic() + seconds
    start = os.path.getsize(log) if log else 0
    while time.monotonic() < deadline:
        body = get(port, path)
        if body is not None and marker in body:
            return time.monotonic()
        if log:
            with open(log, errors="replace") as file:
                file.seek(start)
                if "Build failed" in file.read():
                    sys.exit(f"the build failed; see {log} (run with --keep)")
        time.sleep(0.005)
    sys.exit(f"{marker!r} was never served on {path}")


class App:
    """The package, what to edit in it, and where the edit shows."""

    def __init__(self, kind, work, hostctl):
        self.kind = kind
        if kind == "watched":
            self.directory = os.path.join(work, "Watched")
            shutil.copytree(os.path.join(ROOT, "Tests", "HostctlCLITests", "Fixtures", "Watched"), self.directory)
            self.source = os.path.join(self.directory, "Sources", "watched", "main.swift")
            self.product, self.path = "watched", "/text"
            self.pattern, self.template = r'let message = ".*"', 'let message = "{marker}"'
        else:
            self.directory = os.path.join(work, "Shop")
            subprocess.run([hostctl, "new", "web", "-n", "Shop", "-o", self.directory, "--hosting-source", ROOT],
                           check=True, stdout=subprocess.DEVNULL)
            self.source = os.path.join(self.directory, "Sources", "ShopApp", "App.swift")
            # The page at / is wwwroot's static index.html: the edit goes to a route in code.
            self.product, self.path = "Shop", "/hello/watch"
            self.pattern, self.template = r'write\("Hello, [^"]*"\)', 'write("Hello, {marker}\\n")'
        self.edits = 0

    def edit(self):
        """Changes the response's text; returns the new text and the moment the file was closed."""
        self.edits += 1
        marker = f"edit {self.edits} {time.time_ns()}"
        with open(self.source) as file:
            text = file.read()
        replacement = self.template.format(marker=marker)
        edited, count = re.subn(self.pattern, lambda _: replacement, text, count=1)
        if count != 1:
            sys.exit(f"could not find the response text to edit in {self.source}")
        with open(self.source, "w") as file:
            file.write(edited)
        return marker, time.monotonic()


class Watch:
    """`hostctl watch` on the app, on a fixed loopback URL."""

    def __init__(self, hostctl, app, port):
        self.path = os.path.join(app.directory, "watch.log")
        self.log = open(self.path, "w")
        self.process = subprocess.Popen(
            [hostctl, "watch", "-e", f"HOSTCTL_URLS=http://127.0.0.1:{port}", "--no-browser-refresh"],
            cwd=app.directory, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=60)
        self.log.close()


def swift_build_seconds(app):
    start = time.monotonic()
    subprocess.run(["swift", "build", "--package-path", app.directory, "-c", "debug", "--product", app.product],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def save_to_served(hostctl, app, edits):
    port = free_port()
    watch = Watch(hostctl, app, port)
    try:
        wait_until_served(port, app.path, "", seconds=3600, log=watch.path)  # the first build (the hosting library: minutes)
        served = []
        for _ in range(edits):
            marker, saved = app.edit()
            served.append(wait_until_served(port, app.path, marker, log=watch.path) - saved)
    finally:
        watch.stop()
    built = []
    for _ in range(edits):
        app.edit()
        built.append(swift_build_seconds(app))
    return served, built


def parse_wrk(output):
    failed = 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        failed += sum(int(value) for value in errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        failed += int(non2xx.group(1))
    requests = re.search(r"(\d+) requests in", output)
    return (int(requests.group(1)) if requests else 0), failed


def under_load(app, port, connections, seconds, swaps, restart):
    """Runs wrk for `seconds` while `swaps` edits are made, each through `restart(marker)`."""
    wrk = subprocess.Popen(
        ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{app.path}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    for _ in range(swaps):
        marker, _ = app.edit()
        restart(marker)
    output, _ = wrk.communicate(timeout=seconds + 60)
    return parse_wrk(output)


def swaps_under_load(hostctl, app, swaps, connections, seconds_per_swap):
    port = free_port()
    seconds = int(swaps * seconds_per_swap) + 5

    watch = Watch(hostctl, app, port)
    wait_until_served(port, app.path, "", seconds=600, log=watch.path)
    try:
        watched = under_load(app, port, connections, seconds, swaps, lambda marker: wait_until_served(port, app.path, marker, log=watch.path))
    finally:
        watch.stop()

    log = open(os.path.join(app.directory, "run.log"), "w")
    state = {}

    def start():
        state["run"] = subprocess.Popen(
            [hostctl, "run", "-e", f"HOSTCTL_URLS=http://127.0.0.1:{port}"], cwd=app.directory,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def restart_by_hand(marker):
        os.killpg(state["run"].pid, signal.SIGINT)
        state["run"].wait(timeout=60)
        start()
        wait_until_served(port, app.path, marker)

    start()
    wait_until_served(port, app.path, "", seconds=600)
    try:
        by_hand = under_load(app, port, connections, seconds, swaps, restart_by_hand)
    finally:
        os.killpg(state["run"].pid, signal.SIGINT)
        state["run"].wait(timeout=60)
        log.close()
    return watched, by_hand, seconds


def milliseconds(values):
    return f"{statistics.median(values) * 1000:.0f} (min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=["web", "watched"], default="web")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--swaps", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--hostctl", help="a hostctl binary (default: build it here in release)")
    parser.add_argument("--keep", action="store_true", help="keep the package copy (and watch.log, run.log)")
    args = parser.parse_args()
    for tool in ["wrk", "taskset", "swift"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed")

    hostctl = args.hostctl and os.path.abspath(args.hostctl)
    if not hostctl:
        subprocess.run(["swift", "build", "-c", "release", "--product", "hostctl"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        hostctl = os.path.join(ROOT, ".build", "release", "hostctl")

    work = tempfile.mkdtemp(prefix="hostctl-watch-bench-")
    try:
        app = App(args.app, work, hostctl)
        served, built = save_to_served(hostctl, app, args.edits)
        added = [s - b for s, b in zip(served, built)]
        print(f"## hostctl watch: save to served ({args.app}, {args.edits} edits)\n")
        print("| measure | median ms |")
        print("|---|---|")
        print(f"| save → changed response served (hostctl watch) | {milliseconds(served)} |")
        print(f"| incremental `swift build` of the same edit | {milliseconds(built)} |")
        print(f"| watch's own share (served − build, median) | {statistics.median(added) * 1000:.0f} |")
        print()

        seconds_per_swap = max(served) + 1.5
        (w_requests, w_failed), (h_requests, h_failed), seconds = swaps_under_load(
            hostctl, app, args.swaps, args.connections, seconds_per_swap)
        print(f"## {args.swaps} swaps under load (wrk -t1 -c{args.connections}, {seconds} s each)\n")
        print("| variant | requests | failed |")
        print("|---|---|---|")
        print(f"| hostctl watch (zero-downtime swap) | {w_requests} | {w_failed} |")
        print(f"| hostctl run, restarted by hand | {h_requests} | {h_failed} |")
    finally:
        if args.keep:
            print(f"\n(kept {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
