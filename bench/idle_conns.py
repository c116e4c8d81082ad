#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a loopback server: each sends one GET, reads the
whole response, then stays open and silent. Writes "READY ok=X failed=Y" to --ready when all
are open, and closes them all on SIGTERM (or after --hold seconds). With --tls, each
connection does a TLS handshake first (unverified: the benchmarks use a self-made certificate)."""
import argparse
import asyncio
import resource
import signal
import ssl

REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def one(port, semaphore, connections, context):
    async with semaphore:
        try:
            tls = {"ssl": context, "server_hostname": "localhost"} if context else {}
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, **tls), 10)
            connections.append(writer)
            writer.write(REQUEST)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await asyncio.wait_for(reader.readexactly(length), 10)
            return head.startswith(b"HTTP/1.1 200")
        except Exception:  # noqa: BLE001 - any failure counts as a failed connection
            return False


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--hold", type=float, default=300)
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    context = None
    if args.tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.count + 1000), hard))
    semaphore = asyncio.Semaphore(200)
    connections = []
    results = await asyncio.gather(*(one(args.port, semaphore, connections, context) for _ in range(args.count)))
    ok = sum(results)
    with open(args.ready, "w") as ready:
        ready.write(f"READY ok={ok} failed={args.count - ok}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.hold)
    except asyncio.TimeoutError:
        pass
    for writer in connections:
        writer.close()


asyncio.run(main())
