#!/usr/bin/env python3
"""System calls the server makes per request, by name, counted with strace -c.

Usage: bench/syscalls.py [--requests 20000] [--connections 16] [--depth 1] [--server eventloop|iouring]

The io_uring server's case for itself is fewer trips into the kernel: one io_uring_enter
submits a batch of sends and reaps a batch of receives, where the event-loop server pays
epoll_wait, read and write (or send) separately. Instruction counts cannot show that
(valgrind cannot run an io_uring program, and perf has no counters on these VMs), so this
counts the calls. The same client as bench/instructions.py sends a fixed number of
requests over keep-alive connections; strace's own overhead makes the run slow, but the
counts are exact.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import instructions  # noqa: E402  (the shared client: wait_for_port, load)

ROOT = instructions.ROOT
PORT = instructions.free_port()
instructions.PORT = PORT  # the shared client reads it


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--server", default="eventloop", choices=["eventloop", "iouring"])
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    summary = os.path.join(tempfile.mkdtemp(prefix="hostctl-strace-"), "summary")
    env = dict(os.environ, HOSTCTL_URLS=f"http://127.0.0.1:{PORT}", HOSTCTL_ENVIRONMENT="Production", HOSTCTL_SERVER=args.server)
    server = subprocess.Popen(["strace", "-f", "-c", "-o", summary, os.path.join(ROOT, ".build", "release", "HostctlSample")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        instructions.wait_for_port(PORT)
        sent = instructions.load(args.requests, args.connections, args.depth, args.path)
    finally:
        # SIGTERM to strace itself detaches it and leaves the server running: stop the server.
        with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
            for pid in children.read().split():
                os.kill(int(pid), signal.SIGTERM)
        server.wait()
    with open(summary) as f:
        rows = [line.split() for line in f if re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+", line)]
    counts = {row[-1]: int(row[3]) for row in rows if row[-1] != "total"}
    total = sum(counts.values())
    print(f"{total / sent:.2f} system calls per request ({args.server}, {sent} requests, {args.connections} connections, depth {args.depth})")
    for name, count in sorted(counts.items(), key=lambda item: -item[1])[:8]:
        print(f"  {name:<16} {count / sent:8.3f}")


if __name__ == "__main__":
    main()
