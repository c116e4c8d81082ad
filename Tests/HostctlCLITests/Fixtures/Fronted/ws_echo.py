# A WebSocket echo app of the kind that knows nothing of hostctl: it listens on
# 127.0.0.1:$PORT (the port the front gives any app, as ANCM does) and sends every
# message back. A plain HTTP request gets the websockets package's own answer,
# 426 Upgrade Required. Prints its pid and port once it listens.
import asyncio, os

import websockets


async def echo(connection, *path):  # websockets before 10.1 also passed the path
    async for message in connection:
        await connection.send(message)


async def main():
    port = int(os.environ["PORT"])
    async with websockets.serve(echo, "127.0.0.1", port):
        print("websocket echo pid=%d port=%d" % (os.getpid(), port), flush=True)
        await asyncio.Future()  # until SIGTERM ends the process


asyncio.run(main())
