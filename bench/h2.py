#!/usr/bin/env python3
"""HTTP/2 (h2c) benchmark of hostctl's servers beside h2o and nginx, in one run.

Usage: bench/h2.py [--runs 3] [--requests 1000000] [--servers hostctl,hostctl-iouring,h2o,nginx]
                   [--tests c16m32,c1m100,idle] [--idle 5000] [--tls] [--markdown FILE]

Each server runs pinned to CPU 0 and h2load (one thread) to CPU 1, on loopback, h2c with
prior knowledge, GET /plaintext ("Hello, World!"):
  c16m32   h2load -c16 -m32: 16 connections, 32 streams in flight on each
  c1m100   h2load -c1 -m100: one connection, 100 streams in flight
All servers run at once, each on its own port. Per test a warm-up of 20000 requests on each,
then --runs rounds of one run of --requests requests against each, the order rotating from
round to round; the table shows medians, and a ratio is the median of the per-round ratios. Server CPU per request = the server's CPU time during a run / requests.
Idle memory = the server's RSS with N idle HTTP/2 connections open (each made one request,
then went quiet) minus before, per connection. Ratios are against h2o from the same run (the
machine is shared and noisy, so only ratios within one run mean anything).

Servers (skipped with a note when not available):
  hostctl          the bundled sample app, built here in release, on the event-loop server; its
                   default endpoint (Http1AndHttp2) hands a connection that opens with the
                   client preface to HTTP/2
  hostctl-iouring  the same on the io_uring server
  h2o              a static /plaintext file, 1 thread (Debian's h2o 2.2; h2c with prior
                   knowledge on a plain listener)
  nginx            `return 200 "Hello, World!"`, 1 worker (Debian's nginx 1.22: `listen … http2`
                   without ssl serves h2c with prior knowledge only)
With --tls every server serves https on one ECDSA P-256 certificate made for the run
(`openssl req`), TLS 1.3 only, and h2load negotiates h2 by ALPN (the idle test stays h2c and
is skipped).
"""
import argparse
import contextlib
import asyncio
import importlib.util
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)

# The process and server helpers of the HTTP/1.1 benchmark (bench/http.py, loaded by path:
# its module name would shadow the standard library's `http`).
_spec = importlib.util.spec_from_file_location("bench_http", os.path.join(BENCH, "http.py"))
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)
PORT = 23180
common.PORT = PORT

TESTS = {"c16m32": (16, 32), "c1m100": (1, 100)}


def make_certificate(work):
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    os.chmod(key, 0o644)  # h2o and nginx workers read it as nobody
    return cert, key


def server_specs(names, work, tls=None):
    """Each server on its own port (PORT, PORT+1, ... in `names` order), so all can run at once."""
    specs = {}
    port_of = {name: PORT + index for index, name in enumerate(names)}
    sample = os.path.join(ROOT, ".build", "release", "HostctlSample")
    if "hostctl" in names or "hostctl-iouring" in names:
        subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    environment = {"HOSTCTL_ENVIRONMENT": "Production"}
    scheme = "https" if tls else "http"
    if tls:
        environment.update({"ASPNETCORE_Kestrel__Certificates__Default__Path": tls[0],
                            "ASPNETCORE_Kestrel__Certificates__Default__KeyPath": tls[1],
                            "ASPNETCORE_Kestrel__EndpointDefaults__SslProtocols": "Tls13"})
    if "hostctl" in names:
        specs["hostctl"] = common.Server("hostctl", [sample], port=port_of["hostctl"],
                                         env=dict(environment, HOSTCTL_URLS=f"{scheme}://127.0.0.1:{port_of['hostctl']}"))
    if "hostctl-iouring" in names:
        specs["hostctl-iouring"] = common.Server("hostctl-iouring", [sample], port=port_of["hostctl-iouring"],
                                                 env=dict(environment, HOSTCTL_SERVER="iouring",
                                                          HOSTCTL_URLS=f"{scheme}://127.0.0.1:{port_of['hostctl-iouring']}"))
    if "h2o" in names:
        if shutil.which("h2o"):
            docroot = os.path.join(work, "h2o-root")
            os.makedirs(docroot, exist_ok=True)
            # h2o started as root serves as nobody: the files must be readable to it.
            os.chmod(work, 0o755)
            with open(os.path.join(docroot, "plaintext"), "w") as f:
                f.write("Hello, World!")
            conf = os.path.join(work, "h2o.conf")
            with open(conf, "w") as f:
                f.write(f"""num-threads: 1
max-connections: 20000
listen:
  host: 127.0.0.1
  port: {port_of["h2o"]}
{f"  ssl: {{ certificate-file: {tls[0]}, key-file: {tls[1]}, minimum-version: TLSv1.3 }}" if tls else ""}
access-log: /dev/null
error-log: {work}/h2o-error.log
hosts:
  default:
    paths:
      /:
        file.dir: {docroot}
""")
            specs["h2o"] = common.Server("h2o", ["h2o", "-c", conf], port=port_of["h2o"])
        else:
            print("h2o is not installed: skipped", file=sys.stderr)
    if "nginx" in names:
        if shutil.which("nginx"):
            conf = os.path.join(work, "nginx.conf")
            with open(conf, "w") as f:
                f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/nginx-error.log; pid {work}/nginx.pid;
