import Glibc
import HostctlCore
import HostctlHTTP1
import HostctlHosting

extension HTTP1Connection: RequestBodyReader {
    func readAvailable(_ consume: (UnsafeRawBufferPointer) throws -> Int) throws -> RequestBodyAvailability {
        guard let request, let context = request.context else { return .end }
        if let abortReason { throw ConnectionAbortedError(abortReason) }
        if let error = request.body.error { throw error }
        if !request.body.started { try startReadingBody(request, context) }
        guard let inbound else { return request.body.finished ? .end : .waiting }

        while true {
            if !request.body.pending.isEmpty {
                let range = request.body.pending
                let bytes = UnsafeRawBufferPointer(start: inbound.base! + range.lowerBound, count: range.count)
                let taken = max(0, min(try consume(bytes), range.count))
                request.body.pending = (range.lowerBound + taken)..<range.upperBound
                request.body.delivered += taken
                if let limit = context.maxRequestBodySize, request.body.delivered > limit {
                    throw fail(request, .requestBodyTooLarge(limit: limit))
                }
                resumeReadingIfRoom()
                return .bytes
            }
            if request.body.finished {
                copyTrailers(request, context)
                return .end
            }
            guard var decoder = request.body.decoder else { return .end }
            let start = request.body.cursor
            let available = UnsafeRawBufferPointer(start: inbound.base! + start, count: inbound.writerIndex - start)
            let step: HTTP1BodyDecoder.Step
            do {
                step = try decoder.decode(available)
            } catch {
                request.body.decoder = decoder
                throw fail(request, .parse(error.reason))
            }
            request.body.decoder = decoder
            request.body.cursor += step.consumed
            if let data = step.data { request.body.pending = (start + data.lowerBound)..<(start + data.upperBound) }
            if step.isComplete { request.body.finished = true }
            if step.consumed > 0 || step.data != nil || step.isComplete { continue }
            if inputEnded || closed { throw fail(request, .unexpectedEndOfRequestContent) }
            return .waiting
        }
    }

    func waitForData() async throws {
        guard let request else { return }
        if let abortReason { throw ConnectionAbortedError(abortReason) }
        if let error = request.body.error { throw error }
        resumeReadingIfRoom()
        request.body.waitStartedAt = loop.now
        await park(for: .body)
        if let started = request.body.waitStartedAt {
            request.body.waitedNanoseconds += loop.now - started
            request.body.waitStartedAt = nil
        }
        if let abortReason { throw ConnectionAbortedError(abortReason) }
        if let error = request.body.error { throw error }
    }

    /// The first read: the size limit becomes fixed, a declared length over it fails at
    /// once, and `Expect: 100-continue` is answered now (lazily, as Kestrel does).
    private func startReadingBody(_ request: RequestState, _ context: HTTPContext) throws {
        request.body.started = true
        request.body.receivedAtStart = totalBytesReceived
        context.isMaxRequestBodySizeReadOnly = true
        if let limit = context.maxRequestBodySize, case .contentLength(let length) = request.head.framing, length > limit {
            throw fail(request, .requestBodyTooLarge(limit: limit))
        }
        if request.head.expectsContinue, !request.body.continueSent, !request.response.committed, !request.body.finished {
            request.body.continueSent = true
            HTTP1ResponseWriter.writeContinue(into: output)
            sendOutput()
        }
    }

    /// Records a body failure: the read throws, and the server answers with its status.
    func fail(_ request: RequestState, _ rejection: RequestRejection) -> BadRequestError {
        let error = BadRequestError(status: rejection.status, message: rejection.message)
        request.body.error = error
        keepAlive = false
        return error
    }

    private func copyTrailers(_ request: RequestState, _ context: HTTPContext) {
        guard !request.body.trailersCopied, let decoder = request.body.decoder else { return }
        request.body.trailersCopied = true
        for trailer in decoder.trailers { context.request.trailers.append(name: trailer.name, value: trailer.value) }
    }

    /// Moves undecoded body bytes down over the ones the app has consumed, keeping the head
    /// in place, so a long upload does not grow the buffer.
    func compactBodyGap(_ buffer: ByteBuffer) {
        guard let request, request.body.pending.isEmpty, let base = buffer.base else { return }
        let headEnd = buffer.readerIndex + request.head.length
        let gap = request.body.cursor - headEnd
        guard gap >= 16 * 1024 || (gap > 0 && buffer.writableCount < 4096) else { return }
        let remaining = buffer.writerIndex - request.body.cursor
        if remaining > 0 { memmove(base + headEnd, base + request.body.cursor, remaining) }
        buffer.truncateReadable(to: request.head.length + remaining)
        request.body.cursor = headEnd
    }

    private func resumeReadingIfRoom() {
        guard readingPaused, let inbound, unconsumedInput(inbound) < settings.maxRequestBufferSize / 2 else { return }
        readingPaused = false
        transport.resumeReading()
    }
}

extension HTTP1Connection: RequestHeadSource {
    /// The head's first byte and the request state (not a copy of the head: copying it would
    /// retain its field array on every header lookup).
    private func withHead<R>(_ body: (UnsafeRawPointer, RequestState) -> R) -> R? {
        guard let inbound, let base = inbound.base, let request else { return nil }
        return body(UnsafeRawPointer(base + inbound.readerIndex), request)
    }

    func withRawTarget<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withHead { base, request in
            let target = request.head.target
            return body(UnsafeRawBufferPointer(start: base + target.lowerBound, count: target.count))
        }
            ?? body(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    func withRawPath<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withHead { base, request in
            let path = request.head.path
            return body(UnsafeRawBufferPointer(start: base + path.lowerBound, count: path.count))
        }
            ?? body(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    func withRawQuery<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        withHead { base, request in
            body(request.head.query.map { UnsafeRawBufferPointer(start: base + $0.lowerBound, count: $0.count) })
        } ?? body(nil)
    }

    var headerCount: Int { request?.head.fields.count ?? 0 }

    func withHeader<R>(at index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        withHead { base, request in
            let field = request.head.fields[index]
            return body(
                UnsafeRawBufferPointer(start: base + field.name.lowerBound, count: field.name.count),
                UnsafeRawBufferPointer(start: base + field.value.lowerBound, count: field.value.count)
            )
        }!
    }

    func decodePath(_ raw: UnsafeRawBufferPointer) -> String {
        HTTP1Target.decodePath(raw)
    }
}
