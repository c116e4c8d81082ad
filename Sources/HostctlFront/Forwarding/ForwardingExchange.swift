import Glibc
import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// One request forwarded over one app connection and its response relayed back, both bodies
/// streamed: never more than a bounded amount of either is held, because the side that is
/// ahead waits for the other.
///
/// - Upload: client body bytes are copied into the connection's send buffer (chunk-framed
///   when the client's body was chunked) until it holds `sendSize` bytes or the client has
///   nothing more for now, then sent; while that send is unfinished (the app's socket is
///   full), no more is read, so the client's bytes stay in the front's receive buffer, which
///   stops reading from the client when full.
/// - Download: the app's bytes are decoded as they arrive and written to the client's
///   response; when the client's output is over its limit the exchange waits for it, the
///   connection's input fills to `AppConnection.maxBufferedInput`, and reading from the app
///   pauses.
///
/// Both run in the client connection's task on its loop, interleaved: response bytes are
/// relayed whenever the exchange wakes, so an app that answers while still reading the body
/// (an echo) is not deadlocked by an upload that waits for it. While the exchange waits for
/// the client's next body bytes, though, it learns of the app's bytes only when they come.
struct ForwardingExchange {
    /// Bytes of request body gathered per send to the app.
    static let sendSize = 64 * 1024

    let context: HTTPContext
    let connection: AppConnection
    let endpoint: AppEndpoint
    let requestTimeout: Int64
    /// Set for an HTTP/2 extended CONNECT forwarded as a WebSocket upgrade: the key the head
    /// carries, which the app's 101 must answer.
    private let webSocketKey: String?
    /// The tunnel's idle limit, once the app has switched protocols.
    private let tunnelIdleTimeout: Int64

    private let requestFraming: HTTP1BodyFraming
    /// The whole request, head and body, has been handed to the connection.
    private var requestSent = false

    private var parser = HTTP1ResponseHeadParser()
    /// Set once the response head has arrived.
    private var decoder: HTTP1ResponseBodyDecoder?
    private var keepsConnection = false
    private var bodyWrittenSinceFlush = false
    /// Body bytes went to the client's response (maybe still buffered there, unsent).
    private(set) var wroteResponseBody = false
    private(set) var isComplete = false
    /// The app answered the WebSocket upgrade with 101: the rest is a tunnel.
    private var switchedToTunnel = false

    init(
        context: HTTPContext, connection: AppConnection, endpoint: AppEndpoint, requestTimeout: Duration,
        webSocketKey: String?, tunnelIdleTimeout: Duration
    ) {
        self.context = context
        self.connection = connection
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout.nanoseconds
        self.webSocketKey = webSocketKey
        self.tunnelIdleTimeout = tunnelIdleTimeout.nanoseconds
        let body = context.request.body
        // An upgrade's head has no body: the client's DATA is the tunnel's, sent after the 101.
        if !body.isPresent || webSocketKey != nil {
            requestFraming = .none
        } else if let length = context.request.contentLength {
            requestFraming = .contentLength(length)
        } else {
            requestFraming = .chunked
        }
    }

    /// Whether the connection may serve another request: the response was complete and
    /// persistent, and the request went out whole.
    var leavesConnectionReusable: Bool { isComplete && keepsConnection && requestSent }

    private var now: Int64 { connection.pool.loop.now }

    /// Forwards the request and relays the response. Throws `ForwardingFailure` for what went
    /// wrong with the app, and the client side's errors (aborted, bad body) as they are.
    mutating func run() async throws {
        guard let out = connection.outbound else { throw ForwardingFailure.connectionLost(errno: nil) }
        try ForwardedRequestHead.write(
            context, endpoint: endpoint, framing: requestFraming,
            forwardedFor: connection.forwardedFor, forwardedProto: connection.forwardedProto, webSocketKey: webSocketKey, into: out
        )
        requestSent = requestFraming == .none
        if requestSent { connection.flushAfterEvents() } else { connection.flush() }
        connection.deadline = now + requestTimeout
        while true {
            if try await relayResponse() {
                if switchedToTunnel {
                    let tunnel = ExtendedConnectTunnel(context: context, connection: connection, idleTimeout: tunnelIdleTimeout)
                    try await tunnel.run()
                }
                isComplete = true
                return
            }
            if let problem = connectionProblem() { throw problem }
            // The client's body is looked at last, with no suspension between the look and
            // the wait it decides: the relay may have waited for the client, and both sides
            // may have moved meanwhile (a wait chosen from an older look can wait forever).
            if !requestSent {
                switch try sendRequestBody() {
                case .sent:
                    continue
                case .clientHasNothing:
                    try await context.request.body.waitForData()
                    continue
                case .appIsFull, .finished:
                    break
                }
            }
            await connection.wait()
        }
    }

