# The app behind the front in the CLI tests: binds 127.0.0.1:$HOSTCTL_PORT, writes the
# port to $HOSTCTL_READY_FD, checks X-Hostctl-Token, and answers every request (/pid with its
# pid; /crash kills it with SIGKILL).
import os, signal, socket, sys, threading

env = os.environ.get
print("fixture app pid=%d port=%s pathbase=%s server=%s token-length=%d" % (
    os.getpid(), env("HOSTCTL_PORT"), env("HOSTCTL_PATHBASE"), env("HOSTCTL_SERVER"), len(env("HOSTCTL_TOKEN") or "")), flush=True)

def on_term(signum, frame):
    print("fixture app got SIGTERM", flush=True)
    os._exit(0)
signal.signal(signal.SIGTERM, on_term)

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", int(env("HOSTCTL_PORT") or "0")))
server.listen(64)
ready = int(env("HOSTCTL_READY_FD"))
os.write(ready, b"%d\n" % server.getsockname()[1])
os.close(ready)

def serve(connection):
    with connection:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(4096)
            if not chunk:
                return
            data += chunk
        lines = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        headers = dict((k.strip().lower(), v.strip()) for k, v in (h.split(":", 1) for h in lines[1:] if ":" in h))
        if headers.get("x-hostctl-token") != env("HOSTCTL_TOKEN"):
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        target = lines[0].split(" ")[1]
        if target == "/crash":
            os.kill(os.getpid(), signal.SIGKILL)  # dies mid-request, as a crash would
        body = ("pid=%d" % os.getpid() if target == "/pid" else "hello from the app at %s" % target).encode()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))

while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
