#!/usr/bin/env python3
"""Instructions the front executes per forwarded request (user space), counted by callgrind.

Usage: bench/front_instructions.py [--requests 20000] [--connections 16] [--depth 1] [--path /plaintext]
                                   [--body N] [--annotate]

bench/instructions.py for `hostctl proxy`: the front (release build) runs under valgrind with
one loop, the sample app it starts runs natively (valgrind does not follow the exec), so the
count is the front's alone: parsing the client's request, writing the forwarded head,
reading the app's response and relaying it. After a warm-up (which also starts the app) the
counters are zeroed, a fixed number of requests is sent, and the dump gives instructions per
request. --body N sends POSTs to /echo with an N-byte body instead. Compare before/after on
the same machine: the count does not move with the machine's load the way times do.
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
import glob

BENCH = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bench_instructions", os.path.join(BENCH, "instructions.py"))
counts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(counts)
ROOT = counts.ROOT


def load(requests, connections, depth, path, body):
    if not body:
        return counts.load(requests, connections, depth, path)
    import socket
    payload = b"b" * body
    request = f"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body}\r\n\r\n".encode() + payload
    sockets = [socket.create_connection(("127.0.0.1", counts.PORT)) for _ in range(connections)]
    per_socket = requests // connections
    done = 0
    for sock in sockets:
        sock.settimeout(60)
        for _ in range(per_socket):
            sock.sendall(request)
            received = b""
            while not (b"\r\n\r\n" in received and received.endswith(payload)):
                chunk = sock.recv(65536)
                if not chunk:
                    sys.exit("connection closed")
                received += chunk
            done += 1
    for sock in sockets:
        sock.close()
    return done


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--body", type=int, default=0, help="POST /echo with a body of this many bytes")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--annotate", action="store_true")
    args = parser.parse_args()
    counts.PORT = args.port or counts.free_port()
    if not args.no_build:
        for product in ["HostctlSample", "hostctl"]:
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="hostctl-front-callgrind-")
    out = os.path.join(work, "callgrind.out")
    # Valgrind 3.19 gives up on the DWARF 5 this toolchain writes: run a copy without debug sections.
    binary = os.path.join(work, "hostctl")
    subprocess.run(["objcopy", "--strip-debug", os.path.join(ROOT, ".build", "release", "hostctl"), binary], check=True)
    sample = os.path.join(ROOT, ".build", "release", "HostctlSample")
    env = dict(os.environ, HOSTCTL_ENVIRONMENT="Production")
    command = ["taskset", "-c", "0", "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
               binary, "proxy", "--urls", f"http://127.0.0.1:{counts.PORT}", "--", sample]
    front = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        counts.wait_for_port(counts.PORT)
        load(2000, args.connections, args.depth, args.path, args.body)
        subprocess.run(["callgrind_control", "-z", str(front.pid)], check=True, stdout=subprocess.DEVNULL)
        sent = load(args.requests, args.connections, args.depth, args.path, args.body)
        subprocess.run(["callgrind_control", "-d", str(front.pid)], check=True, stdout=subprocess.DEVNULL)
        time.sleep(1)
    finally:
        front.terminate()
        try:
            front.wait(timeout=30)
        except subprocess.TimeoutExpired:
            front.kill()
            front.wait()
    dumps = sorted(glob.glob(out + "*"), key=os.path.getmtime)
    dump = [d for d in dumps if re.search(r"\.\d+$", d) or d.endswith("-01")][-1] if len(dumps) > 1 else dumps[-1]
    with open(dump) as f:
        text = f.read()
    total = int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))
    what = f"POST /echo, {args.body}-byte body" if args.body else args.path
    print(f"{total / sent:,.0f} front instructions per request (event loop, {sent} requests, {args.connections} connections, depth {args.depth}, {what})")
    if args.annotate:
        report = subprocess.run(["callgrind_annotate", "--inclusive=no", dump], capture_output=True, text=True).stdout
        print("\n".join(report.splitlines()[:70]))


if __name__ == "__main__":
    main()
