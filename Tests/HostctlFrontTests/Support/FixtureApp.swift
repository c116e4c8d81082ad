import Glibc
import HostctlFront
import HostctlSystem

/// Small python3 apps that play the app behind the front: one script, a mode per
/// behaviour. Each run appends lines to a marks file (started, SIGTERM…) so tests can see
/// what the process saw. Written to a fresh folder per test (no fixture files in the
/// source tree, so the target needs no resources).
struct FixtureApp {
    let directory: String
    let marksPath: String
    let scriptPath: String

    init() throws {
        var template = Array("/tmp/hostctl-front-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError.last("mkdtemp") }
        directory = String(cString: made)
        marksPath = FilePath.join(directory, "marks")
        scriptPath = FilePath.join(directory, "app.py")
        try FileSystem.writeFileAtomically(scriptPath, Array(Self.script.utf8))
    }

    func command(_ mode: String, arguments: [String] = [], environment extra: [(String, String)] = []) -> AppCommand {
        var environment = ProcessEnvironment.current()
        for entry in environment.entries where entry.name.hasPrefix("HOSTCTL_") || entry.name.hasPrefix("ASPNETCORE_") {
            environment[entry.name] = nil
        }
        environment["FIXTURE_MARKS"] = marksPath
        for (name, value) in extra { environment[name] = value }
        let python = ExecutableSearch.find("python3", path: environment["PATH"]) ?? "/usr/bin/python3"
        return AppCommand(executable: python, arguments: [scriptPath, mode] + arguments, environment: environment, workingDirectory: directory)
    }

    /// The marks written so far.
    var marks: [String] {
        guard let bytes = try? FileSystem.readFile(marksPath) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The pids of every run that got as far as starting python.
    var startedPIDs: [pid_t] {
        marks.filter { $0.hasPrefix("started ") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("pid=") }.flatMap { pid_t($0.dropFirst(4)) }
        }
    }

    /// `key=value` from the last "started" mark.
    func started(_ key: String) -> String? {
        guard let line = marks.last(where: { $0.hasPrefix("started ") }) else { return nil }
        return line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    static let script = #"""
    import os, signal, socket, sys, threading, time

    mode = sys.argv[1]
    marks = os.environ.get("FIXTURE_MARKS")

    def mark(text):
        if marks:
            with open(marks, "a") as f:
                f.write(text + "\n")

    env = os.environ.get
    mark("started pid=%d port=%s token=%s pathbase=%s readyfd=%s lifelinefd=%s given=%s aspnetcore=%s args=%s" % (
        os.getpid(), env("HOSTCTL_PORT"), env("HOSTCTL_TOKEN"), env("HOSTCTL_PATHBASE"), env("HOSTCTL_READY_FD"),
        env("HOSTCTL_LIFELINE_FD"), env("PORT"), env("ASPNETCORE_PORT"), ",".join(sys.argv[2:])))
    print("fixture %s pid=%d" % (mode, os.getpid()), flush=True)

    def forever():
        while True:
            time.sleep(1)

    if mode == "exit3":
        print("starting up", flush=True)
        print("boom <tag> & more", file=sys.stderr, flush=True)
        sys.exit(3)
    if mode == "selfkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "never":
        forever()
    if mode == "flood-exit":
        line = "x" * 100
        for i in range(200000):
            sys.stdout.write("line %d %s\n" % (i, line))
        print("last line", flush=True)
        sys.exit(3)

    def on_term(signum, frame):
        mark("SIGTERM pid=%d" % os.getpid())
        if mode != "ignore-term":
            os._exit(0)
    signal.signal(signal.SIGTERM, on_term)

    if mode == "flood":
        def flood():
            line = "y" * 200
            while True:
                sys.stdout.write(line + "\n")
        threading.Thread(target=flood, daemon=True).start()

    # Apps that do not report their port listen on the one they are given: "foreign" in
    # PORT, "argument" in its first argument ({port}), "close-ready" in PORT after closing
    # the readiness descriptor (as programs that close what they inherit do).
    reports = mode not in ("foreign", "argument", "close-ready")
    if mode == "close-ready":
        os.close(int(env("HOSTCTL_READY_FD")))
    if mode == "argument":
        bind_port = int(sys.argv[2])
    elif not reports:
        bind_port = int(env("PORT"))
    else:
        bind_port = int(env("HOSTCTL_PORT") or "0")

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", bind_port))
    server.listen(64)
    port = server.getsockname()[1]
    mark("listening pid=%d port=%d" % (os.getpid(), port))
    if reports:
        ready = int(env("HOSTCTL_READY_FD"))
        os.write(ready, b"%d\n" % port)
        os.close(ready)

    def serve(connection):
        with connection:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                head, data = data.split(b"\r\n\r\n", 1)
                if not answer(connection, head.decode("latin-1").split("\r\n")):
                    return

    # Answers one request; whether the connection stays open ("keepalive" keeps it, for
    # bodiless requests, and says which process answered).
    def answer(connection, head):
        path = head[0].split(" ")[1]
        headers = dict((k.strip().lower(), v.strip()) for k, v in (h.split(":", 1) for h in head[1:] if ":" in h))
        if headers.get("x-hostctl-token") != env("HOSTCTL_TOKEN"):
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return False
        if path == "/crash":
            os._exit(7)
        if path == "/hang":
            forever()
        if mode == "keepalive":
            body = ("hello from pid %d" % os.getpid()).encode()
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return True
        body = ("hello from the app at %s" % path).encode()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        return False

    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()
    """#
}

/// Waits for `condition`, checking every 50 ms for at most `seconds`; false if it never held.
func eventually(within seconds: Double = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
    while MonotonicClock.now() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Whether `pid` is a zombie child of this process, or still alive at all.
func processExists(_ pid: pid_t) -> Bool {
    FileSystem.exists("/proc/\(pid)")
}

/// This process's open descriptors, by number and what they point at.
func openDescriptors() -> Set<String> {
    let names = (try? FileSystem.contentsOfDirectory("/proc/self/fd")) ?? []
    return Set(names.compactMap { name in
        var buffer = [CChar](repeating: 0, count: 512)
        let count = readlink("/proc/self/fd/\(name)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }  // the directory's own descriptor, closed by now
        return "\(name)->" + String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    })
}
