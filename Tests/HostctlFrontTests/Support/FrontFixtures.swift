import HostctlTestSupport
import Glibc
import Hostctl
import HostctlFront
import HostctlServerCore
import HostctlSystem
import Synchronization
import Testing

/// Where the forwarder under test finds the app: a fixed endpoint (or a page to refuse with),
/// changeable by the test, recording what the forwarder reports.
final class TestEndpointSource: AppEndpointSource {
    private struct State {
        var answer: Result<AppEndpoint, FrontUnavailable>
        var failures: [AppEndpoint] = []
    }

    private let state: Mutex<State>

    init(_ endpoint: AppEndpoint) { state = Mutex(State(answer: .success(endpoint))) }
    init(unavailable: FrontUnavailable) { state = Mutex(State(answer: .failure(unavailable))) }

    func set(_ endpoint: AppEndpoint) { state.withLock { $0.answer = .success(endpoint) } }

    /// The endpoints `connectionFailed` was called with.
    var failures: [AppEndpoint] { state.withLock { $0.failures } }

    func endpoint() async throws(FrontUnavailable) -> AppEndpoint {
        try state.withLock { $0.answer }.get()
    }

    func endpointIfRunning() -> AppEndpoint? {
        try? state.withLock { $0.answer }.get()
    }

    func connectionFailed(_ endpoint: AppEndpoint) {
        state.withLock { $0.failures.append(endpoint) }
    }
}

/// The servers the front is tested on: it forwards the same from either (the app behind it
/// stays on the event-loop server).
enum FrontServer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case eventLoop = "eventloop"
    case ioUring = "iouring"

    var testDescription: String { "front on \(rawValue)" }

    /// Skips the test case, saying why, where this server cannot run here.
    func skipIfUnavailable() throws {
        if self == .ioUring { try IOUringAvailability.skipIfUnavailable() }
    }
}

/// How the front under test forwards its HTTP/1.1 requests: from their parsed heads (the
/// server's forwarding path, what `hostctl proxy` runs), or through its app pipeline (the path
/// HTTP/2 requests and the front's own middleware take).
enum ForwardingPath: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case forwarding, pipeline

    var testDescription: String { "through the \(rawValue) path" }
}

/// A builder for an app on `server` (the event-loop server unless said), on 127.0.0.1 and a
/// free port, one loop; with `forwarding`, the server offers its HTTP/1.1 requests to it first.
func startApp(
    server: FrontServer = .eventLoop, urls: String = "http://127.0.0.1:0", forwarding: (any HTTP1ForwardingHandler)? = nil,
    variables: [(String, String)] = [], options: (inout ServerOptions) -> Void = { _ in }, configure: (WebApplication) -> Void
) async throws -> (WebApplication, Int) {
    try server.skipIfUnavailable()
    let builder = WebApplicationBuilder(
        arguments: ["test"],
        environment: ProcessEnvironment(
            [("HOSTCTL_URLS", urls), ("HOSTCTL_ENVIRONMENT", "Production"), ("HOSTCTL_SERVER", server.rawValue)] + variables
        ),
        servers: forwarding.map { WebApplication.servers(forwarding: $0) } ?? WebApplication.defaultServers, readsSettingsFiles: false
    )
    builder.serverOptions.eventLoopCount = 1
    options(&builder.serverOptions)
    let app = builder.build()
    configure(app)
    try await app.start()
    let port = Int(app.urls.first?.split(separator: ":").last ?? "") ?? 0
    return (app, port)
}

/// What the app behind the front saw, for the tests to check.
struct AppObservations: Sendable {
    var connectionIDs: Set<String> = []
    var requests = 0
    var abortedRequests = 0
    var bytesReceived = 0
    var lastHeaders: [String] = []
}

/// A real app (the hosting library on the event-loop server) offering the routes the
/// forwarding tests use. It checks the pairing token itself; or, `asTheFrontStartsIt`, it is
/// started with the front's variables (HOSTCTL_PORT=0, HOSTCTL_TOKEN), so the hosting library
/// acts as it does behind a real front (its token check, the room for the front's fields).
final class TestApp: Sendable {
    let app: WebApplication
    let port: Int
    let token: String
    let generation: Int
    private let recorder: Recorder

    private final class Recorder: Sendable {
        let observations = Mutex(AppObservations())
    }

    var seen: AppObservations { recorder.observations.withLock { $0 } }
    var endpoint: AppEndpoint { AppEndpoint(port: UInt16(port), token: token, generation: generation) }

