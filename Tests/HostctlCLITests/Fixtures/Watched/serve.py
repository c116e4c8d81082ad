# The app behind hostctl watch's front in the CLI tests: HTTP/1.1 with keep-alive on
# 127.0.0.1 (the port reported on $HOSTCTL_READY_FD), checking X-Hostctl-Token, answering
# with the message its Swift launcher was built with (argv[1]). The message "crash" makes
# it exit with code 3 before it listens. Without a front (hostctl run, in bench/watch.py)
# it listens on the port of the first URL in $HOSTCTL_URLS.
import gzip, os, signal, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

message = sys.argv[1]
env = os.environ.get
print("watched app pid=%d message=%s" % (os.getpid(), message), flush=True)
if message == "crash":
    print("watched app: cannot start", file=sys.stderr, flush=True)
    sys.exit(3)

def on_term(signum, frame):
    print("watched app pid=%d got SIGTERM" % os.getpid(), flush=True)
    os._exit(0)
signal.signal(signal.SIGTERM, on_term)

PAGE = "<!DOCTYPE html>\n<html><head><title>watched</title></head><body><h1>%s</h1></body></html>\n"

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def answer(self, body, content_type, extra=()):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if env("HOSTCTL_TOKEN") is not None and self.headers.get("X-Hostctl-Token") != env("HOSTCTL_TOKEN"):
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        url = urlsplit(self.path)
        html = (PAGE % message).encode()
        if url.path == "/":
            self.answer(html, "text/html; charset=utf-8")
        elif url.path == "/gzip":
            self.answer(gzip.compress(html), "text/html", [("Content-Encoding", "gzip")])
        elif url.path == "/no-transform":
            self.answer(html, "text/html", [("Cache-Control", "public, no-transform")])
        elif url.path == "/slow":
            time.sleep(int(parse_qs(url.query).get("ms", ["500"])[0]) / 1000)
            self.answer(message.encode(), "text/plain")
        elif url.path == "/pid":
            self.answer(str(os.getpid()).encode(), "text/plain")
        else:
            self.answer(message.encode(), "text/plain; charset=utf-8")

behind_front = env("HOSTCTL_READY_FD") is not None
port = int(env("HOSTCTL_PORT") or "0") if behind_front else urlsplit((env("HOSTCTL_URLS") or "http://127.0.0.1:5000").split(";")[0]).port
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer.allow_reuse_address = True
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
if behind_front:
    ready = int(env("HOSTCTL_READY_FD"))
    os.write(ready, b"%d\n" % server.server_address[1])
    os.close(ready)
server.serve_forever()
