import HostctlCore
import HostctlHTTP1
import HostctlHTTP2
import HostctlHosting

/// HTTP/2's framing of what the exchange reads and writes: the head from HEADERS, the body
/// from DATA with the client's windows reopened as the app reads, the response as HEADERS,
/// DATA within the peer's windows and trailers, and RST_STREAM for an abort.
extension HTTP2Stream: ExchangeDriver {
    // MARK: The request body

    var requestBodyBytesReceived: Int { requestBodyReceived }

    func requestBodyReadingStarted() {
        // A tunnel's body is a conversation, not an upload: no size limit (as Kestrel lifts
        // it for upgraded requests). The limit is fixed from now on, so this is the moment.
        if isExtendedConnect { exchange.context?.maxRequestBodySize = nil }
        // 100-continue, as on HTTP/1.1: only once the app reads (RFC 9110 §10.1.1).
        guard !continueSent, !requestEnded, !exchange.response.committed, expectsContinue else { return }
        continueSent = true
        _ = try? connection.machine.writeHeaders(id, status: 100, fields: HTTPFields(), endStream: false, output: connection.output)
        connection.scheduleFlush()
    }

    private var expectsContinue: Bool {
        guard let head else { return false }
        for index in 0..<head.headerCount {
            let found = head.withHeader(at: index) { name, value in
                name.count == 6 && ASCII.equalsLowercased(name, "expect") && value.count == 12 && ASCII.equalsLowercased(value, "100-continue")
            }
            if found { return true }
        }
        return false
    }

    func readRequestBody(into request: HTTPRequest, _ consume: (UnsafeRawBufferPointer) throws -> Int) rethrows -> RequestBodyRead {
        if let body = requestBody, !body.isEmpty {
            let taken = max(0, min(try consume(body.readableBytes), body.readableCount))
            body.consume(taken)
            connection.requestBodyConsumed(taken, on: self)
            return .bytes(taken)
        }
        guard requestEnded else { return isReset ? .rejected(.unexpectedEndOfRequestContent) : .waiting }
        if let trailers = requestTrailers, request.trailers.isEmpty {
            for index in 0..<trailers.count {
                request.trailers.append(
                    name: String(decoding: trailers.name(at: index), as: UTF8.self), value: String(decoding: trailers.value(at: index), as: UTF8.self)
                )
            }
        }
        return .end
    }

    /// The client's windows reopen as the app reads (`requestBodyConsumed`): nothing to ask.
    func requestBodyWanted() {}

    // MARK: The response

    /// HTTP/2 sends trailers after a body of any length.
    func mayFixResponseLength(withTrailers: Bool) -> Bool { true }

    func writeResponseHead(
        status: Int, reason: String?, fields: HTTPFields, length: ResponseLength, closeRequested: Bool,
        date: UnsafeRawBufferPointer?, server: StaticString?
    ) throws(ResponseUsageError) {
        var contentLength: Int?
        if case .exact(let count) = length { contentLength = count }
        // No body can follow: END_STREAM goes on the HEADERS frame.
        let ends = length == .none || head?.method == .head
        do {
            try connection.machine.writeHeaders(
                id, status: status, fields: fields, contentLength: contentLength, date: date, server: server, endStream: ends, output: connection.output
            )
        } catch {
            // A bad header name or value is the app's doing.
            throw ResponseUsageError(description: "The response cannot be written: \(error)")
        }
        if ends {
            endRequested = true
            endSent = true
        }
        connection.scheduleFlush()
    }

