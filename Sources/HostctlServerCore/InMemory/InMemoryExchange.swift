import HostctlCore
import HostctlHTTP1
import HostctlHosting
import HostctlSystem

/// Runs one request through a pipeline in memory, with no socket and no loop, under the
/// same request layer as the servers (`HTTPExchange`): HEAD sends no body, a 204 or 304
/// refuses one, a wrong Content-Length fails, an error becomes its status, a body over the
/// limit is 413. So an app's in-memory test fails where the server would.
public enum InMemoryExchange {
    /// The response, or the reason the server would have cut the connection (an error
    /// after the response started, a Content-Length mismatch), thrown as
    /// `ConnectionAbortedError`.
    public static func respond(
        to method: HTTPMethod, _ target: String, headers: [(String, String)], body: [UInt8],
        application: HTTPApplication, options: ServerOptions = ServerOptions()
    ) async throws -> RecordedResponse {
        let core = HTTPServerCore(application: application, options: options, loopCount: 1)
        // The exchange reaches the core without counting; this frame owns it to the very end
        // (declared first, so it runs after the exchange's own clean-up below).
        defer { withExtendedLifetime(core) {} }
        let loop = InMemoryLoop()
        let driver = InMemoryExchangeDriver(method: method, target: target, headers: headers, body: body)
        let exchange = HTTPExchange(driver: driver, core: core, loop: loop, state: core.loopState(at: 0), scheme: "http", extras: nil)
        driver.exchange = exchange
        let sendsBody = !body.isEmpty || [.post, .put, .patch].contains(method)
        _ = await exchange.process(
            method: method, version: .http1_1, contentLength: sendsBody ? body.count : nil, hasBody: sendsBody, number: 1,
            connection: ConnectionInfo(id: "in-memory", local: nil, remote: nil)
        )
        defer {
            exchange.end()
            exchange.detach()
            driver.exchange = nil
        }
        if let reason = exchange.abortReason { throw ConnectionAbortedError(reason) }
        return RecordedResponse(status: driver.status, headers: driver.fields, body: driver.sentBody, trailers: driver.trailers)
    }
}

/// The one request of an in-memory exchange, and what the exchange writes back.
final class InMemoryExchangeDriver: ExchangeDriver {
    private let method: HTTPMethod
    private let target: [UInt8]
    private let pathEnd: Int
    private let headers: [(name: [UInt8], value: [UInt8])]
    private let requestBody: [UInt8]
    private var bodyOffset = 0
    /// Strong while the request runs; the caller clears it after.
    var exchange: HTTPExchange<InMemoryExchangeDriver>?

    private(set) var status = 200
    private(set) var fields = HTTPFields()
    private(set) var sentBody: [UInt8] = []
    private(set) var trailers = HTTPFields()

    init(method: HTTPMethod, target: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        let bytes = Array(target.isEmpty ? "/".utf8 : target.utf8)
        self.target = bytes
        pathEnd = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        var all = headers.map { (name: Array($0.0.utf8), value: Array($0.1.utf8)) }
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { all.insert((Array("Host".utf8), Array("localhost".utf8)), at: 0) }
        self.headers = all
        requestBody = body
    }

    // MARK: RequestHeadSource

    func withRawTarget<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { target.withUnsafeBytes(body) }

    func withRawPath<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        target.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<pathEnd])) }
    }

    func withRawQuery<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard pathEnd < target.count else { return body(nil) }
        return target.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[(pathEnd + 1)...])) }
    }

    var headerCount: Int { headers.count }

    func withHeader<R>(at index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        headers[index].name.withUnsafeBytes { name in headers[index].value.withUnsafeBytes { value in body(name, value) } }
    }

    func decodePath(_ raw: UnsafeRawBufferPointer) -> String { HTTP1Target.decodePath(raw) }

    func withRequestAuthority<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let host = headers.first(where: { ASCII.equalsIgnoringCase(String(decoding: $0.name, as: UTF8.self), "Host") }) else {
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return host.value.withUnsafeBytes(body)
    }

    // MARK: The request body

    var requestBodyBytesReceived: Int { requestBody.count }

    func requestBodyReadingStarted() {}

    func readRequestBody(into request: HTTPRequest, _ consume: (UnsafeRawBufferPointer) throws -> Int) rethrows -> RequestBodyRead {
        guard bodyOffset < requestBody.count else { return .end }
        let taken = try requestBody.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[bodyOffset...])) }
        let clamped = max(0, min(taken, requestBody.count - bodyOffset))
        bodyOffset += clamped
        return .bytes(clamped)
    }

    func requestBodyWanted() {}

    // MARK: The response

    func mayFixResponseLength(withTrailers: Bool) -> Bool { !withTrailers }

    func writeResponseHead(
        status: Int, reason: String?, fields: HTTPFields, length: ResponseLength, closeRequested: Bool,
        date: UnsafeRawBufferPointer?, server: StaticString?
    ) throws(ResponseUsageError) {
        self.status = status
        var recorded = fields
        if case .exact(let count) = length { recorded.append(name: "Content-Length", value: String(count)) }
        self.fields = recorded
    }

    func writeResponseBody(_ bytes: UnsafeRawBufferPointer) { sentBody.append(contentsOf: bytes) }

    func finishResponseBody(of response: HTTPResponse) throws(ResponseUsageError) { trailers = response.trailers }

    func writeMinimalResponse(status: Int) {
        self.status = status
        fields = HTTPFields([("Content-Length", "0")])
        sentBody = []
    }

    func writeCachedResponse(_ entry: CachedResponse, age: Int, sendsBody: Bool) {
        fields = entry.fields
        sentBody = sendsBody ? Array(entry.body) : []
    }

    func turnAway(_ answer: RequestQueueFullResponse) { status = 503 }

    var canSendFiles: Bool { false }

    func sendFile(_ descriptor: Int32, offset: Int64, count: Int) async throws {}

    var unsentResponseBytes: Int { 0 }

    func flushResponse() {}

    // MARK: Lifetime

    func wait(for reason: ExchangeWait) async {}

    func wakeExchange() {}

    func abortExchange(reason: String) {}

    var connectionNumber: UInt64 { 0 }
}

/// The loop an in-memory exchange reports: the clock, and nothing to run.
private final class InMemoryLoop: EventLoopContext, @unchecked Sendable {
    let index = 0
    var now: Int64 { MonotonicClock.now() }
    var taskExecutor: any TaskExecutor { globalConcurrentExecutor }
    func execute(_ work: @escaping @Sendable () -> Void) { Task { work() } }
    func afterEvents(_ work: @escaping () -> Void) { work() }
    func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State { create() }
}
