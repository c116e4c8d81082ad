# A WebSocket client for the tests: `ws_client.py URL [COUNT]` sends COUNT messages (3 by
# default, text and binary in turn), checks that each comes back unchanged, closes, and
# prints "echoed COUNT"; anything else is printed and exits 1.
import asyncio, sys

import websockets


async def main(url, count):
    async with websockets.connect(url) as connection:
        for index in range(count):
            message = ("message %d" % index) if index % 2 == 0 else bytes([index % 256]) * (index + 1)
            await connection.send(message)
            reply = await connection.recv()
            if reply != message:
                print("sent %r, got %r" % (message, reply))
                sys.exit(1)
    print("echoed %d" % count)


try:
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3))
except Exception as error:  # a refused handshake, a closed connection: say which
    print("failed: %s: %s" % (type(error).__name__, error))
    sys.exit(1)
