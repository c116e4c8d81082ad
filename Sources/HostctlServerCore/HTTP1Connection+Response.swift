import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// Body bytes written before the head is committed wait here, so a handler that writes
/// and returns gets an exact Content-Length instead of chunked framing.
private let commitThreshold = 16 * 1024

/// What the app set among the headers the server writes itself, found in one pass.
struct ServerOwnedFields {
    var contentLength: String?
    var connectionClose = false
    var hasFramingOrConnection = false
    var hasDate = false
    var hasServer = false

    init(_ fields: HTTPFields) {
        let all = fields.fields
        for index in all.indices {
            let name = all[index].name
            switch name.utf8.count {
            case 14 where ASCII.equalsIgnoringCase(name, "Content-Length"):
                contentLength = all[index].value
                hasFramingOrConnection = true
            case 17 where ASCII.equalsIgnoringCase(name, "Transfer-Encoding"):
                hasFramingOrConnection = true
            case 10 where ASCII.equalsIgnoringCase(name, "Connection"):
                hasFramingOrConnection = true
                if all[index].value.lowercased().contains("close") { connectionClose = true }
            case 4 where ASCII.equalsIgnoringCase(name, "Date"):
                hasDate = true
            case 6 where ASCII.equalsIgnoringCase(name, "Server"):
                hasServer = true
            default:
                break
            }
        }
    }
}

/// A response the app used wrongly (Kestrel throws InvalidOperationException for these).
struct ResponseUsageError: Error, CustomStringConvertible {
    let description: String
}

extension HTTP1Connection: ResponseBodyWriter, HTTPResponseBodyFeature {
    var hasStarted: Bool { request?.response.committed ?? false }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard let request, let context = request.context else { throw ConnectionAbortedError("The request is over.") }
        try checkUsable(request)
        guard !request.response.completed else {
            throw ResponseUsageError(description: "The response has already completed; it cannot be written to.")
        }
        let status = request.response.committed ? nil : context.response.status
        if let status, !HTTPStatus.allowsContent(status) {
            throw ResponseUsageError(description: "Writing to the response body is invalid for responses with status code \(status).")
        }
        if request.response.noBody, !bytes.isEmpty {
            throw ResponseUsageError(description: "Writing to the response body is invalid for this response.")
        }
        request.response.written += bytes.count
        if let declared = request.response.declaredLength, request.response.written > declared {
            throw ResponseUsageError(description: "Response Content-Length mismatch: too many bytes written (\(request.response.written) of \(declared)).")
        }
        if request.response.isHead { return false }  // HEAD: counted, never sent

