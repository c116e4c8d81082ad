import Glibc
import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// HTTP/1.1's framing of what the exchange reads and writes: the head in the receive
/// buffer, Content-Length and chunked bodies, 100-continue, and the response's framing
/// (Content-Length, chunked, or close-delimited for HTTP/1.0) with keep-alive decided here.
extension HTTP1Connection: ExchangeDriver {
    // MARK: The request body

    var requestBodyBytesReceived: Int { totalBytesReceived }

    func requestBodyReadingStarted() {
        // Lazily, as Kestrel does: a client that sent `Expect: 100-continue` gets its 100
        // only once the app reads.
        guard let request, request.head.expectsContinue, !request.body.continueSent,
              !request.exchange.response.committed, !request.body.finished
        else { return }
        request.body.continueSent = true
        HTTP1ResponseWriter.writeContinue(into: output)
        sendOutput()
    }

    var connectionNumber: UInt64 { id }

    func readRequestBody(into httpRequest: HTTPRequest, _ consume: (UnsafeRawBufferPointer) throws -> Int) rethrows -> RequestBodyRead {
        guard let request else { return .end }
        let read = try decodeRequestBody(request, consume)
        if case .end = read { copyTrailers(request, into: httpRequest) }
        return read
    }

    /// The body's framing decoded from the receive buffer: bytes offered to `consume`, or
    /// where the body stands. The pipeline's exchange and a forwarder both read through it.
    func decodeRequestBody(_ request: HTTP1RequestState, _ consume: (UnsafeRawBufferPointer) throws -> Int) rethrows -> RequestBodyRead {
        guard let inbound else { return request.body.finished ? .end : .waiting }
        while true {
            if !request.body.pending.isEmpty {
                let range = request.body.pending
                let bytes = UnsafeRawBufferPointer(start: inbound.base! + range.lowerBound, count: range.count)
                let taken = max(0, min(try consume(bytes), range.count))
                request.body.pending = (range.lowerBound + taken)..<range.upperBound
                resumeReadingIfRoom()
                return .bytes(taken)
            }
            if request.body.finished { return .end }
            guard var decoder = request.body.decoder else { return .end }
            let start = request.body.cursor
            let available = UnsafeRawBufferPointer(start: inbound.base! + start, count: inbound.writerIndex - start)
            let step: HTTP1BodyDecoder.Step
            do {
                step = try decoder.decode(available)
            } catch {
                request.body.decoder = decoder
                keepAlive = false
                return .rejected(.parse(error.reason))
            }
            request.body.decoder = decoder
            request.body.cursor += step.consumed
            if let data = step.data { request.body.pending = (start + data.lowerBound)..<(start + data.upperBound) }
            if step.isComplete { request.body.finished = true }
            if step.consumed > 0 || step.data != nil || step.isComplete { continue }
            if inputEnded || closed {
                keepAlive = false
                return .rejected(.unexpectedEndOfRequestContent)
            }
            return .waiting
        }
    }

    func requestBodyWanted() {
        resumeReadingIfRoom()
    }

    private func copyTrailers(_ request: HTTP1RequestState, into httpRequest: HTTPRequest) {
        guard !request.body.trailersCopied, let decoder = request.body.decoder else { return }
        request.body.trailersCopied = true
        for trailer in decoder.trailers { httpRequest.trailers.append(name: trailer.name, value: trailer.value) }
    }

    /// Moves the body bytes still needed (decoded but not yet taken, and not yet decoded)
    /// down over the ones the app has consumed, keeping the head in place, so a long upload
    /// does not grow the buffer. Bytes the app has not taken yet may be pending when more
    /// arrive (a reader that waits for its own sends, as the front does on io_uring), so the
    /// gap ends where the pending bytes start.
    func compactBodyGap(_ buffer: ByteBuffer) {
        guard let request, let base = buffer.base else { return }
        let headEnd = buffer.readerIndex + request.head.length
        let keepFrom = request.body.pending.isEmpty ? request.body.cursor : min(request.body.pending.lowerBound, request.body.cursor)
        let gap = keepFrom - headEnd
        guard gap >= 16 * 1024 || (gap > 0 && buffer.writableCount < 4096) else { return }
        let remaining = buffer.writerIndex - keepFrom
        if remaining > 0 { memmove(base + headEnd, base + keepFrom, remaining) }
        buffer.truncateReadable(to: request.head.length + remaining)
        request.body.cursor -= gap
        if !request.body.pending.isEmpty {
            request.body.pending = (request.body.pending.lowerBound - gap)..<(request.body.pending.upperBound - gap)
        }
    }