    init(
        token: String = "secret-token", generation: Int = 1, asTheFrontStartsIt: Bool = false, options: (inout ServerOptions) -> Void = { _ in }
    ) async throws {
        self.token = token
        self.generation = generation
        let recorder = Recorder()
        self.recorder = recorder
        let variables = asTheFrontStartsIt ? [("HOSTCTL_PORT", "0"), ("HOSTCTL_TOKEN", token)] : []
        let (app, port) = try await startApp(variables: variables, options: options) { app in
            app.use { context, next in
                recorder.observations.withLock {
                    $0.requests += 1
                    $0.connectionIDs.insert(context.connection.id)
                    $0.lastHeaders = context.request.headers.materialized.fields.map { "\($0.name.lowercased()): \($0.value)" }
                }
                guard asTheFrontStartsIt || context.request.headers.values(for: "x-hostctl-token") == [token] else {
                    context.response.status = 400
                    return
                }
                try await next(context)
            }
            app.get("/headers") { context in
                let lines = context.request.headers.materialized.fields.map { "\($0.name.lowercased()): \($0.value)" }
                try await context.response.write(lines.joined(separator: "\n"))
            }
            app.post("/echo") { context in
                let framing = context.request.contentLength.map { "length \($0)" } ?? (context.request.headers["transfer-encoding"] ?? "none")
                context.response.headers["X-Request-Framing"] = framing
                for try await chunk in context.request.body { try await context.response.write(chunk) }
                if !context.request.trailers.isEmpty {
                    context.response.headers["X-Request-Trailers"] = context.request.trailers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                }
            }
            app.post("/sink") { context in
                var total = 0
                while true {
                    var got = 0
                    let state = try context.request.body.readAvailable { got = $0.count; return $0.count }
                    total += got
                    if state == .end { break }
                    if state == .waiting { try await context.request.body.waitForData() }
                }
                recorder.observations.withLock { $0.bytesReceived += total }
                try await context.response.write("\(total)")
            }
            app.get("/source/{count:int}") { context in
                let count = Int(context.routeValues["count"]!)!
                context.response.contentLength = count
                let chunk = [UInt8](repeating: UInt8(ascii: "s"), count: 64 * 1024)
                var sent = 0
                while sent < count {
                    let piece = min(chunk.count, count - sent)
                    try await context.response.write(chunk[0..<piece])
                    sent += piece
                }
            }
            app.get("/declared") { context in
                context.response.contentLength = 5
                try await context.response.write("12345")
            }
            app.get("/streamed") { context in
                try await context.response.write("part one, ")
                try await context.response.flush()
                try await context.response.write("part two")
            }
            app.get("/trailers") { context in
                try await context.response.write("body")
                context.response.trailers["X-Checksum"] = "abc"
            }
            app.get("/forever") { context in
                context.requestAborted.onAbort { recorder.observations.withLock { $0.abortedRequests += 1 } }
                let chunk = [UInt8](repeating: UInt8(ascii: "f"), count: 16 * 1024)
                // Bounded: a test that fails to disconnect ends anyway.
                for _ in 0..<100_000 where !context.requestAborted.isAborted {
                    try await context.response.write(chunk)
                    try await context.response.flush()
                }
            }
            app.get("/nothing") { $0.response.status = 204 }
            app.get("/status/{code:int}") { context in
                context.response.status = Int(context.routeValues["code"]!)!
                try await context.response.write("status")
            }
        }
        self.app = app
        self.port = port
    }

    func stop() async { await app.stop() }
}

/// The front under test: a WebApplication on `server` whose only handler forwards, and whose
/// server forwards HTTP/1.1 requests from their heads unless `path` says otherwise (the
/// process half composes the real one the same way).
final class TestFront: Sendable {
    let app: WebApplication
    let port: Int
    let forwarder: Forwarder

    init(
        _ server: FrontServer, path: ForwardingPath = .forwarding, source: any AppEndpointSource, options: ForwardingOptions = ForwardingOptions(),
        urls: String = "http://127.0.0.1:0", serverOptions: (inout ServerOptions) -> Void = { _ in }, middleware: Middleware? = nil
    ) async throws {
        let forwarder = Forwarder(source: source, options: options)
        self.forwarder = forwarder
        // As FrontHost configures it: extended CONNECT (WebSockets over HTTP/2) at the edge.
        let (app, port) = try await startApp(
            server: server, urls: urls, forwarding: path == .forwarding ? forwarder : nil,
            options: { options in
                options.http2.enableExtendedConnect = true
                serverOptions(&options)
            }
        ) { app in
            if let middleware { app.use(middleware) }
            app.use { context, _ in try await forwarder.forward(context) }
        }
        self.app = app
        self.port = port
    }

    func client() throws -> TestClient { try TestClient(port: port) }

    func get(_ target: String, headers: String = "") throws -> TestResponse {
        let client = try client()
        try client.send("GET \(target) HTTP/1.1\r\nHost: front.test\r\n\(headers)\r\n")
        return try client.readResponse()
    }

    func stop() async { await app.stop() }
}

/// A port nothing listens on (bound, then closed at once).
func closedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    guard SocketAddress.ipv4Loopback.withSockAddr({ bind(fd, $0, $1) }) == 0 else { throw SystemError.last("bind") }
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

/// This process's resident memory, from /proc/self/status.
func residentBytes() -> Int {
    guard let status = try? FileSystem.readFile("/proc/self/status") else { return 0 }
    for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1024
    }
    return 0
}

/// Connections to `port` on 127.0.0.1 still established (from /proc/net/tcp), either end.
func establishedConnections(toPort port: Int) -> Int {
    guard let table = try? FileSystem.readFile("/proc/net/tcp") else { return 0 }
    let hex = String(port, radix: 16, uppercase: true)
    let suffix = ":" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    var count = 0
    for line in String(decoding: table, as: UTF8.self).split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[3] == "01" else { continue }
        if fields[1].hasSuffix(suffix) || fields[2].hasSuffix(suffix) { count += 1 }
    }
    return count
}

/// Waits (bounded) until `condition` holds; returns whether it did.
func eventually(within seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
