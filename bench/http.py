#!/usr/bin/env python3
"""HTTP/1.1 benchmark of hostctl's servers beside nginx, h2o and Hummingbird, in one run.

Usage: bench/http.py [--runs 3] [--duration 10] [--servers hostctl,hostctl-iouring,nginx,h2o,hummingbird]
                     [--tests plain,pipelined,idle,cache] [--idle 10000] [--markdown FILE]

The cache test (hostctl servers only) fetches /report, a 100-row HTML page the sample marks
`Cache-Control: public, max-age=60`: the io_uring server answers it from its response
cache; hostctl-iouring-nocache is the same server with the cache off.

Each server runs pinned to CPU 0 and wrk to CPU 1 (both on loopback). All the servers run at
once, each on its own port (PORT, PORT+1, ...). Per test: a 3 s warm-up of each, then --runs
rounds; a round runs wrk for --duration seconds against each server in turn, the order
rotating from round to round. The table shows medians; a ratio is the median of the per-round
ratios, so a slow spell of the machine weighs on every server alike. Server
CPU per request = server CPU time during the run / requests. Idle memory = the server's
RSS with N idle keep-alive connections open minus before, per connection, and again after
they close. Ratios are against nginx from the same run: this machine is shared and noisy,
so only ratios within one run mean anything.

Servers (skipped with a note when not available):
  hostctl      the bundled sample app, built here in release (`/plaintext`), on the event-loop server
  hostctl-iouring  the same on the io_uring server (HOSTCTL_SERVER=iouring)
  hostctl-iouring-nocache  the same with the sample's response cache off (SAMPLE_RESPONSE_CACHE=off)
  nginx        `return 200 "Hello, World!"`, 1 worker (Debian's nginx)
  h2o          a static /plaintext file, 1 thread (Debian's h2o)
  hummingbird  HBHello, Hummingbird 2's hello world (HB_THREADS=1), if built: pass --hummingbird
               PATH, or build ../shared/bench/peers/hummingbird-hello in a writable copy at
               /tmp/hb-hello (cp -r it there, then `swift build -c release`)
"""
import argparse
import contextlib
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.dirname(os.path.abspath(__file__))
PORT = 23080


