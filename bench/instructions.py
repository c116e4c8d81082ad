#!/usr/bin/env python3
"""Instructions the server executes per request (user space), counted by callgrind.

Usage: bench/instructions.py [--requests 20000] [--connections 16] [--depth 1] [--path /plaintext]
                             [--server eventloop|iouring] [--loops N] [--port P] [--h2 STREAMS]

Wall-clock figures on this shared machine move 10-25 % between runs; an instruction count
does not, so it is the number to watch while tuning a hot path (kernel time is not
included: the syscalls per request are counted separately with strace when needed).
The server (the bundled sample, release build) runs under valgrind; after a warm-up the
counters are zeroed, a fixed number of requests is sent by a small client, and the dump
gives instructions per request. Add --annotate to print the top functions; --server-arg passes an argument to the sample
(the request log's price: the count with and without it).

--h2 STREAMS: the requests go over HTTP/2 (h2c with prior knowledge), sent by h2load
(nghttp2-client) with STREAMS in flight on each connection, instead of HTTP/1.1.

Loops: one per CPU the process may use, so --loops N runs the server under `taskset` on N
CPUs. The io_uring server runs with one loop unless told otherwise: valgrind keeps its
global lock through io_uring_enter (it does not know the call blocks), so a second loop
waiting in the kernel starves the first and requests stall. (epoll_wait is known to block.)
"""
import argparse
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    """A port nothing listens on now: several runs (or sessions) on one machine never meet."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = 0  # set from --port, or a free port


def wait_for_port(port, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not start")


def complete_responses(data):
    """How many whole 200 responses (head and Content-Length body) `data` holds."""
    count, offset = 0, 0
    while True:
        end = data.find(b"\r\n\r\n", offset)
        if end < 0:
            return count
        head = data[offset:end].lower()
        if not head.startswith(b"http/1.1 200"):
            sys.exit(f"not a 200: {data[offset:offset + 80]!r}")
        length = int(re.search(rb"content-length: *(\d+)", head).group(1))
        if len(data) < end + 4 + length:
            return count
        offset = end + 4 + length
        count += 1


def load(requests, connections, depth, path):
    """Sends `requests` GETs over `connections` keep-alive connections, `depth` per write."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    sockets = [socket.create_connection(("127.0.0.1", PORT)) for _ in range(connections)]
    per_socket = requests // connections
    for sock in sockets:
        sock.settimeout(60)
    done = 0
    for sock in sockets:
        remaining = per_socket
        while remaining:
            batch = min(depth, remaining)
            sock.sendall(request * batch)
            received = b""
            while complete_responses(received) < batch:
                chunk = sock.recv(65536)
                if not chunk:
                    sys.exit("connection closed")
                received += chunk
            remaining -= batch
            done += batch
    for sock in sockets:
        sock.close()
    return done


def load_h2(requests, connections, streams, path):
    """Sends `requests` GETs with h2load over `connections` h2c connections, `streams` in flight on each."""
    output = subprocess.run(["h2load", "-t1", f"-c{connections}", f"-m{streams}", f"-n{requests}", f"http://127.0.0.1:{PORT}{path}"],
                            capture_output=True, text=True, check=True).stdout
    succeeded = re.search(r"requests: .* (\d+) succeeded", output)
    if not succeeded or int(succeeded.group(1)) != requests:
        sys.exit(f"h2load failed:\n{output}")
    return requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--server", default="eventloop", choices=["eventloop", "iouring"])
    parser.add_argument("--loops", type=int, help="event loops (default: one per CPU; io_uring: 1)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--annotate", action="store_true")
    parser.add_argument("--h2", type=int, metavar="STREAMS", help="HTTP/2 with h2load, STREAMS in flight per connection")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="passed to the sample (e.g. --server-arg=--Logging:LogLevel:Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware=Information)")
    args = parser.parse_args()
    global PORT
    PORT = args.port or free_port()
    loops = args.loops or (1 if args.server == "iouring" else None)
    subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="hostctl-callgrind-")
    out = os.path.join(work, "callgrind.out")
    env = dict(os.environ, HOSTCTL_URLS=f"http://127.0.0.1:{PORT}", HOSTCTL_ENVIRONMENT="Production", HOSTCTL_SERVER=args.server)
    pinning = ["taskset", "-c", f"0-{loops - 1}"] if loops else []
    # Valgrind 3.19 gives up on the DWARF 5 this toolchain writes ("Possibly corrupted
    # debuginfo file"): run a copy without debug sections (symbols stay, for --annotate).
    binary = os.path.join(work, "HostctlSample")
    subprocess.run(["objcopy", "--strip-debug", os.path.join(ROOT, ".build", "release", "HostctlSample"), binary], check=True)
    server = subprocess.Popen(pinning + ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no", binary] + args.server_arg,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(PORT)
        if args.h2:
            load_h2(2000, args.connections, args.h2, args.path)
        else:
            load(2000, args.connections, args.depth, args.path)
        subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True, stdout=subprocess.DEVNULL)
        if args.h2:
            sent = load_h2(args.requests, args.connections, args.h2, args.path)
        else:
            sent = load(args.requests, args.connections, args.depth, args.path)
        subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, stdout=subprocess.DEVNULL)
        time.sleep(1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # io_uring under valgrind: the loop can keep valgrind's lock in io_uring_enter, so
            # the thread that would stop it never runs. The counts were dumped already.
            server.kill()
            server.wait()
    dumps = sorted(glob.glob(out + "*"), key=os.path.getmtime)
    dump = [d for d in dumps if re.search(r"\.\d+$", d) or d.endswith("-01")][-1] if len(dumps) > 1 else dumps[-1]
    with open(dump) as f:
        text = f.read()
    total = int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))
    shape = f"h2, {args.h2} streams per connection" if args.h2 else f"depth {args.depth}"
    print(f"{total / sent:,.0f} instructions per request ({args.server}, {loops or 'all'} loops, {sent} requests, {args.connections} connections, {shape}, {args.path})")
    if args.annotate:
        report = subprocess.run(["callgrind_annotate", "--inclusive=no", dump], capture_output=True, text=True).stdout
        print("\n".join(report.splitlines()[:60]))


if __name__ == "__main__":
    main()
