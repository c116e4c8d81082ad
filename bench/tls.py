#!/usr/bin/env python3
"""HTTPS: hostctl's two servers beside nginx, in one run, on the same certificate.

Usage: bench/tls.py [--runs 3] [--duration 10] [--servers hostctl,hostctl-iouring,nginx]
                    [--tests handshakes,plain,large,idle] [--idle 2000] [--markdown FILE]

Every server serves TLS 1.3 only, groups X25519 and P-256, with one ECDSA P-256 certificate
made for the run (`openssl req`; the developer certificate's kind): nginx with 1 worker
(`ssl_protocols TLSv1.3`, session tickets on, the same files), and the bundled sample
(release) on the event-loop and the io_uring server, its certificate given as Kestrel's
`Certificates:Default` and `EndpointDefaults:SslProtocols=Tls13`.

handshakes  full handshakes per second: `openssl s_time -new` (a new connection and a full
            handshake per request, no resumption) fetching /plaintext for --duration
            seconds, and the server's CPU µs per handshake. s_time is one client thread, so
            the rate is bounded by the client too; the CPU figure is the server's own.
plain       keep-alive HTTPS /plaintext: wrk, 64 connections, req/s and server CPU µs/request.
large       one 1 MiB static file, one connection at a time (wrk -c1): MiB/s, and server
            CPU ms per MiB. Over TLS nothing is zero-copy (no kTLS here): nginx's
            `sendfile on` falls back to reading, as hostctl's copy path does.
idle        memory per idle TLS connection (--idle connections, handshake and one request
            done, then silent): the server's RSS growth per connection, beside nginx's.

Pinning, warm-up, rounds and medians are bench/http.py's: each server on CPU 0, the client
on CPU 1; the servers run at once on their own ports (PORT, +1, +2), a 3 s warm-up each, then
--runs rounds of one run against each in rotating order. A ratio against nginx is the median
of the per-round ratios: this machine is shared and noisy, and a slow spell then weighs on
every server alike.
"""
import argparse
import contextlib
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
_spec = importlib.util.spec_from_file_location("bench_http", os.path.join(BENCH, "http.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ROOT = bench.ROOT
PORT = bench.PORT
SAMPLE = os.path.join(ROOT, ".build", "release", "HostctlSample")
LARGE = ("1m.bin", 1 << 20)


def make_certificate(work):
    """One ECDSA P-256 certificate for localhost, for every server."""
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def make_webroot(work):
    root = os.path.join(work, "www")
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, LARGE[0]), "wb") as f:
        f.write(os.urandom(LARGE[1]))
    return root


def sample(name, cert, key, webroot, server="eventloop", port=PORT):
    env = {"HOSTCTL_URLS": f"https://127.0.0.1:{port}", "HOSTCTL_ENVIRONMENT": "Production", "HOSTCTL_SERVER": server}
    return bench.Server(name, [SAMPLE, "--webroot", webroot, f"--Kestrel:Certificates:Default:Path={cert}",
                               f"--Kestrel:Certificates:Default:KeyPath={key}", "--Kestrel:EndpointDefaults:SslProtocols=Tls13"],
                        env=env, port=port)