    // MARK: Request body

    private enum UploadProgress {
        /// Bytes went to the app: look at both sides again.
        case sent
        /// The client has sent nothing more yet, and the app could take it.
        case clientHasNothing
        /// A send to the app is unfinished (its socket is full); `sendCompleted` wakes the exchange.
        case appIsFull
        /// The whole body has been handed to the connection.
        case finished
    }

    /// Moves client body bytes to the app until a send is left unfinished (the app's socket
    /// is full), the client has nothing more for now, or the body is done.
    private mutating func sendRequestBody() throws -> UploadProgress {
        let chunked = requestFraming == .chunked
        var sent = false
        while let out = connection.outbound, !connection.isClosing, !connection.isClosed {
            var state = RequestBodyAvailability.bytes
            while state == .bytes, out.readableCount < Self.sendSize {
                state = try context.request.body.readAvailable { bytes in
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, Self.sendSize - out.readableCount)])
                    if chunked { HTTP1ResponseWriter.writeChunk(into: out, piece) } else { out.append(piece) }
                    return piece.count
                }
            }
            if state == .end {
                if chunked { try HTTP1ResponseWriter.writeLastChunk(into: out, trailers: forwardedRequestTrailers()) }
                requestSent = true
            }
            if !out.isEmpty {
                connection.flush()
                sent = true
                // An upload in progress is the app reading, not the app being slow to answer.
                if decoder == nil { connection.deadline = now + requestTimeout }
            }
            if requestSent { return .finished }
            if state == .waiting { return sent ? .sent : .clientHasNothing }
            // The send went out at once and the client has more: go on.
        }
        // A send is unfinished, or the connection is closing (the caller finds out which).
        return sent ? .sent : .appIsFull
    }

    /// The client's trailers (known once its chunked body ended), minus hop-by-hop fields.
    private func forwardedRequestTrailers() -> HTTPFields {
        var trailers = context.request.trailers
        guard !trailers.isEmpty else { return trailers }
        for field in trailers.fields where HopByHopFields.contains(field.name) { trailers.remove(field.name) }
        return trailers
    }

    // MARK: Response

    /// Passes on what the app has sent so far; true once the response is complete.
    private mutating func relayResponse() async throws -> Bool {
        guard let writer = context.response.writer else { throw ConnectionAbortedError("The request is over.") }
        while true {
            guard decoder != nil else {
                if try readResponseHead() {
                    if switchedToTunnel { return true }
                    continue
                }
                if let problem = connectionProblem() { throw problem }
                if connection.inputEnded { throw ForwardingFailure.connectionLost(errno: nil) }
                return false
            }
            let input = connection.inbound.readableBytes
            let step: HTTP1BodyDecoder.Step
            do {
                step = try decoder!.decode(input)
            } catch {
                throw ForwardingFailure.invalidResponse(error)
            }
            var mustWait = false
            if let data = step.data, !data.isEmpty {
                // The writer copies before returning, so the bytes need not outlive the call.
                mustWait = try writer.write(UnsafeRawBufferPointer(rebasing: input[data]))
                wroteResponseBody = true
                bodyWrittenSinceFlush = true
            }
            connection.consume(step.consumed)
            if step.isComplete {
                finishResponse()
                return true
            }
            if mustWait {
                try await writer.waitUntilWritable()
                bodyWrittenSinceFlush = false
            }
            guard step.consumed == 0, step.data == nil else { continue }
            // Everything the app sent so far has been used.
            if connection.inputEnded {
                do {
                    try decoder!.inputEnded()
                } catch {
                    throw ForwardingFailure.connectionLost(errno: nil)
                }
                finishResponse()
                return true
            }
            if let problem = connectionProblem() { throw problem }
            // Send what the client can have now (the head, at least), rather than wait for
            // the writer's buffer to fill: a streamed response must stream.
            if bodyWrittenSinceFlush || !context.response.hasStarted {
                try await writer.flush()
                bodyWrittenSinceFlush = false
            }
            return false
        }
    }

    /// Parses the response head from the connection's input, skipping interim (1xx) heads.
    /// Returns true once the final head is applied to the client's response.
    private mutating func readResponseHead() throws -> Bool {
        while true {
            let input = connection.inbound.readableBytes
            let progress: HTTP1ResponseHeadParser.Progress
            do {
                progress = try parser.parse(input, into: &connection.responseHead)
            } catch {
                throw ForwardingFailure.invalidResponse(error)
            }
            switch progress {
            case .needMore:
                return false
            case .interim:
                // 100 and 103 are not passed on: the front's server has no way to send them.
                connection.consume(connection.responseHead.length)
                parser.reset()
            case .complete:
                try startResponse(connection.responseHead, base: input.baseAddress!)
                connection.consume(connection.responseHead.length)
                return true
            }
        }
    }

    /// The app's status and fields become the client's, minus hop-by-hop fields; the body's
    /// length stays when the app declared one, else the front's writer picks the framing.
    private mutating func startResponse(_ head: HTTP1ResponseHead, base: UnsafeRawPointer) throws {
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count) }
        if head.status == 101 {
            guard let webSocketKey else { throw ForwardingFailure.unexpectedSwitchingProtocols }
            try acceptWebSocket(head, key: webSocketKey, bytes)
            return
        }
        let response = context.response
        response.status = head.status
        if !head.reason.isEmpty, !ASCII.equalsIgnoringCase(bytes(head.reason), HTTPStatus.reasonPhrase(head.status)) {
            response.reasonPhrase = String(decoding: bytes(head.reason), as: UTF8.self)
        }
        var connectionOptions = ConnectionOptionNames()
        for field in head.fields where HopByHopFields.isConnection(bytes(field.name)) {
            connectionOptions.add(listedIn: bytes(field.value))
        }
        for field in head.fields {
            let name = bytes(field.name)
            if HopByHopFields.contains(name) || (name.count == 14 && ASCII.equalsLowercased(name, "content-length")) { continue }
            if !connectionOptions.isEmpty, connectionOptions.contains(name) { continue }
            response.headers.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: bytes(field.value), as: UTF8.self))
        }
        let method = context.request.method
        let framing = head.bodyFraming(requestMethod: method)
        if case .contentLength(let length) = framing {
            response.headers.append(name: "Content-Length", value: String(length))
        } else if method == .head, let length = head.contentLength, !head.hasTransferEncoding {
            response.headers.append(name: "Content-Length", value: String(length))  // HEAD: the GET's length
        }
        keepsConnection = head.keepsConnection(framing: framing)
        decoder = HTTP1ResponseBodyDecoder(framing: framing, limits: parser.limits)
        connection.deadline = nil
    }

    /// The app's 101 to the WebSocket upgrade becomes the extended CONNECT's 200 (RFC 8441
    /// §5), once its Sec-WebSocket-Accept proves it answered this handshake (RFC 6455 §4.1:
    /// else the handshake failed, and the front answers 502). The end-to-end fields go with
    /// it (Sec-WebSocket-Protocol and -Extensions among them); the accept is this hop's.
    private mutating func acceptWebSocket(_ head: HTTP1ResponseHead, key: String, _ bytes: (Range<Int>) -> UnsafeRawBufferPointer) throws {
        var accepted = false
        var upgradesToWebSocket = false
        for field in head.fields {
            let name = bytes(field.name)
            if Self.isWebSocketAccept(name) {
                accepted = WebSocketHandshake.isAccepted(bytes(field.value), key: key)
            } else if FrontFieldName(name) == .upgrade {
                upgradesToWebSocket = ASCII.equalsIgnoringCase(bytes(field.value), "websocket")
            }
        }
        guard accepted, upgradesToWebSocket else { throw ForwardingFailure.webSocketNotAccepted }
        let response = context.response
        response.status = 200
        for field in head.fields {
            let name = bytes(field.name)
            let kind = FrontFieldName(name)
            if kind.isHopByHop || kind == .contentLength || Self.isWebSocketAccept(name) { continue }
            response.headers.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: bytes(field.value), as: UTF8.self))
        }
        keepsConnection = false  // the connection is the tunnel's now, never the pool's again
        switchedToTunnel = true
        connection.deadline = nil
    }

    private static func isWebSocketAccept(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count == 20 && ASCII.equalsLowercased(name, "sec-websocket-accept")
    }

    private mutating func finishResponse() {
        if let trailers = decoder?.trailers, !trailers.isEmpty {
            for trailer in trailers where !HopByHopFields.contains(trailer.name) {
                context.response.trailers.append(name: trailer.name, value: trailer.value)
            }
        }
        // Bytes after the response: the app and the front disagree about framing.
        if !connection.inbound.isEmpty { keepsConnection = false }
    }

    // MARK: The connection

    /// What ended the exchange on the connection's side, if anything has.
    private func connectionProblem() -> (any Error)? {
        if connection.clientAborted { return ConnectionAbortedError("The client closed the connection.") }
        if connection.timedOut { return ForwardingFailure.timedOut(seconds: requestTimeout / 1_000_000_000) }
        guard connection.failure != nil || connection.isClosed || connection.isClosing else { return nil }
        if !connection.isEstablished { return ForwardingFailure.connectFailed(errno: connection.failure ?? ECONNREFUSED) }
        return ForwardingFailure.connectionLost(errno: connection.failure)
    }
}