worker_rlimit_nofile 30000;
events {{ worker_connections 20000; }}
http {{ access_log off; keepalive_requests 100000000; keepalive_timeout 300s; http2_max_requests 100000000;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{port_of["nginx"]} {"ssl " if tls else ""}http2 reuseport backlog=4096;
    {f"ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]}; ssl_protocols TLSv1.3; ssl_session_tickets on;" if tls else ""}
    location /plaintext {{ default_type text/plain; return 200 "Hello, World!"; }} }} }}
""")
            specs["nginx"] = common.Server("nginx", ["nginx", "-p", work, "-c", conf], port=port_of["nginx"])
        else:
            print("nginx is not installed: skipped", file=sys.stderr)
    return specs


SCHEME = "http"


def h2load(port, connections, streams, requests):
    """One h2load run on CPU 1; returns (requests per second, requests succeeded)."""
    command = ["taskset", "-c", "1", "h2load", "-t1", f"-c{connections}", f"-m{streams}", f"-n{requests}",
               f"{SCHEME}://127.0.0.1:{port}/plaintext"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=600).stdout
    rate = re.search(r"finished in [0-9.]+\w+, ([0-9.]+) req/s", output)
    succeeded = re.search(r"requests: .* (\d+) succeeded", output)
    protocol = re.search(r"Application protocol: (\S+)", output)
    if not rate or not succeeded or not protocol or not protocol.group(1).startswith("h2"):
        sys.exit(f"h2load failed:\n{output}")
    return float(rate.group(1)), int(succeeded.group(1))


def measure_run(server, connections, streams, requests):
    before = common.cpu_seconds(server.pids)
    rate, succeeded = h2load(server.port, connections, streams, requests)
    cpu = common.cpu_seconds(server.pids) - before
    return {"rate": rate, "us_per_request": cpu * 1e6 / max(1, succeeded), "failed": requests - succeeded}


def measure_interleaved(servers, connections, streams, runs, requests):
    """h2load in bench/http.py's `rounds`; a ratio is the median of the per-round ratios."""
    runs_of = common.rounds(servers, runs, lambda server: h2load(server.port, connections, streams, 20000),
                            lambda server: measure_run(server, connections, streams, requests))
    return {name: {"rate": statistics.median(r["rate"] for r in rs), "rates": [r["rate"] for r in rs],
                   "us_per_request": statistics.median(r["us_per_request"] for r in rs),
                   "failed": sum(r["failed"] for r in rs)}
            for name, rs in runs_of.items()}


# An idle HTTP/2 client: the preface, empty SETTINGS, one GET /plaintext (HPACK: :method GET,
# :scheme http, :path and :authority as literals without indexing), its response read to
# END_STREAM, then silence.
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
BLOCK = bytes([0x82, 0x86, 0x04, 10]) + b"/plaintext" + bytes([0x01, 9]) + b"127.0.0.1"
REQUEST = len(BLOCK).to_bytes(3, "big") + bytes([1, 5, 0, 0, 0, 1]) + BLOCK