    func resumeReadingIfRoom() {
        guard readingPaused, let inbound, unconsumedInput(inbound) < settings.maxRequestBufferSize / 2 else { return }
        readingPaused = false
        transport.resumeReading()
    }

    // MARK: The response

    @inline(__always)
    func mayFixResponseLength(withTrailers: Bool) -> Bool {
        !withTrailers || request?.head.version == .http1_0
    }

    func writeResponseHead(
        status: Int, reason: String?, fields: HTTPFields, length: ResponseLength, closeRequested: Bool,
        date: UnsafeRawBufferPointer?, server: StaticString?
    ) throws(ResponseUsageError) {
        guard let request else { throw ResponseUsageError(description: "The request is over.") }
        let version = request.head.version
        var framing: HTTP1ResponseFraming
        switch length {
        case .exact(let length):
            framing = .contentLength(length)
        case .unknown where version == .http1_1:
            framing = .chunked
        case .unknown:
            framing = .closeDelimited
            keepAlive = false
        case .none:
            framing = .noBody
        }
        if closeRequested || draining || request.exchange.body.error != nil { keepAlive = false }
        // A client that asked for 100-continue and was not answered may never send its
        // body, so the connection cannot be reused: say so now.
        if request.head.expectsContinue, !request.body.continueSent, !request.body.finished { keepAlive = false }
        do {
            try HTTP1ResponseWriter.writeHead(
                into: output, status: status, reason: reason, fields: fields, framing: framing,
                closeConnection: !keepAlive, keepAliveHeader: keepAlive && version == .http1_0, date: date, server: server
            )
        } catch {
            // A bad header name or value is the app's doing.
            throw ResponseUsageError(description: "The response cannot be written: \(error)")
        }
        request.responseIsChunked = framing == .chunked
    }

    @inline(__always)
    func writeResponseBody(_ bytes: UnsafeRawBufferPointer) {
        if request?.responseIsChunked == true {
            HTTP1ResponseWriter.writeChunk(into: output, bytes)
        } else {
            output.append(bytes)
        }
    }

    /// Read straight into the output, behind the head: the only copy is the kernel's.
    func writeResponseBody(fromFile descriptor: Int32, offset: Int64, count: Int, appended: (UnsafeRawBufferPointer) -> Void) throws {
        let chunked = request?.responseIsChunked == true
        let output = output
        if chunked { HTTP1ResponseWriter.writeChunkStart(into: output, length: count) }
        output.reserveWritable(count)
        let space = UnsafeMutableRawBufferPointer(rebasing: output.writableBytes[..<count])
        try FileRegionCopy.read(descriptor, at: offset, into: space)
        output.didWrite(count)
        appended(UnsafeRawBufferPointer(space))
        if chunked { HTTP1ResponseWriter.writeChunkEnd(into: output) }
    }

    @inline(__always)
    func finishResponseBody(of response: HTTPResponse) throws(ResponseUsageError) {
        guard let request, request.responseIsChunked, request.head.method != .head else { return }
        do {
            try HTTP1ResponseWriter.writeLastChunk(into: output, trailers: response.trailers)
        } catch {
            throw ResponseUsageError(description: "The response cannot be written: \(error)")
        }
    }

    /// Kestrel's answer to a rejected request: status line, Content-Length: 0, Connection: close, Date, Server.
    func writeMinimalResponse(status: Int) {
        keepAlive = false
        try? HTTP1ResponseWriter.writeHead(
            into: output, status: status, reason: nil, fields: HTTPFields(), framing: .contentLength(0), closeConnection: true,
            keepAliveHeader: false, date: state.dates.bytes, server: settings.addsServerHeader ? "hostctl" : nil
        )
    }

