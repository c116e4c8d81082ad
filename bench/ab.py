#!/usr/bin/env python3
"""Builds of the sample side by side: what a change costs or saves, measured in rounds.

Usage: bench/ab.py [--runs 9] [--duration 3] [--depth 16] [--path /plaintext] [--server-arg ARG ...]
                   NAME=BINARY[:iouring] NAME=BINARY[:iouring] ...

Each NAME is a copy of a release HostctlSample (`cp .build/release/HostctlSample /tmp/A`
before a change, /tmp/B after it), run on the event-loop server, or on the io_uring server
with `:iouring`; two names may be one binary on the two servers. As bench/http.py does: every
build runs at once on its own port, pinned to CPU 0, wrk on CPU 1; a 3 s warm-up of each,
then --runs rounds of one --duration run each, the order rotating. Prints each one's median
rate and server CPU per request, and its ratio to the first NAME: the median of the per-round
ratios, with their range. `--server-arg` passes an argument to every build (repeat it), e.g.
`--server-arg=--webroot --server-arg=/tmp/www --path /1m.bin` for a static file.

Example, a change to the io_uring server against the event loop and against itself before:
  bench/ab.py evl=/tmp/B io-before=/tmp/A:iouring io-after=/tmp/B:iouring
"""
import argparse
import contextlib
import importlib.util
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bench_http", os.path.join(BENCH, "http.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def server(index, spec, arguments):
    name, _, target = spec.partition("=")
    binary, _, transport = target.partition(":")
    if not name or not os.access(binary, os.X_OK) or transport not in ("", "iouring"):
        sys.exit(f"not NAME=BINARY[:iouring]: {spec}")
    port = bench.PORT + index
    env = {"HOSTCTL_URLS": f"http://127.0.0.1:{port}", "HOSTCTL_ENVIRONMENT": "Production"}
    if transport:
        env["HOSTCTL_SERVER"] = "iouring"
    return bench.Server(name, [os.path.abspath(binary), *arguments], env=env, port=port)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--server-arg", action="append", default=[], help="passed to every build")
    parser.add_argument("builds", nargs="+", metavar="NAME=BINARY[:iouring]")
    args = parser.parse_args()
    if len(args.builds) < 2:
        sys.exit("name at least two builds to compare")
    bench.raise_fd_limit()
    specs = [server(index, spec, args.server_arg) for index, spec in enumerate(args.builds)]
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(spec) for spec in specs]
        results = bench.measure_interleaved(servers, args.depth, args.runs, args.duration, args.path)
    base = specs[0].name
    print(f"| build | req/s | CPU µs/req | vs {base} (median of rounds) | range |")
    print("|---|---|---|---|---|")
    for spec in specs:
        row = results[spec.name]
        ratios = [a / b for a, b in zip(row["rates"], results[base]["rates"])]
        print(f"| {spec.name} | {row['rate']:,.0f} | {row['us_per_request']:.3f} | "
              f"{bench.round_ratio(row, results[base]):.3f}× | {min(ratios):.2f}–{max(ratios):.2f} |")


if __name__ == "__main__":
    main()
