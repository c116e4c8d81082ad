#!/usr/bin/env python3
"""Proxied hosting: the sample app served directly, through hostctl's front, and through
nginx as a reverse proxy, in one run; then the front's cold start and crash recovery.

Usage: bench/proxy.py [--runs 3] [--duration 10] [--setups direct,front,nginx] [--recoveries 5]
                      [--websocket-connections 64]

Throughput: wrk (64 keep-alive connections, `/plaintext`, depth 1) pinned to CPU 1; the
proxy and the app both pinned to CPU 0, so each setup gets the same one CPU and the cost of
the extra hop shows as a lower rate. The three setups run at once, each on its own port, and are
measured in rounds (one run of each per round, the order rotating, as bench/http.py does), so a
slow spell of this shared machine falls on all of them; a ratio is the median of the per-round
ratios. 3 s warm-up each first.
  direct  the sample on the event-loop server (the in-process model)
  front   `hostctl proxy --urls … -- HostctlSample`: the front, with the app started by it
  nginx   Debian's nginx, 1 worker, `proxy_pass` to the sample with `keepalive 64` upstream
          connections and HTTP/1.1 (nginx's recommended reverse-proxy set-up)
WebSocket echo: bench/ws-echo (an epoll echo app and a load client in C, built here) with
64 connections, each sending a 32-byte message and waiting for its echo before the next,
messages per second over --duration s (medians of --runs), the app alone vs behind
`hostctl proxy -- ws_echo_bench server` (a foreign app: its port from PORT, ready when it
accepts) and behind nginx (`proxy_pass` with the Upgrade/Connection set-up nginx documents);
the client on CPU 1, the app and the proxy on CPU 0.
Cold start: time from a fresh front (app not yet started) to the first response.
Crash recovery: time from SIGKILL of the app to the next 200 through the front, with a
client retrying every 5 ms.
"""
import argparse
import contextlib
import importlib.util
import os
import shutil
import signal
import socket
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
PORT = bench.PORT            # what wrk talks to (direct; the front's cold start and recovery)
APP_PORT = PORT + 1          # the app behind nginx
FRONT_PORT = PORT + 2        # the front, in the throughput rounds
NGINX_PORT = PORT + 3        # nginx, in the throughput rounds
SAMPLE = os.path.join(ROOT, ".build", "release", "HostctlSample")
HOSTCTL = os.path.join(ROOT, ".build", "release", "hostctl")
QUIET_ENV = {"HOSTCTL_ENVIRONMENT": "Production"}


def build():
    for product in ["HostctlSample", "hostctl"]:
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)


def get(port, path="/plaintext", timeout=5.0):
    """One request on a new connection; returns the status code (0 when nothing answered)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as client:
            client.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n" not in data:
                chunk = client.recv(4096)
                if not chunk:
                    break
                data += chunk
            return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    except OSError:
        return 0


def front_command(port=PORT):
    return [HOSTCTL, "proxy", "--urls", f"http://127.0.0.1:{port}", "--", SAMPLE]


def setups(names, work):
    specs = {}
    if "direct" in names:
        specs["direct"] = [bench.Server("direct", [SAMPLE], env=dict(QUIET_ENV, HOSTCTL_URLS=f"http://127.0.0.1:{PORT}"))]
    if "front" in names:
        specs["front"] = [bench.Server("front", front_command(FRONT_PORT), env=QUIET_ENV, port=FRONT_PORT)]
    if "nginx" in names:
        conf = os.path.join(work, "nginx-proxy.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/nginx-error.log; pid {work}/nginx.pid;
events {{ worker_connections 20000; }}
http {{ access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  upstream app {{ server 127.0.0.1:{APP_PORT}; keepalive 64; keepalive_requests 1000000; }}
  server {{ listen 127.0.0.1:{NGINX_PORT} reuseport backlog=4096;
    location / {{ proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme; }} }} }}
""")
        app = bench.Server("nginx-app", [SAMPLE], env=dict(QUIET_ENV, HOSTCTL_URLS=f"http://127.0.0.1:{APP_PORT}"), port=APP_PORT)
        specs["nginx"] = [app, bench.Server("nginx", ["nginx", "-p", work, "-c", conf], port=NGINX_PORT)]
    return specs


