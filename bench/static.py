#!/usr/bin/env python3
"""Static files and request logging: hostctl's two servers beside nginx, in one run.

Usage: bench/static.py [--runs 3] [--duration 10] [--servers hostctl,hostctl-iouring,nginx]
                       [--tests files,logging] [--markdown FILE]

files    the same two files, 4 KiB and 1 MiB, from every server: nginx with 1 worker and
         `sendfile on` (plus `tcp_nopush`, as nginx's docs pair them), and the bundled sample
         (`app.useStaticFiles()`, web root given by `--webroot`) on the event-loop and the
         io_uring server. wrk: 64 keep-alive connections, one request at a time.
logging  `/plaintext` on the sample with request logging off (the sample's default: it
         keeps `Microsoft.AspNetCore` at Warning) and on (`--Logging:LogLevel:Microsoft.
         AspNetCore.HttpLogging.HttpLoggingMiddleware=Information`: one line per request,
         written by the console's own thread to the server's stdout, a file here).

Pinning, warm-up, medians and the CPU-per-request figure are bench/http.py's: each server
on CPU 0, wrk on CPU 1, a 3 s warm-up, then the median of --runs runs of --duration
seconds. Ratios against nginx (files) and logging off (logging) are from the same run:
this machine is shared and noisy, so only ratios within one run mean anything. Logging
off and on alternate run by run (--runs pairs), and the cost is the median of the pairs'.
"""
import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bench_http", os.path.join(BENCH, "http.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ROOT = bench.ROOT
PORT = bench.PORT
SAMPLE = os.path.join(ROOT, ".build", "release", "HostctlSample")
FILES = {"4 KiB": ("4k.bin", 4096), "1 MiB": ("1m.bin", 1 << 20)}
LOGGING_ON = "--Logging:LogLevel:Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware=Information"


def make_webroot(work):
    root = os.path.join(work, "www")
    os.makedirs(root, exist_ok=True)
    for name, size in FILES.values():
        with open(os.path.join(root, name), "wb") as f:
            f.write(os.urandom(size))
    return root


def sample(name, webroot, server="eventloop", arguments=()):
    env = {"HOSTCTL_URLS": f"http://127.0.0.1:{PORT}", "HOSTCTL_ENVIRONMENT": "Production", "HOSTCTL_SERVER": server}
    return bench.Server(name, [SAMPLE, "--webroot", webroot, *arguments], env=env)


def nginx(work, webroot):
    conf = os.path.join(work, "nginx-static.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/nginx-error.log; pid {work}/nginx.pid;
events {{ worker_connections 20000; }}
http {{ access_log off; keepalive_requests 1000000; keepalive_timeout 300s; sendfile on; tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{PORT} reuseport backlog=4096; root {webroot}; }} }}
""")
    return bench.Server("nginx", ["nginx", "-p", work, "-c", conf])


def measure_logging(name, server, webroot, runs, duration):
    """Logging off and on, alternated run by run (a fresh server each, warmed up): the
    machine's drift, which moves one server's rate by 15 % between runs a minute apart,
    then falls on both sides of each pair. The cost is the median of the pairs' costs."""
    pairs = []
    for run in range(runs):
        pair = {}
        for mode, arguments in [("off", ()), ("on", (LOGGING_ON,))]:
            print(f"== {name}: plaintext, request logging {mode}, run {run + 1} of {runs}", file=sys.stderr)
            with sample(name, webroot, server, arguments) as running:
                pair[mode] = bench.measure_throughput(running, 1, 1, duration, "/plaintext")
                if mode == "on":
                    running.log.seek(0)
                    if b"HttpLoggingMiddleware[1]" not in running.log.read():
                        sys.exit(f"{name}: request logging was on, but no request line was written")
        pairs.append(pair)
    median = statistics.median
    return {
        mode: {"rate": median(p[mode]["rate"] for p in pairs), "us_per_request": median(p[mode]["us_per_request"] for p in pairs),
               "user_us_per_request": median(p[mode]["user_us_per_request"] for p in pairs)}
        for mode in ("off", "on")
    } | {"cost": median(1 - p["on"]["rate"] / p["off"]["rate"] for p in pairs),
         "costs": [round((1 - p["on"]["rate"] / p["off"]["rate"]) * 100, 1) for p in pairs]}


def check_bytes(path, expected_size):
    """One request with curl before measuring: the right status and size, or stop."""
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                          f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True).stdout
    if out != f"200 {expected_size}":
        sys.exit(f"{path}: expected 200 and {expected_size} bytes, got '{out}'")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--servers", default="hostctl,hostctl-iouring,nginx")
    parser.add_argument("--tests", default="files,logging")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()
    bench.raise_fd_limit()
    names = args.servers.split(",")
    tests = args.tests.split(",")
    if any(name.startswith("hostctl") for name in names):
        subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="hostctl-bench-static-")
    webroot = make_webroot(work)
    files, logging = {}, {}
    try:
        if "files" in tests:
            servers = {"hostctl": sample("hostctl", webroot), "hostctl-iouring": sample("hostctl-iouring", webroot, "iouring")}
            if shutil.which("nginx"):
                servers["nginx"] = nginx(work, webroot)
            for name in names:
                if name not in servers:
                    print(f"== {name}: not available, skipped", file=sys.stderr)
                    continue
                print(f"== {name}: files", file=sys.stderr)
                with servers[name] as server:
                    row = {}
                    for label, (file, size) in FILES.items():
                        check_bytes("/" + file, size)
                        row[label] = bench.measure_throughput(server, 1, args.runs, args.duration, "/" + file)
                    files[name] = row
                    print(f"   {row}", file=sys.stderr)
        if "logging" in tests:
            for name, server in [("hostctl", "eventloop"), ("hostctl-iouring", "iouring")]:
                if name not in names:
                    continue
                logging[name] = measure_logging(name, server, webroot, args.runs, args.duration)
                print(f"   {logging[name]}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = report(files, logging)
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


def report(files, logging):
    lines = []
    if files:
        nginx_row = files.get("nginx", {})
        def ratio(name, label):
            base = nginx_row.get(label, {}).get("rate")
            return f"{files[name][label]['rate'] / base:.2f}×" if base else "–"
        lines += ["| server | 4 KiB req/s | vs nginx | CPU µs/req | 1 MiB req/s | vs nginx | CPU µs/req |",
                  "|---|---|---|---|---|---|---|"]
        for name, row in files.items():
            small, large = row["4 KiB"], row["1 MiB"]
            lines.append(f"| {name} | {small['rate']:,.0f} | {ratio(name, '4 KiB')} | {small['us_per_request']:.1f} "
                         f"| {large['rate']:,.0f} | {ratio(name, '1 MiB')} | {large['us_per_request']:.1f} |")
    if logging:
        lines += ["", "| server | plaintext, logging off req/s | logging on req/s | cost (median of pairs) | each pair | CPU µs/req off → on | of it user space |",
                  "|---|---|---|---|---|---|---|"]
        for name, row in logging.items():
            off, on = row["off"], row["on"]
            lines.append(f"| {name} | {off['rate']:,.0f} | {on['rate']:,.0f} | {row['cost'] * 100:.1f} % "
                         f"| {', '.join(f'{c} %' for c in row['costs'])} "
                         f"| {off['us_per_request']:.1f} → {on['us_per_request']:.1f} "
                         f"| {off['user_us_per_request']:.2f} → {on['user_us_per_request']:.2f} |")
    return lines


if __name__ == "__main__":
    main()