async def idle_connection(port, semaphore, writers):
    async with semaphore:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
            writers.append(writer)
            writer.write(PREFACE + REQUEST)
            while True:
                header = await asyncio.wait_for(reader.readexactly(9), 10)
                length, kind, flags = int.from_bytes(header[:3], "big"), header[3], header[4]
                stream = int.from_bytes(header[5:9], "big") & 0x7FFFFFFF
                await asyncio.wait_for(reader.readexactly(length), 10)
                if kind == 4 and not flags & 1:
                    writer.write(bytes([0, 0, 0, 4, 1, 0, 0, 0, 0]))  # SETTINGS ACK
                if stream == 1 and kind in (0, 1) and flags & 1:
                    return True
                if kind in (3, 7):
                    return False
        except Exception:  # noqa: BLE001 - any failure counts as a failed connection
            return False


async def hold_idle(port, count, opened, release):
    semaphore = asyncio.Semaphore(200)
    writers = []
    results = await asyncio.gather(*(idle_connection(port, semaphore, writers) for _ in range(count)))
    opened(sum(results))
    await release()
    for writer in writers:
        writer.close()


def measure_idle(server, count):
    time.sleep(2)
    before = common.rss_kb(server.pids)
    state = {}

    async def release():
        await asyncio.sleep(2)
        state["held"] = common.rss_kb(server.pids)

    asyncio.run(hold_idle(server.port, count, lambda ok: state.update(ok=ok), release))
    time.sleep(3)
    after = common.rss_kb(server.pids)
    return {"bytes_per_connection": (state["held"] - before) * 1024 / count, "after_kb": after - before, "ok": state["ok"]}


def report(results, tests):
    base = results.get("h2o", {})

    def ratio(name, test):
        reference, row = base.get(test), results[name].get(test)
        return f"{common.round_ratio(row, reference):.2f}×" if reference and row else "–"

    header = "| server |"
    rule = "|---|"
    for test in (t for t in tests if t in TESTS):
        header += f" {test} req/s | vs h2o | CPU µs/req |"
        rule += "---|---|---|"
    if "idle" in tests:
        header += " idle h2 conn bytes | RSS after close (KB over start) |"
        rule += "---|---|"
    lines = [header, rule]
    for name, row in results.items():
        cells = [name]
        for test in (t for t in tests if t in TESTS):
            result = row.get(test)
            cells += [f"{result['rate']:,.0f}", ratio(name, test), f"{result['us_per_request']:.2f}"] if result else ["–", "–", "–"]
        if "idle" in tests:
            idle = row.get("idle")
            cells += [f"{idle['bytes_per_connection']:,.0f}", f"{idle['after_kb']:,}"] if idle else ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    # Runs of 1-2.5 s on our servers and h2o: runs of ~0.5 s (200,000) scattered by 10-20 %
    # on this machine (bench/RESULTS.md, stop 24).
    parser.add_argument("--requests", type=int, default=1000000)
    parser.add_argument("--servers", default="hostctl,hostctl-iouring,h2o,nginx")
    parser.add_argument("--tests", default="c16m32,c1m100,idle")
    parser.add_argument("--idle", type=int, default=5000)
    parser.add_argument("--tls", action="store_true", help="h2 over TLS 1.3 by ALPN instead of h2c")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    global SCHEME
    if not shutil.which("h2load"):
        sys.exit("h2load is not installed (Debian's nghttp2-client)")
    common.raise_fd_limit()
    work = tempfile.mkdtemp(prefix="hostctl-h2-bench-")
    tests = args.tests.split(",")
    tls = None
    if args.tls:
        SCHEME = "https"
        tests = [t for t in tests if t != "idle"]
        tls = make_certificate(work)
    try:
        specs = server_specs(args.servers.split(","), work, tls)
        results = {name: {} for name in specs}
        with contextlib.ExitStack() as stack:
            servers = [stack.enter_context(server) for server in specs.values()]
            print(f"== {', '.join(specs)}, each on its own port, runs interleaved", file=sys.stderr)
            for test in tests:
                if test in TESTS:
                    connections, streams = TESTS[test]
                    for name, row in measure_interleaved(servers, connections, streams, args.runs, args.requests).items():
                        results[name][test] = row
            if "idle" in tests:
                for server in servers:
                    results[server.name]["idle"] = measure_idle(server, args.idle)
        for name, row in results.items():
            print(f"   {name}: {row}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = report(results, tests)
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
