#!/usr/bin/env python3
"""Static files and request logging: hostctl's two servers beside nginx, in one run.

Usage: bench/static.py [--runs 3] [--duration 10] [--servers hostctl,hostctl-iouring,nginx,nginx-nopush-off]
                       (also: hostctl-no-file-cache, nginx-file-cache)
                       [--tests files,logging] [--markdown FILE]

files    the same two files, 4 KiB and 1 MiB, from every server: nginx with 1 worker and
         `sendfile on` (plus `tcp_nopush`, as nginx's docs pair them; `nginx-nopush-off`
         is the same nginx without it, nginx's default, which loopback favours for large
         files), and the bundled sample (`app.useStaticFiles()`, web root given by
         `--webroot`) on the event-loop and the io_uring server. wrk: 64 keep-alive
         connections, one request at a time. Ratios are against `nginx`. Two more on request:
         `hostctl-no-file-cache` (the event loop without the small-file cache, which
         opens each file per request as nginx does) and `nginx-file-cache` (nginx with
         `open_file_cache`, which keeps descriptors and stat results, not contents, and
         trusts them for `open_file_cache_valid`, 60 s here, without looking at the disk).
logging  `/plaintext` on the sample with request logging off (the sample's default: it
         keeps `Microsoft.AspNetCore` at Warning) and on (`--Logging:LogLevel:Microsoft.
         AspNetCore.HttpLogging.HttpLoggingMiddleware=Information`: one line per request,
         written by the console's own thread to the server's stdout, a file here).

Pinning, warm-up, rounds, medians and the CPU-per-request figure are bench/http.py's: each
server on CPU 0, wrk on CPU 1; the servers compared run at once on their own ports, a 3 s
warm-up each, then --runs rounds of one --duration-second run against each, in rotating
order. A ratio against nginx (files), and the cost of logging on against off (logging), is
the median of the per-round ratios: this machine is shared and noisy, and a slow spell then
weighs on both sides.
"""
import argparse
import contextlib
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


def sample(name, webroot, server="eventloop", arguments=(), port=PORT, file_cache=True):
    env = {"HOSTCTL_URLS": f"http://127.0.0.1:{port}", "HOSTCTL_ENVIRONMENT": "Production", "HOSTCTL_SERVER": server}
    if not file_cache:
        env["SAMPLE_FILE_CACHE"] = "off"
    return bench.Server(name, [SAMPLE, "--webroot", webroot, *arguments], env=env, port=port)


def nginx(work, webroot, port=PORT, nopush=True, file_cache=False):
    name = "nginx-file-cache" if file_cache else "nginx" if nopush else "nginx-nopush-off"
    # nginx's open_file_cache keeps descriptors and stat results (not contents), trusted for
    # open_file_cache_valid seconds without looking at the disk.
    cache = "open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;" if file_cache else ""
    conf = os.path.join(work, f"{name}.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/{name}-error.log; pid {work}/{name}.pid;
events {{ worker_connections 20000; }}
http {{ access_log off; keepalive_requests 1000000; keepalive_timeout 300s; sendfile on; tcp_nopush {"on" if nopush else "off"}; {cache}
  default_type application/octet-stream;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{port} reuseport backlog=4096; root {webroot}; }} }}
""")
    return bench.Server(name, ["nginx", "-p", work, "-c", conf], port=port)


def measure_logging(name, server, webroot, runs, duration):
    """Logging off and on: two servers at once, on their own ports, measured in rotating
    rounds (bench/http.py's `measure_interleaved`): the machine's drift, which moves one
    server's rate by 15 % between runs a minute apart, then falls on both. The cost is the
    median of the rounds' costs."""
    print(f"== {name}: plaintext, request logging off and on, {runs} rounds", file=sys.stderr)
    with sample(f"{name} off", webroot, server, port=PORT) as off, \
         sample(f"{name} on", webroot, server, (LOGGING_ON,), port=PORT + 1) as on:
        rows = bench.measure_interleaved([off, on], 1, runs, duration, "/plaintext")
        on.log.seek(0)
        if b"HttpLoggingMiddleware[1]" not in on.log.read():
            sys.exit(f"{name}: request logging was on, but no request line was written")
    off_row, on_row = rows[off.name], rows[on.name]
    costs = [1 - a / b for a, b in zip(on_row["rates"], off_row["rates"])]
    return {"off": off_row, "on": on_row, "cost": statistics.median(costs), "costs": [round(c * 100, 1) for c in costs]}


def check_bytes(port, path, expected_size):
    """One request with curl before measuring: the right status and size, or stop."""
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    if out != f"200 {expected_size}":
        sys.exit(f"{path}: expected 200 and {expected_size} bytes, got '{out}'")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--servers", default="hostctl,hostctl-iouring,nginx,nginx-nopush-off")
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
            servers = {"hostctl": sample("hostctl", webroot, port=PORT),
                       "hostctl-iouring": sample("hostctl-iouring", webroot, "iouring", port=PORT + 1)}
            if shutil.which("nginx"):
                servers["nginx"] = nginx(work, webroot, port=PORT + 2)
                servers["nginx-nopush-off"] = nginx(work, webroot, port=PORT + 3, nopush=False)
                servers["nginx-file-cache"] = nginx(work, webroot, port=PORT + 4, file_cache=True)
            servers["hostctl-no-file-cache"] = sample("hostctl-no-file-cache", webroot, port=PORT + 5, file_cache=False)
            for name in names:
                if name not in servers:
                    print(f"== {name}: not available, skipped", file=sys.stderr)
            chosen = [servers[name] for name in names if name in servers]
            with contextlib.ExitStack() as stack:
                running = [stack.enter_context(server) for server in chosen]
                for label, (file, size) in FILES.items():
                    print(f"== {label}: {', '.join(server.name for server in running)}, interleaved", file=sys.stderr)
                    for server in running:
                        check_bytes(server.port, "/" + file, size)
                    for name, row in bench.measure_interleaved(running, 1, args.runs, args.duration, "/" + file).items():
                        files.setdefault(name, {})[label] = row
            print(f"   {files}", file=sys.stderr)
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
            base = nginx_row.get(label)
            return f"{bench.round_ratio(files[name][label], base):.2f}×" if base else "–"
        lines += ["| server | 4 KiB req/s | vs nginx | CPU µs/req | 1 MiB req/s | vs nginx | CPU µs/req |",
                  "|---|---|---|---|---|---|---|"]
        for name, row in files.items():
            small, large = row["4 KiB"], row["1 MiB"]
            lines.append(f"| {name} | {small['rate']:,.0f} | {ratio(name, '4 KiB')} | {small['us_per_request']:.1f} "
                         f"| {large['rate']:,.0f} | {ratio(name, '1 MiB')} | {large['us_per_request']:.1f} |")
    if logging:
        lines += ["", "| server | plaintext, logging off req/s | logging on req/s | cost (median of rounds) | each round | CPU µs/req off → on | of it user space |",
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