    func writeResponseBody(_ bytes: UnsafeRawBufferPointer) {
        guard !isReset, !endSent else { return }
        let body: ByteBuffer
        if let responseBody {
            body = responseBody
        } else {
            body = ByteBuffer(capacity: max(256, bytes.count))
            responseBody = body
        }
        // A large write with nothing before it goes straight into frames, as far as the
        // windows allow; small ones wait, so a short body can leave with END_STREAM in one frame.
        let room = connection.outputRoom
        if body.isEmpty, bytes.count >= Self.directFramingThreshold, room > 0 {
            let allowed = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, room)])
            let written = connection.machine.writeData(allowed, stream: id, endStream: false, output: connection.output)
            connection.scheduleFlush()
            guard written < bytes.count else { return }
            body.append(UnsafeRawBufferPointer(rebasing: bytes[written...]))
            connection.outputWanted(self)
            return
        }
        body.append(bytes)
        connection.outputWanted(self)
    }

    static let directFramingThreshold = 4096

    func finishResponseBody(of response: HTTPResponse) throws(ResponseUsageError) {
        guard !isReset, !endSent else { return }
        let trailers = response.trailers
        if !trailers.isEmpty { responseTrailers = trailers }
        endRequested = true
        connection.outputWanted(self)
    }

    /// Kestrel's answer to a request rejected mid-body: the status, Content-Length: 0, Date
    /// and Server, and END_STREAM (the rest of the request body is refused with RST_STREAM
    /// NO_ERROR when the stream is finished).
    func writeMinimalResponse(status: Int) {
        guard !isReset, !endSent else { return }
        let server: StaticString? = connection.settings.addsServerHeader ? "hostctl" : nil
        _ = try? connection.machine.writeHeaders(
            id, status: status, fields: HTTPFields(), contentLength: 0, date: connection.state.dates.bytes, server: server, endStream: true,
            output: connection.output
        )
        responseBody?.clear()
        endRequested = true
        endSent = true
        connection.scheduleFlush()
    }

    /// A cache hit: the stored fields with a fresh Age and Date, then the body unless the
    /// request is HEAD.
    func writeCachedResponse(_ entry: CachedResponse, age: Int, sendsBody: Bool) {
        var fields = entry.fields
        fields.append(name: "age", value: String(age))
        let body = entry.body
        let ends = !sendsBody || body.isEmpty
        _ = try? connection.machine.writeHeaders(
            id, status: 200, fields: fields, contentLength: body.count, date: connection.state.dates.bytes, server: entry.server, endStream: ends,
            output: connection.output
        )
        if ends {
            endRequested = true
            endSent = true
            connection.scheduleFlush()
        } else {
            writeResponseBody(body)
            endRequested = true
            connection.outputWanted(self)
        }
    }

    /// HTTP.sys's answer to a full request queue, for one stream: RST_STREAM REFUSED_STREAM
    /// (the client may retry it: nothing was processed) or a 503. The connection goes on.
    func turnAway(_ answer: RequestQueueFullResponse) {
        switch answer {
        case .reset:
            connection.machine.resetStream(id, code: .refusedStream, output: connection.output)
            isReset = true
            connection.scheduleFlush()
        case .serviceUnavailable:
            writeMinimalResponse(status: 503)
        }
    }

    var unsentResponseBytes: Int { responseBody?.readableCount ?? 0 }

    /// What the app wrote is framed now, as far as the windows and the output's room allow
    /// (the rest when they open); it leaves with the batch's send.
    /// A file's bytes travel in DATA frames within the peer's windows: the exchange reads
    /// them and writes them as any body (`sendFile` is never called).
    var canSendFiles: Bool { false }

    func sendFile(_ descriptor: Int32, offset: Int64, count: Int) async throws {
        preconditionFailure("HTTP/2 streams copy a file's bytes into DATA frames: canSendFiles is false")
    }

    var connectionNumber: UInt64 { connection.id }

    func flushResponse() {
        if let body = responseBody, !body.isEmpty, !isReset {
            let room = connection.outputRoom
            if room > 0, frameOutput(into: connection.output, quantum: room) == false {
                connection.scheduleFlush()
                return
            }
            connection.outputWanted(self)
        }
        connection.scheduleFlush()
    }

    // MARK: Lifetime

    func wait(for reason: ExchangeWait) async { await park(for: reason) }

    func wakeExchange() { wake() }

    /// The app aborted, or its response went wrong after it started: RST_STREAM
    /// INTERNAL_ERROR, as Kestrel resets it; the connection goes on.
    func abortExchange(reason: String) {
        guard !isReset else { return }
        connection.machine.resetStream(id, code: .internalError, output: connection.output)
        abandon(reason: reason)
        connection.scheduleFlush()
    }
}

extension HTTP2Stream: RequestHeadSource {
    private static let hostName: StaticString = "host"

    private func bytes(_ range: Range<Int>?) -> UnsafeRawBufferPointer {
        guard let head, let range else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return head.fields.bytes(range)
    }

    func withRawTarget<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(bytes(head?.target)) }

    func withRawPath<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(bytes(head?.path)) }

    func withRawQuery<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R { body(head?.query.map { bytes($0) }) }

    func withRequestAuthority<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(bytes(head?.authority)) }

    /// The regular fields, after a Host field made from :authority when the request sent none.
    var headerCount: Int { (head?.headerCount ?? 0) + (synthesizesHost ? 1 : 0) }

    func withHeader<R>(at index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        if synthesizesHost {
            if index == 0 {
                return body(UnsafeRawBufferPointer(start: Self.hostName.utf8Start, count: Self.hostName.utf8CodeUnitCount), bytes(head?.authority))
            }
            return head!.withHeader(at: index - 1, body)
        }
        return head!.withHeader(at: index, body)
    }

    func decodePath(_ raw: UnsafeRawBufferPointer) -> String { HTTP1Target.decodePath(raw) }

    var extendedConnectProtocol: String? { head?.string(head?.connectProtocol) }
}
