import HostctlCore
import HostctlHosting

/// What the version-neutral request layer (`HTTPExchange`) asks of the protocol driver that
/// framed its request (Kestrel's split between HttpProtocol and Http1Connection/Http2Stream):
/// the driver owns the bytes — the head, the body's framing, the response's framing and the
/// output buffers — and the task that runs the exchange; the exchange owns the rules every
/// version shares.
///
/// HTTP/1.1 implements it over one connection, one exchange at a time; HTTP/2 over each
/// stream, many at once. Every call happens on the connection's loop.
protocol ExchangeDriver: AnyObject, RequestHeadSource {
    // MARK: The request

    /// The request's authority, raw: the Host field (HTTP/1.1) or `:authority` (HTTP/2);
    /// empty when there is none.
    func withRequestAuthority<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
    /// Bytes received for this request's body so far, framing included (the minimum body
    /// data rate counts these from when the app first reads).
    var requestBodyBytesReceived: Int { get }
    /// The app reads the body for the first time (HTTP/1.1 answers `Expect: 100-continue` now).
    func requestBodyReadingStarted()
    /// Offers decoded body bytes to `consume`, which returns how many it took; never waits.
    /// At the end of the body the driver has copied its trailers into `request`.
    func readRequestBody(into request: HTTPRequest, _ consume: (UnsafeRawBufferPointer) throws -> Int) rethrows -> RequestBodyRead
    /// The exchange is about to wait for body bytes: ask the peer for more (resume reading,
    /// open a flow-control window).
    func requestBodyWanted()

    // MARK: The response

    /// Whether the response may be given a fixed length when it has trailers (HTTP/1.1
    /// sends trailers only with chunked coding, and HTTP/1.0 not at all).
    func mayFixResponseLength(withTrailers: Bool) -> Bool
    /// Writes the status and fields with the framing `length` asks for. `fields` are the
    /// app's, without the framing fields (the server owns those); `closeRequested`: the app
    /// set `Connection: close`; `date` and `server` are the values to add, nil when the app
    /// set its own (or the Server option is off).
    func writeResponseHead(
        status: Int, reason: String?, fields: HTTPFields, length: ResponseLength, closeRequested: Bool,
        date: UnsafeRawBufferPointer?, server: StaticString?
    ) throws(ResponseUsageError)
    func writeResponseBody(_ bytes: UnsafeRawBufferPointer)
    /// Appends `count` bytes of the file from `offset` to the body as `writeResponseBody`
    /// frames them, read where they will be sent from when the driver can (one copy, the
    /// kernel's), and hands them to `appended` (the response cache's capture). Throws when
    /// the file cannot be read or ends first.
    func writeResponseBody(fromFile descriptor: Int32, offset: Int64, count: Int, appended: (UnsafeRawBufferPointer) -> Void) throws
    /// Ends the body: the last chunk and `response`'s trailers, an end-of-stream flag, or
    /// nothing. (The response rather than its trailers: most have none, and a copy of the
    /// list costs a reference count each way.)
    func finishResponseBody(of response: HTTPResponse) throws(ResponseUsageError)
    /// A status with no body, nothing else: for a request the server rejects mid-body.
    func writeMinimalResponse(status: Int)
    /// A response from the response cache, with its age in seconds.
    func writeCachedResponse(_ entry: CachedResponse, age: Int, sendsBody: Bool)
    /// A request that finds HTTP.sys's request queue full: reset or refused with 503, and
    /// the connection ends.
    func turnAway(_ answer: RequestQueueFullResponse)
    /// Whether `sendFile` moves a file's bytes without copying them here (the transport
    /// below can: not through TLS). When not, the exchange reads and writes them.
    var canSendFiles: Bool { get }
    /// Sends `count` bytes of the file after the response bytes written so far, framed as
    /// the response's body (a chunk under chunked coding), and returns once they are out.
    func sendFile(_ descriptor: Int32, offset: Int64, count: Int) async throws
    /// Response bytes buffered and not yet sent: the app's writes wait while this is over
    /// the response buffer limit.
    var unsentResponseBytes: Int { get }
    /// Hands buffered response bytes to the transport now.
    func flushResponse()

    // MARK: Lifetime

    /// The connection's number, for the server's log entries.
    var connectionNumber: UInt64 { get }

    /// Suspends the task running the exchange until the driver has news for it (body bytes,
    /// room to write, a timeout, an abort).
    func wait(for reason: ExchangeWait) async
    /// Resumes the exchange's task if it waits (the exchange has failed its body read).
    func wakeExchange()
    /// The exchange must end now, its response unfinished: HTTP/1.1 closes the connection,
    /// HTTP/2 resets the stream.
    func abortExchange(reason: String)
}

extension ExchangeDriver {
    /// Through a buffer, for drivers that frame body bytes as they take them (HTTP/2).
    func writeResponseBody(fromFile descriptor: Int32, offset: Int64, count: Int, appended: (UnsafeRawBufferPointer) -> Void) throws {
        try FileRegionCopy.withBytes(descriptor, at: offset, count: count) { bytes in
            writeResponseBody(bytes)
            appended(bytes)
        }
    }
}

/// What an exchange's task is waiting for, so the driver knows what wakes it.
enum ExchangeWait: Equatable {
    case nothing, request, body, writable, drain, file
}

/// What `readRequestBody` found.
enum RequestBodyRead {
    /// `consume` took this many bytes (possibly none).
    case bytes(Int)
    /// Nothing buffered: wait, then try again.
    case waiting
    /// The body is complete.
    case end
    /// The body is malformed or was cut short.
    case rejected(RequestRejection)
}

/// How the response's body is framed, in terms every version shares.
enum ResponseLength: Equatable {
    /// A Content-Length: the app declared it, or the whole body was written before the head.
    case exact(Int)
    /// Streamed: HTTP/1.1 chunks it, HTTP/1.0 closes after it, HTTP/2 ends the stream.
    case unknown
    /// The status allows no body (1xx, 204, 304).
    case none
}
