import HostctlCore

/// Where a response's body goes. The server core implements it over its send buffers.
///
/// `write` copies synchronously and only reports whether the caller should wait, so
/// writing from a String or an array never needs the bytes to outlive a suspension.
public protocol ResponseBodyWriter: AnyObject {
    /// The status line and headers have been committed (sent or queued to send).
    var hasStarted: Bool { get }
    /// Takes a copy of `bytes`. Returns true when the buffered output is over the server's
    /// limit and the caller should `waitUntilWritable()` before writing more.
    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool
    func waitUntilWritable() async throws
    /// Sends what is buffered now (committing the headers if they are not yet).
    func flush() async throws
    /// Ends the body (and sends trailers). Further writes fail.
    func complete() async throws
    /// Sends `count` bytes of the open file `descriptor`, from `offset`, as the next part of
    /// the body (ASP.NET's IHttpResponseBodyFeature.SendFileAsync). A server that can move
    /// a file's bytes to the socket without copying them through user space (sendfile(2))
    /// implements this; every other writer gets the default, which reads the file
    /// into a buffer and writes it. The descriptor stays the caller's: an implementation is
    /// done with it when it returns. Throws when the file ends before `count` bytes.
    func sendFile(_ descriptor: Int32, offset: Int64, count: Int64) async throws
    /// Commits the status and headers to the server's output without sending them
    /// (ASP.NET's `HttpResponse.StartAsync`), so the body bytes written next go straight
    /// behind them instead of waiting in a buffer to be measured. A writer that must see
    /// the whole body first may ignore it (the default).
    func start() throws
}

extension ResponseBodyWriter {
    public func start() throws {}

    /// The copy path: pread(2) into a buffer, then `write`, a chunk at a time.
    public func sendFile(_ descriptor: Int32, offset: Int64, count: Int64) async throws {
        try await FileRegionCopy.send(descriptor, offset: offset, count: count, to: self)
    }
}

/// The response the app builds: status, headers, body, trailers.
///
/// The body is buffered until the handler flushes, completes or returns: a handler that
/// writes and returns gets `Content-Length` computed for it; a handler that flushes first
/// gets chunked transfer coding (or a close-delimited body for HTTP/1.0 clients).
/// Setting `contentLength` up front streams with that length instead.
public final class HTTPResponse {
    /// The status code; changing it after the response has started has no effect.
    @exclusivity(unchecked) @usableFromInline var _status: Int = 200
    public var status: Int {
        get { _status }
        _modify { yield &_status }
        set { _status = newValue }
    }
    /// Overrides the standard reason phrase.
    @exclusivity(unchecked) @usableFromInline var _reasonPhrase: String?
    public var reasonPhrase: String? {
        get { _reasonPhrase }
        _modify { yield &_reasonPhrase }
        set { _reasonPhrase = newValue }
    }
    @exclusivity(unchecked) @usableFromInline var _headers: HTTPFields = HTTPFields()
    public var headers: HTTPFields {
        get { _headers }
        _modify { yield &_headers }
        set { _headers = newValue }
    }
    /// Sent after the body, with chunked transfer coding only.
    @exclusivity(unchecked) @usableFromInline var _trailers: HTTPFields = HTTPFields()
    public var trailers: HTTPFields {
        get { _trailers }
        _modify { yield &_trailers }
        set { _trailers = newValue }
    }
    /// Whether any trailer is set, asked without copying the list (a server asks it for
    /// every response it finishes).
    @inlinable public var hasTrailers: Bool { !_trailers.isEmpty }
    /// Body bytes the app has written (or sent from files) since the response began; what
    /// a request log reports.
    @exclusivity(unchecked) @usableFromInline var _bodyBytesWritten = 0
    public var bodyBytesWritten: Int { _bodyBytesWritten }
    /// Set by the server for each request.
    @exclusivity(unchecked) @usableFromInline var _writer: ResponseBodyWriter?
    public var writer: ResponseBodyWriter? {
        get { _writer }
        _modify { yield &_writer }
        set { _writer = newValue }
    }

    public init() {}

    /// Sets the writer for a request; the server calls it for each one, with the same
    /// writer as a rule, which is then not stored again (a retain and a release saved).
    package func useWriter(_ writer: ResponseBodyWriter) {
        if _writer !== writer { _writer = writer }
    }

    public var hasStarted: Bool { writer?.hasStarted ?? false }

    public var contentType: String? {
        get { headers["Content-Type"] }
        set { headers["Content-Type"] = newValue }
    }

    /// The declared body length; nil lets the server choose. Kept as a number (as Kestrel
    /// keeps `ContentLength` in its own slot), so the server neither formats nor parses it:
    /// setting it removes any `Content-Length` field, and a field set after it wins.
    public var contentLength: Int? {
        get { _headers.isEmpty ? _declaredLength : (headers["Content-Length"].flatMap { Int($0) } ?? _declaredLength) }
        set {
            _declaredLength = newValue
            if !_headers.isEmpty { _headers.remove("Content-Length") }
        }
    }
    /// The number last set through `contentLength`, without looking at the fields: what a
    /// server reads beside the `Content-Length` field it finds itself (which, when present,
    /// was set later and wins).
    public var declaredLength: Int? { _declaredLength }
    @exclusivity(unchecked) @usableFromInline var _declaredLength: Int?

    public func write(_ text: String) async throws {
        var text = text
        let mustWait = try text.withUTF8 { try writeNow(UnsafeRawBufferPointer($0)) }
        if mustWait { try await writer?.waitUntilWritable() }
    }

    public func write(_ bytes: [UInt8]) async throws {
        let mustWait = try bytes.withUnsafeBytes { try writeNow($0) }
        if mustWait { try await writer?.waitUntilWritable() }
    }

    public func write(_ bytes: ArraySlice<UInt8>) async throws {
        let mustWait = try bytes.withUnsafeBytes { try writeNow($0) }
        if mustWait { try await writer?.waitUntilWritable() }
    }

    /// Writes from memory the caller keeps valid for the call.
    public func write(_ bytes: UnsafeRawBufferPointer) async throws {
        if try writeNow(bytes) { try await writer?.waitUntilWritable() }
    }

    public func flush() async throws { try await writer?.flush() }

    /// Fixes the status and headers now, without sending anything yet (ASP.NET's
    /// `StartAsync`): later changes to them have no effect, and body bytes written next need
    /// not be buffered. Without `contentLength` the body is then streamed (chunked).
    public func start() throws { try writer?.start() }

    /// Ends the response now; the handler may go on with other work.
    public func complete() async throws { try await writer?.complete() }

    /// Sets a redirect (302, or 301 when permanent) to `location`.
    public func redirect(to location: String, permanent: Bool = false) {
        status = permanent ? 301 : 302
        headers["Location"] = location
    }

    private func writeNow(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard let writer else { throw ConnectionAbortedError("The response has no server connection to write to.") }
        let mustWait = try writer.write(bytes)
        _bodyBytesWritten &+= bytes.count
        return mustWait
    }

    /// Back to a fresh 200 with no headers: for the next request on a reused context, or for
    /// an error handler replacing a response that has not started.
    public func reset() {
        status = 200
        _bodyBytesWritten = 0
        _declaredLength = nil
        reasonPhrase = nil
        headers.removeAll(keepingCapacity: true)
        trailers.removeAll(keepingCapacity: true)
    }
}