class Started:
    """Starts the servers of one setup (pinned to CPU 0), the app first; wrk talks to the
    last one's port."""

    def __init__(self, name, servers):
        self.name, self.servers = name, servers
        self.port = servers[-1].port
        self.entered = []

    def __enter__(self):
        for server in self.servers:
            server.__enter__()  # waits for the server's own port
            self.entered.append(server)
        # The front starts its app on the first request: make it, then count the app's CPU too.
        if get(self.port) != 200:
            sys.exit("the setup does not answer 200")
        time.sleep(0.5)
        self.pids = [pid for server in self.servers for pid in bench.process_tree(server.process.pid)]
        return self

    def __exit__(self, *exc):
        for server in reversed(self.entered):
            server.__exit__(*exc)


def measure(started, runs, duration):
    """The setups' throughput, in rounds (`bench.rounds`), each setup's runs summarized."""
    runs_of = bench.rounds(started, runs, lambda setup: bench.wrk(setup.port, 3, 1),
                           lambda setup: bench.measure_run(setup, 1, duration))
    return {name: bench.summarize(results) for name, results in runs_of.items()}


def cold_starts(count):
    times = []
    for _ in range(count):
        front = subprocess.Popen(["taskset", "-c", "0"] + front_command(), env=dict(os.environ, **QUIET_ENV),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bench.wait_for_port(PORT, front)
            began = time.perf_counter()
            status = get(PORT, timeout=30)
            elapsed = time.perf_counter() - began
            if status != 200:
                sys.exit(f"cold start answered {status}")
            times.append(elapsed * 1000)
        finally:
            front.send_signal(signal.SIGTERM)
            front.wait(timeout=30)
    return times


def crash_recoveries(count):
    times = []
    front = subprocess.Popen(["taskset", "-c", "0"] + front_command(), env=dict(os.environ, **QUIET_ENV),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench.wait_for_port(PORT, front)
        for _ in range(count):
            if get(PORT) != 200:
                sys.exit("the front does not answer 200 before the crash")
            apps = [pid for pid in bench.process_tree(front.pid) if pid != front.pid]
            if not apps:
                sys.exit("no app process under the front")
            began = time.perf_counter()
            for pid in apps:
                os.kill(pid, signal.SIGKILL)
            deadline = began + 30
            while get(PORT, timeout=5) != 200:
                if time.perf_counter() > deadline:
                    sys.exit("no 200 within 30 s of the crash")
                time.sleep(0.005)
            times.append((time.perf_counter() - began) * 1000)
            time.sleep(1)  # crashes a second apart: well inside 10 rapid failures a minute
    finally:
        front.send_signal(signal.SIGTERM)
        front.wait(timeout=30)
    return times


def build_ws_echo(work):
    binary = os.path.join(work, "ws_echo_bench")
    subprocess.run(["cc", "-O2", os.path.join(BENCH, "ws-echo", "ws_echo_bench.c"), "-o", binary, "-lcrypto"], check=True)
    return binary


def ws_client(connections, seconds):
    command = ["taskset", "-c", "1", WS_ECHO, "client", str(PORT), str(connections), str(seconds)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        sys.exit(f"the WebSocket client failed: {result.stdout}{result.stderr}")
    return float(result.stdout.split()[0])


def nginx_websocket_conf(work):
    """nginx proxying WebSockets to the echo app at APP_PORT (its documented set-up)."""
    conf = os.path.join(work, "nginx-ws.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/nginx-ws-error.log; pid {work}/nginx-ws.pid;
events {{ worker_connections 20000; }}
http {{ access_log off; client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work};
  uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{PORT} reuseport backlog=4096;
    location / {{ proxy_pass http://127.0.0.1:{APP_PORT}; proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";
      proxy_read_timeout 300s; proxy_send_timeout 300s; }} }} }}
""")
    return conf


def websocket_echo(connections, runs, duration, work):
    """Messages per second: the echo app alone, behind the front, and behind nginx (the
    app and the proxy pinned to CPU 0 together, the client to CPU 1)."""
    rates = {}
    setups = [
        ("direct", [([WS_ECHO, "server"], {"PORT": str(PORT)})]),
        ("front", [([HOSTCTL, "proxy", "--urls", f"http://127.0.0.1:{PORT}", "--", WS_ECHO, "server"], {})]),
    ]
    if shutil.which("nginx"):
        setups.append(("nginx", [([WS_ECHO, "server"], {"PORT": str(APP_PORT)}),
                                 (["nginx", "-p", work, "-c", nginx_websocket_conf(work)], {})]))
    else:
        print("   websocket nginx: skipped (nginx is not installed)", file=sys.stderr)
    for name, commands in setups:
        processes = []
        try:
            for command, variables in commands:
                processes.append(subprocess.Popen(["taskset", "-c", "0"] + command, env=dict(os.environ, **QUIET_ENV, **variables),
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                bench.wait_for_port(int(variables.get("PORT", PORT)), processes[-1])
            ws_client(1, 1)  # behind the front: starts the app
            rates[name] = statistics.median(ws_client(connections, duration) for _ in range(runs))
        finally:
            for process in reversed(processes):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        print(f"   websocket {name}: {rates[name]:,.0f} messages/s", file=sys.stderr)
    return rates


WS_ECHO = None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--setups", default="direct,front,nginx")
    parser.add_argument("--recoveries", type=int, default=5)
    parser.add_argument("--websocket-connections", type=int, default=64, help="0: no WebSocket test")
    args = parser.parse_args()
    bench.raise_fd_limit()
    build()
    work = tempfile.mkdtemp(prefix="hostctl-proxy-bench-")
    global WS_ECHO
    WS_ECHO = build_ws_echo(work)
    chosen = setups(args.setups.split(","), work)
    print(f"== {', '.join(chosen)}, each on its own port, runs interleaved", file=sys.stderr)
    with contextlib.ExitStack() as stack:
        started = [stack.enter_context(Started(name, servers)) for name, servers in chosen.items()]
        results = measure(started, args.runs, args.duration)
    for name, r in results.items():
        print(f"   {name}: {r}", file=sys.stderr)
    lines = ["| setup | req/s | vs nginx proxy | vs direct | CPU µs/req (proxy + app) | p99 ms |", "|---|---|---|---|---|---|"]
    nginx, direct = results.get("nginx"), results.get("direct")
    for name, r in results.items():
        lines.append(f"| {name} | {r['rate']:,.0f} | {bench.round_ratio(r, nginx):.2f}× | {bench.round_ratio(r, direct):.2f}× | {r['us_per_request']:.1f} | {r['p99_ms']:.2f} |"
                     if nginx and direct else f"| {name} | {r['rate']:,.0f} | – | – | {r['us_per_request']:.1f} | {r['p99_ms']:.2f} |")
    if args.websocket_connections:
        ws = websocket_echo(args.websocket_connections, args.runs, args.duration, work)
        lines += ["", f"| WebSocket echo, {args.websocket_connections} connections | messages/s | vs direct |", "|---|---|---|"]
        lines += [f"| {name} | {rate:,.0f} | {rate / ws['direct']:.2f}× |" for name, rate in ws.items()]
    if args.recoveries:
        cold = cold_starts(args.recoveries)
        crash = crash_recoveries(args.recoveries)
        lines += ["", "| front | median ms | min | max |", "|---|---|---|---|",
                  f"| cold start: first request → response | {statistics.median(cold):.1f} | {min(cold):.1f} | {max(cold):.1f} |",
                  f"| kill -9 of the app → next 200 | {statistics.median(crash):.1f} | {min(crash):.1f} | {max(crash):.1f} |"]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
