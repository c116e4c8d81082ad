import HostctlCore

/// A response recorded by `ApplicationBuilder.respond(to:_:)`.
public struct RecordedResponse: Sendable {
    public var status: Int
    public var headers: HTTPFields
    public var body: [UInt8]
    public var trailers: HTTPFields

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

extension ApplicationBuilder {
    /// Runs one request through this pipeline in memory, with no server and no socket:
    /// for an app's own unit tests (as ASP.NET's TestServer).
    ///
    /// ```swift
    /// let app = ApplicationBuilder()
    /// configure(app)
    /// let response = try await app.respond(to: .get, "/hello?name=Ada")
    /// #expect(response.status == 200)
    /// ```
    public func respond(
        to method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws -> RecordedResponse {
        let pipeline = build()
        let question = target.firstIndex(of: "?")
        let path = String(target[..<(question ?? target.endIndex)])
        let query = question.map { String(target[$0...]) } ?? ""
        var fields = HTTPFields(headers)
        if !fields.contains("Host") { fields.append(name: "Host", value: "localhost") }
        let request = HTTPRequest(method: method, path: path.isEmpty ? "/" : path, queryString: query, headers: fields)
        request.rawTarget = target
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            request.contentLength = body.count
            request.body = RequestBody(reader: InMemoryBodyReader(body))
        }
        let writer = RecordingResponseWriter()
        let context = HTTPContext(request: request, connection: ConnectionInfo(id: "in-memory", local: nil, remote: nil))
        context.response.writer = writer
        do {
            try await pipeline(context)
        } catch {
            guard !writer.hasStarted else { throw error }
            // As a server would: an error before the response started becomes its status.
            context.response.reset()
            context.response.status = (error as? HTTPResponseError)?.status ?? 500
            writer.body.removeAll()
        }
        return RecordedResponse(
            status: context.response.status, headers: context.response.headers, body: writer.body,
            trailers: context.response.trailers
        )
    }
}

/// A request body held in memory.
final class InMemoryBodyReader: RequestBodyReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func readAvailable(_ consume: (UnsafeRawBufferPointer) throws -> Int) throws -> RequestBodyAvailability {
        guard offset < bytes.count else { return .end }
        let taken = try bytes.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        offset += max(0, taken)
        return .bytes
    }

    func waitForData() async throws {}
}

/// A response writer that keeps what is written.
final class RecordingResponseWriter: ResponseBodyWriter {
    var body: [UInt8] = []
    private(set) var hasStarted = false
    private var completed = false

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard !completed else { throw HTTPError(500, "The response has already completed.") }
        body.append(contentsOf: bytes)
        return false
    }

    func waitUntilWritable() async throws {}

    func flush() async throws { hasStarted = true }

    func complete() async throws {
        hasStarted = true
        completed = true
    }
}