def nginx(work, cert, key, webroot, port=PORT):
    conf = os.path.join(work, "nginx-tls.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/nginx-error.log; pid {work}/nginx.pid;
events {{ worker_connections 20000; }}
http {{ access_log off; keepalive_requests 1000000; keepalive_timeout 300s; sendfile on; tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  ssl_certificate {cert}; ssl_certificate_key {key}; ssl_protocols TLSv1.3; ssl_ecdh_curve X25519:prime256v1;
  ssl_session_tickets on; ssl_session_cache shared:SSL:10m;
  server {{ listen 127.0.0.1:{port} ssl reuseport backlog=4096; root {webroot};
    location = /plaintext {{ default_type text/plain; return 200 "Hello, World!"; }} }} }}
""")
    return bench.Server("nginx", ["nginx", "-p", work, "-c", conf], port=port)


def check(port, path, expected):
    """One request with curl over TLS 1.3 only before measuring: the right status and size, or stop."""
    out = subprocess.run(["curl", "-sk", "--tlsv1.3", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                          f"https://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    if out != f"200 {expected}":
        sys.exit(f"{path}: expected 200 and {expected} bytes over TLS 1.3, got '{out}'")


def wrk(port, duration, connections, path):
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
               "-s", os.path.join(BENCH, "wrk", "report.lua"), f"https://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", output)
    if not match:
        sys.exit(f"wrk printed no result:\n{output}")
    return {key: int(value) for key, value in (item.split("=") for item in match.group(1).split())}


def wrk_run(server, duration, connections, path):
    before = bench.cpu_seconds(server.pids)
    result = wrk(server.port, duration, connections, path)
    result["cpu"] = bench.cpu_seconds(server.pids) - before
    return {"rate": result["requests"] / (result["duration_us"] / 1e6), "cpu_per": result["cpu"] * 1e6 / max(result["requests"], 1),
            "errors": result["errors"]}


def s_time(port, duration):
    command = ["taskset", "-c", "1", "openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-tls1_3",
               "-time", str(duration), "-www", "/plaintext"]
    output = subprocess.run(command, capture_output=True, text=True).stdout
    match = re.search(r"(\d+) connections in (\d+) real seconds", output)
    if not match:
        sys.exit(f"openssl s_time printed no result:\n{output}")
    return int(match.group(1)), int(match.group(2))


def handshake_run(server, duration):
    before = bench.cpu_seconds(server.pids)
    count, seconds = s_time(server.port, duration)
    cpu = bench.cpu_seconds(server.pids) - before
    return {"rate": count / max(seconds, 1), "cpu_per": cpu * 1e6 / max(count, 1), "errors": 0}


def interleaved(servers, runs, warm_up, run):
    """bench/http.py's `rounds`. Per server: the median rate, CPU per item and the
    per-round rates (for ratios: the median of per-round ratios)."""
    runs_of = bench.rounds(servers, runs, warm_up, run)
    return {name: {"rate": statistics.median(r["rate"] for r in rs), "rates": [r["rate"] for r in rs],
                   "cpu_per": statistics.median(r["cpu_per"] for r in rs), "errors": sum(r["errors"] for r in rs)}
            for name, rs in runs_of.items()}


def measure_idle(server, count, work):
    ready = os.path.join(work, f"ready-{server.name}")
    time.sleep(2)
    before = bench.rss_kb(server.pids)
    client = subprocess.Popen(["taskset", "-c", "1", sys.executable, os.path.join(BENCH, "idle_conns.py"), str(server.port),
                               str(count), "--ready", ready, "--tls"])
    deadline = time.time() + 300
    while not os.path.exists(ready) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # a heartbeat or two: idle connections give their buffers back
    held = bench.rss_kb(server.pids)
    with open(ready) as f:
        status = f.read().strip()
    client.send_signal(signal.SIGTERM)
    client.wait()
    return {"bytes_per_connection": (held - before) * 1024 / count, "status": status}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--servers", default="hostctl,hostctl-iouring,nginx")
    parser.add_argument("--tests", default="handshakes,plain,large,idle")
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    bench.raise_fd_limit()
    names = args.servers.split(",")
    tests = args.tests.split(",")
    if any(name.startswith("hostctl") for name in names):
        subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="hostctl-bench-tls-")
    cert, key = make_certificate(work)
    webroot = make_webroot(work)
    specs = {}
    if "hostctl" in names:
        specs["hostctl"] = sample("hostctl", cert, key, webroot, port=PORT)
    if "hostctl-iouring" in names:
        specs["hostctl-iouring"] = sample("hostctl-iouring", cert, key, webroot, "iouring", port=PORT + 1)
    if "nginx" in names and shutil.which("nginx"):
        specs["nginx"] = nginx(work, cert, key, webroot, port=PORT + 2)
    results = {name: {} for name in specs}
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(server) for server in specs.values()]
        print(f"== {', '.join(specs)}, each on its own port, runs interleaved", file=sys.stderr)
        for server in servers:
            check(server.port, "/plaintext", 13)
            check(server.port, "/" + LARGE[0], LARGE[1])
        measured = []
        if "handshakes" in tests:
            measured.append(("handshakes", interleaved(servers, args.runs, lambda server: s_time(server.port, 3),
                                                       lambda server: handshake_run(server, args.duration))))
        if "plain" in tests:
            measured.append(("plain", interleaved(servers, args.runs, lambda server: wrk(server.port, 3, 64, "/plaintext"),
                                                  lambda server: wrk_run(server, args.duration, 64, "/plaintext"))))
        if "large" in tests:
            path = "/" + LARGE[0]
            measured.append(("large", interleaved(servers, args.runs, lambda server: wrk(server.port, 3, 1, path),
                                                  lambda server: wrk_run(server, args.duration, 1, path))))
        for test, rows in measured:
            for name, row in rows.items():
                results[name][test] = row
        if "idle" in tests:
            for server in servers:
                results[server.name]["idle"] = measure_idle(server, args.idle, work)
    for name, row in results.items():
        print(f"   {name}: {row}", file=sys.stderr)
    lines = report(results)
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    shutil.rmtree(work, ignore_errors=True)


def report(results):
    nginx_row = results.get("nginx", {})

    def ratio(name, test, key):
        base, row = nginx_row.get(test), results[name].get(test)
        return f"{bench.round_ratio(row, base):.2f}×" if base and row else "–"

    lines = ["| server | full handshakes/s | vs nginx | CPU µs/handshake | keep-alive req/s | vs nginx | CPU µs/req "
             "| 1 MiB: MiB/s | vs nginx | CPU ms/MiB | idle TLS conn bytes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, row in results.items():
        shake, plain, large, idle = (row.get(k, {}) for k in ("handshakes", "plain", "large", "idle"))
        lines.append("| " + " | ".join([
            name,
            f"{shake['rate']:,.0f}" if shake else "–", ratio(name, "handshakes", "rate"),
            f"{shake['cpu_per']:.0f}" if shake else "–",
            f"{plain['rate']:,.0f}" if plain else "–", ratio(name, "plain", "rate"),
            f"{plain['cpu_per']:.1f}" if plain else "–",
            f"{large['rate']:,.0f}" if large else "–", ratio(name, "large", "rate"),
            f"{large['cpu_per'] / 1000:.2f}" if large else "–",
            f"{idle['bytes_per_connection']:,.0f} ({idle['status']})" if idle else "–",
        ]) + " |")
    return lines


if __name__ == "__main__":
    main()