def wait_for_port(port, process, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on {port} after {seconds} s")


def process_tree(pid):
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids += process_tree(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def cpu_seconds(pids, user_only=False):
    """CPU time of `pids` (user and system, or user alone: the part our code's instructions
    decide, where the system part also moves with the kernel's loopback work and noise)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + (0 if user_only else int(fields[12]))
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 30000), hard))


def wrk(port, duration, depth, path="/plaintext"):
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{duration}s", "--timeout", "5s",
               "-s", os.path.join(BENCH, "wrk", "report.lua"), f"http://127.0.0.1:{port}{path}"]
    if depth > 1:
        command += ["--", str(depth)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", output)
    if not match:
        sys.exit(f"wrk printed no result:\n{output}")
    values = dict(item.split("=") for item in match.group(1).split())
    return {key: int(value) for key, value in values.items()}


class Server:
    def __init__(self, name, command, env=None, cwd=None, port=None):
        self.name, self.command, self.env, self.cwd = name, command, env, cwd
        self.port = port or PORT

    def __enter__(self):
        env = dict(os.environ, **(self.env or {}))
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(["taskset", "-c", "0"] + self.command, env=env, cwd=self.cwd,
                                        stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit)
        wait_for_port(self.port, self.process)
        time.sleep(0.5)
        self.pids = process_tree(self.process.pid)
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in self.pids[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def server_specs(names, work, hummingbird_path=None):
    """Each server on its own port (PORT, PORT+1, ... in `names` order), so all can run at once."""
    specs = {}
    port_of = {name: PORT + index for index, name in enumerate(names)}
    hostctl_port, iouring_port, nocache_port = (port_of.get(name) for name in ("hostctl", "hostctl-iouring", "hostctl-iouring-nocache"))
    nginx_port, h2o_port, hummingbird_port = (port_of.get(name) for name in ("nginx", "h2o", "hummingbird"))
    if "hostctl" in names:
        subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        specs["hostctl"] = Server("hostctl", [os.path.join(ROOT, ".build", "release", "HostctlSample")],
                                  env={"HOSTCTL_URLS": f"http://127.0.0.1:{hostctl_port}", "HOSTCTL_ENVIRONMENT": "Production"}, port=hostctl_port)
    if "hostctl-iouring" in names:
        subprocess.run(["swift", "build", "-c", "release", "--product", "HostctlSample"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        specs["hostctl-iouring"] = Server("hostctl-iouring", [os.path.join(ROOT, ".build", "release", "HostctlSample")],
                                          env={"HOSTCTL_URLS": f"http://127.0.0.1:{iouring_port}", "HOSTCTL_ENVIRONMENT": "Production",
                                               "HOSTCTL_SERVER": "iouring"}, port=iouring_port)
    if "hostctl-iouring-nocache" in names:
        specs["hostctl-iouring-nocache"] = Server("hostctl-iouring-nocache", [os.path.join(ROOT, ".build", "release", "HostctlSample")],
                                                  env={"HOSTCTL_URLS": f"http://127.0.0.1:{nocache_port}", "HOSTCTL_ENVIRONMENT": "Production",
                                                       "HOSTCTL_SERVER": "iouring", "SAMPLE_RESPONSE_CACHE": "off"}, port=nocache_port)
    if "nginx" in names and shutil.which("nginx"):
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes 1; daemon off; master_process on; error_log {work}/nginx-error.log; pid {work}/nginx.pid;
events {{ worker_connections 20000; }}
http {{ access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{nginx_port} reuseport backlog=4096;
    location /plaintext {{ default_type text/plain; return 200 "Hello, World!"; }} }} }}
""")
        specs["nginx"] = Server("nginx", ["nginx", "-p", work, "-c", conf], port=nginx_port)
    if "h2o" in names and shutil.which("h2o"):
        docroot = os.path.join(work, "h2o-root")
        os.makedirs(docroot, exist_ok=True)
        with open(os.path.join(docroot, "plaintext"), "w") as f:
            f.write("Hello, World!")
        conf = os.path.join(work, "h2o.conf")
        with open(conf, "w") as f:
            f.write(f"""num-threads: 1
listen: {{ host: 127.0.0.1, port: {h2o_port} }}
access-log: /dev/null
error-log: {work}/h2o-error.log
hosts:
  default:
    paths:
      /:
        file.dir: {docroot}
""")
        specs["h2o"] = Server("h2o", ["h2o", "-c", conf], port=h2o_port)
    hummingbird = hummingbird_path or "/tmp/hb-hello/.build/release/HBHello"
    if "hummingbird" in names and os.path.exists(hummingbird):
        specs["hummingbird"] = Server("hummingbird", [hummingbird], env={"PORT": str(hummingbird_port), "HB_THREADS": "1"}, port=hummingbird_port)
    return specs


def measure_run(server, depth, duration, path="/plaintext"):
    """One wrk run against `server`, with the server's CPU time (all, and user alone) over it."""
    port = getattr(server, "port", PORT)
    before, user_before = cpu_seconds(server.pids), cpu_seconds(server.pids, user_only=True)
    result = wrk(port, duration, depth, path)
    result["cpu"] = cpu_seconds(server.pids) - before
    result["user"] = cpu_seconds(server.pids, user_only=True) - user_before
    return result


def summarize(results):
    """Medians over runs: rate, CPU (all and user) per request, p99."""
    rates = [r["requests"] / (r["duration_us"] / 1e6) for r in results]
    return {
        "rate": statistics.median(rates),
        "rates": rates,
        "us_per_request": statistics.median(r["cpu"] * 1e6 / r["requests"] for r in results),
        "user_us_per_request": statistics.median(r["user"] * 1e6 / r["requests"] for r in results),
        "p99_ms": statistics.median(r["p99_us"] for r in results) / 1000,
        "errors": sum(r["errors"] for r in results),
    }


def measure_throughput(server, depth, runs, duration, path="/plaintext"):
    wrk(getattr(server, "port", PORT), 3, depth, path)  # warm-up
    return summarize([measure_run(server, depth, duration, path) for _ in range(runs)])


def rounds(servers, runs, warm_up, run):
    """Every server's runs taken in rounds, one run of each per round, the order rotating
    from round to round, so a slow spell of this shared machine falls on all of them rather
    than on whichever ran then; a server's ratio to another is the median of its per-round
    ratios (`round_ratio`). `warm_up(server)` first, then `run(server)` gives each result.
    Returns each server's results, by name, in round order."""
    for server in servers:
        warm_up(server)
    runs_of = {server.name: [] for server in servers}
    for round_index in range(runs):
        shift = round_index % len(servers)
        for server in servers[shift:] + servers[:shift]:
            runs_of[server.name].append(run(server))
    return runs_of


def measure_interleaved(servers, depth, runs, duration, path="/plaintext"):
    """wrk in `rounds`, each server's runs summarized."""
    runs_of = rounds(servers, runs, lambda server: wrk(server.port, 3, depth, path),
                     lambda server: measure_run(server, depth, duration, path))
    return {name: summarize(results) for name, results in runs_of.items()}


def round_ratio(row, base):
    """The median over rounds of row's rate over base's rate in the same round."""
    return statistics.median(a / b for a, b in zip(row["rates"], base["rates"]))


def measure_idle(server, count, work):
    ready = os.path.join(work, f"ready-{server.name}")
    time.sleep(2)
    before = rss_kb(server.pids)
    client = subprocess.Popen(["taskset", "-c", "1", sys.executable, os.path.join(BENCH, "idle_conns.py"), str(getattr(server, "port", PORT)),
                               str(count), "--ready", ready])
    deadline = time.time() + 300
    while not os.path.exists(ready) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    held = rss_kb(server.pids)
    with open(ready) as f:
        status = f.read().strip()
    client.send_signal(signal.SIGTERM)
    client.wait()
    time.sleep(3)
    after = rss_kb(server.pids)
    return {"bytes_per_connection": (held - before) * 1024 / count, "after_kb": after - before, "status": status}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--servers", default="hostctl,hostctl-iouring,nginx,h2o,hummingbird")
    parser.add_argument("--tests", default="plain,pipelined,idle")
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--hummingbird", help="path to a built HBHello")
    args = parser.parse_args()
    raise_fd_limit()
    work = tempfile.mkdtemp(prefix="hostctl-bench-")
    tests = args.tests.split(",")
    specs = server_specs(args.servers.split(","), work, args.hummingbird)
    results = {name: {} for name in specs}
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(server) for server in specs.values()]
        print(f"== {', '.join(specs)}, each on its own port, runs interleaved", file=sys.stderr)
        for test, depth in (("plain", 1), ("pipelined", 16)):
            if test in tests:
                for name, row in measure_interleaved(servers, depth, args.runs, args.duration).items():
                    results[name][test] = row
        if "cache" in tests:
            cached = [server for server in servers if server.name.startswith("hostctl")]
            for name, row in measure_interleaved(cached, 1, args.runs, args.duration, "/report").items():
                results[name]["cache"] = row
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
    nginx = results.get("nginx", {})
    def ratio(name, test, key):
        base, row = nginx.get(test), results[name].get(test)
        return f"{round_ratio(row, base):.2f}×" if base and row else "–"
    lines = ["| server | plain req/s | vs nginx | CPU µs/req | p99 ms | pipelined ×16 req/s | vs nginx | CPU µs/req | idle conn bytes | RSS after close (KB over start) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, row in results.items():
        plain, piped, idle = row.get("plain", {}), row.get("pipelined", {}), row.get("idle", {})
        lines.append("| " + " | ".join([
            name,
            f"{plain['rate']:,.0f}" if plain else "–", ratio(name, "plain", "rate"),
            f"{plain['us_per_request']:.1f}" if plain else "–", f"{plain['p99_ms']:.2f}" if plain else "–",
            f"{piped['rate']:,.0f}" if piped else "–", ratio(name, "pipelined", "rate"),
            f"{piped['us_per_request']:.2f}" if piped else "–",
            f"{idle['bytes_per_connection']:,.0f}" if idle else "–", f"{idle['after_kb']:,}" if idle else "–",
        ]) + " |")
    evl, iouring = results.get("hostctl", {}), results.get("hostctl-iouring", {})
    pairs = [f"{test} {round_ratio(iouring[test], evl[test]):.2f}×" for test in ("plain", "pipelined") if test in evl and test in iouring]
    if pairs:
        lines += ["", "hostctl-iouring against hostctl, median of per-round ratios: " + ", ".join(pairs)]
    cached = [(name, row["cache"]) for name, row in results.items() if "cache" in row]
    if cached:
        lines += ["", "| server | `/report` req/s | CPU µs/req | p99 ms |", "|---|---|---|---|"]
        lines += [f"| {name} | {c['rate']:,.0f} | {c['us_per_request']:.1f} | {c['p99_ms']:.2f} |" for name, c in cached]
    return lines


if __name__ == "__main__":
    main()