    /// A cache hit: the stored head with a fresh Age, Connection and Date, then the body
    /// unless the request is HEAD. The request had no body, so only its head is consumed.
    func writeCachedResponse(_ entry: CachedResponse, age: Int, sendsBody: Bool) {
        guard let request else { return }
        keepAlive = request.head.wantsKeepAlive && !draining
        let out = output
        out.reserveWritable(entry.http1Head.readableCount + 96 + (sendsBody ? entry.body.count : 0))
        out.append(entry.http1Head.readableBytes)
        out.append("Age: ")
        out.appendDecimal(age)
        if !keepAlive {
            out.append("\r\nConnection: close")
        } else if request.head.version == .http1_0 {
            out.append("\r\nConnection: keep-alive")
        }
        out.append("\r\nDate: ")
        out.append(state.dates.bytes)
        out.append("\r\n\r\n")
        if sendsBody { out.append(entry.body) }
    }

    /// HTTP.sys's answer to a full queue: a TCP reset (Basic) or a 503 (Limited). Either
    /// way the connection ends, and its unread input is dropped so no request on it starts.
    func turnAway(_ answer: RequestQueueFullResponse) {
        request?.resetForNextRequest()
        inbound?.clear()
        switch answer {
        case .reset:
            if abortReason == nil { abortReason = RequestRejection.requestQueueFull.message }
            inputEnded = true
            transport.reset()
        case .serviceUnavailable:
            reject(.requestQueueFull)
        }
    }

    var canSendFiles: Bool { transport.canSendFiles }

    /// The file's bytes go out in the send slot after everything buffered before them (its
    /// chunk's size line too, under chunked coding), then the output carries on.
    func sendFile(_ descriptor: Int32, offset: Int64, count: Int) async throws {
        guard let request else { throw ConnectionAbortedError("The request is over.") }
        let exchange = request.exchange
        if request.responseIsChunked { HTTP1ResponseWriter.writeChunkStart(into: output, length: count) }
        transport.prepareToSendFile()
        sendOutput()
        while pendingOutput > 0 {
            try exchange.checkUsable()
            await park(for: .writable)
        }
        try exchange.checkUsable()
        fileInFlight = true
        switch transport.sendFile(descriptor, offset: offset, count: count) {
        case .sent:
            fileInFlight = false
        case .pending:
            while fileInFlight {
                try exchange.checkUsable()
                await park(for: .file)
            }
        case .unsupported, .failed:
            fileInFlight = false
            try exchange.checkUsable()
            throw ConnectionAbortedError("The file could not be sent.")
        }
        try exchange.checkUsable()
        if request.responseIsChunked { HTTP1ResponseWriter.writeChunkEnd(into: output) }
    }

    @inline(__always)
    var unsentResponseBytes: Int { pendingOutput }

    @inline(__always)
    func flushResponse() { sendOutput() }

    // MARK: Lifetime

    func wait(for reason: ExchangeWait) async { await park(for: reason) }

    func wakeExchange() { resumeTask() }

    func abortExchange(reason: String) { abort(reason: reason) }
}

extension HTTP1Connection: RequestHeadSource {
    // These are called through the protocol, unspecialized: none of them may build an
    // `R?` (its metadata is looked up at run time, on every header read).

    /// The head's first byte, while a request is being served.
    private var headStart: UnsafeRawPointer? {
        guard let inbound, let base = inbound.base, request != nil else { return nil }
        return UnsafeRawPointer(base + inbound.readerIndex)
    }

    func withRawTarget<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let start = headStart, let request else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let target = request.head.target
        return body(UnsafeRawBufferPointer(start: start + target.lowerBound, count: target.count))
    }

    func withRawPath<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let start = headStart, let request else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let path = request.head.path
        return body(UnsafeRawBufferPointer(start: start + path.lowerBound, count: path.count))
    }

    func withRawQuery<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let start = headStart, let request, let query = request.head.query else { return body(nil) }
        return body(UnsafeRawBufferPointer(start: start + query.lowerBound, count: query.count))
    }

    func withRequestAuthority<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let start = headStart, let request, let host = request.head.host else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return body(UnsafeRawBufferPointer(start: start + host.lowerBound, count: host.count))
    }

    var headerCount: Int { request?.head.fields.count ?? 0 }

    func withHeader<R>(at index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        let start = headStart!
        // Not a copy of the head: copying it would retain its field array on every lookup.
        let field = request!.head.fields[index]
        return body(
            UnsafeRawBufferPointer(start: start + field.name.lowerBound, count: field.name.count),
            UnsafeRawBufferPointer(start: start + field.value.lowerBound, count: field.value.count)
        )
    }

    func decodePath(_ raw: UnsafeRawBufferPointer) -> String {
        HTTP1Target.decodePath(raw)
    }
}