        if !request.response.committed {
            let pending = pendingBody ?? ByteBuffer(capacity: max(256, bytes.count))
            pendingBody = pending
            pending.append(bytes)
            guard pending.readableCount >= commitThreshold else { return false }
            try commit(final: false)
        } else {
            appendBody(bytes, request)
        }
        if pendingOutput >= commitThreshold { sendOutput() }
        return pendingOutput > settings.maxResponseBufferSize
    }

    func waitUntilWritable() async throws {
        sendOutput()
        while pendingOutput > settings.maxResponseBufferSize {
            if let request { try checkUsable(request) }
            await park(for: .writable)
        }
        if let request { try checkUsable(request) }
    }

    func flush() async throws {
        guard let request else { return }
        try checkUsable(request)
        if !request.response.committed { try commit(final: false) }
        sendOutput()
    }

    /// The app ends its response early: finish it and send it now.
    func complete() async throws {
        try finishResponse()
        sendOutput()
    }

    /// Finishes the response (last chunk and trailers, or the head with the exact length)
    /// without sending: after a handler returns, the next pipelined request may add its
    /// response to the same send.
    func finishResponse() throws {
        guard let request, let context = request.context else { return }
        try checkUsable(request)
        guard !request.response.completed else { return }
        if !request.response.committed {
            // Trailers need chunked framing; otherwise the length is known now.
            try commit(final: context.response.trailers.isEmpty || context.request.httpVersion == .http1_0)
        }
        if request.response.chunked, !request.response.isHead {
            try rethrowing { () throws(HTTP1SerializationError) in try HTTP1ResponseWriter.writeLastChunk(into: output, trailers: context.response.trailers) }
        } else if let declared = request.response.declaredLength, request.response.written < declared, !request.response.isHead {
            request.response.completed = true
            abort(reason: "Response Content-Length mismatch: too few bytes written (\(request.response.written) of \(declared)).")
            throw ResponseUsageError(description: "Response Content-Length mismatch: too few bytes written (\(request.response.written) of \(declared)).")
        }
        completeResponse(request)
    }

    /// Marks the response complete: its last byte is in the output.
    func completeResponse(_ request: RequestState) {
        request.response.completed = true
        if let extras { requestEnded(extras, responseCompleted: true) }
    }

    /// Writes the status line and headers, choosing the framing: the app's Content-Length;
    /// else, when the body is complete (`final`), its exact length; else chunked for
    /// HTTP/1.1, or a close-delimited body for HTTP/1.0.
    func commit(final: Bool) throws {
        guard let request, let context = request.context, !request.response.committed else { return }
        let response = context.response
        let status = response.status
        let owned = ServerOwnedFields(response.headers)
        var framing: HTTP1ResponseFraming
        if let declared = owned.contentLength {
            guard let length = Int(declared), length >= 0 else {
                throw ResponseUsageError(description: "The response's Content-Length '\(declared)' is not a number.")
            }
            request.response.declaredLength = length
            if request.response.written > length {
                throw ResponseUsageError(description: "Response Content-Length mismatch: too many bytes written (\(request.response.written) of \(length)).")
            }
            framing = .contentLength(length)
        } else if final {
            framing = .contentLength(request.response.written)
        } else if context.request.httpVersion == .http1_1 {
            framing = .chunked
        } else {
            framing = .closeDelimited
            keepAlive = false
        }
        if !HTTPStatus.allowsContent(status) {
            framing = .noBody
            request.response.noBody = true
        }
        if owned.connectionClose { keepAlive = false }
        // A client that asked for 100-continue and was not answered may never send its
        // body, so the connection cannot be reused: say so now.
        if request.head.expectsContinue, !request.body.continueSent, !request.body.finished { keepAlive = false }
        if draining { keepAlive = false }
        // The server owns the framing and connection headers.
        if owned.hasFramingOrConnection {
            response.headers.remove("Content-Length")
            response.headers.remove("Transfer-Encoding")
            response.headers.remove("Connection")
        }
        let date = owned.hasDate ? nil : state.dates.bytes
        let server: StaticString? = settings.addsServerHeader && !owned.hasServer ? "hostctl" : nil
        try rethrowing { () throws(HTTP1SerializationError) in
            try HTTP1ResponseWriter.writeHead(
                into: output, status: status, reason: response.reasonPhrase, fields: response.headers, framing: framing,
                closeConnection: !keepAlive, keepAliveHeader: keepAlive && context.request.httpVersion == .http1_0,
                date: date, server: server
            )
        }
        request.response.committed = true
        request.response.chunked = framing == .chunked
        if let extras, extras.mayStoreResponse { startCapture(extras, framing: framing, response: response, server: server) }
        if let pending = pendingBody, !pending.isEmpty {
            if !request.response.isHead, !request.response.noBody { appendBody(pending.readableBytes, request) }
            pending.clear()
        }
    }

    private func appendBody(_ bytes: UnsafeRawBufferPointer, _ request: RequestState) {
        if request.response.chunked {
            HTTP1ResponseWriter.writeChunk(into: output, bytes)
        } else {
            output.append(bytes)
            extras?.capture?.append(bytes)
        }
    }

    private func checkUsable(_ request: RequestState) throws {
        if let abortReason { throw ConnectionAbortedError(abortReason) }
        if closed { throw ConnectionAbortedError("The connection was closed.") }
    }

    /// Serialization errors (a bad header name or value) are the app's doing: report them as usage errors.
    private func rethrowing(_ body: () throws(HTTP1SerializationError) -> Void) throws {
        do {
            try body()
        } catch {
            throw ResponseUsageError(description: "The response cannot be written: \(error)")
        }
    }
}
