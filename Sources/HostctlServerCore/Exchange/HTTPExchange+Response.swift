import HostctlCore
import HostctlHosting

/// Body bytes written before the head is committed wait here, so a handler that writes
/// and returns gets an exact Content-Length instead of streamed framing.
private let commitThreshold = 16 * 1024

/// The response's commit rules and usage errors, for every HTTP version.
extension HTTPExchange: ResponseBodyWriter, HTTPResponseBodyFeature {
    var hasStarted: Bool { response.committed }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard try admitBody(bytes.count) else { return false }

        if !response.committed {
            let pending = pendingBody ?? ByteBuffer(capacity: max(256, bytes.count))
            pendingBody = pending
            pending.append(bytes)
            guard pending.readableCount >= commitThreshold else { return false }
            try commit(final: false)
        } else {
            appendBody(bytes)
        }
        return flushOutputIfFull()
    }

    /// After body bytes went into the driver's output: sends it once a segment's worth is
    /// waiting, and says whether the writer must wait (the output is over its limit).
    @inline(__always)
    private func flushOutputIfFull() -> Bool {
        if driver.unsentResponseBytes >= commitThreshold { driver.flushResponse() }
        return driver.unsentResponseBytes > settings.maxResponseBufferSize
    }

    /// The rules every body write meets (the response not complete, its status allowing a
    /// body, the declared length not exceeded), and the count. False for HEAD: counted,
    /// never sent.
    @inline(__always)
    private func admitBody(_ count: Int) throws -> Bool {
        guard isActive, let appResponse = activeResponse else { throw ConnectionAbortedError("The request is over.") }
        try checkUsable()
        guard !response.completed else {
            throw ResponseUsageError(description: "The response has already completed; it cannot be written to.")
        }
        if !response.committed, !HTTPStatus.allowsContent(appResponse.status) {
            throw ResponseUsageError(description: "Writing to the response body is invalid for responses with status code \(appResponse.status).")
        }
        if response.noBody, count > 0 {
            throw ResponseUsageError(description: "Writing to the response body is invalid for this response.")
        }
        response.written += count
        if let declared = response.declaredLength, response.written > declared {
            throw ResponseUsageError(description: "Response Content-Length mismatch: too many bytes written (\(response.written) of \(declared)).")
        }
        if response.isHead {
            if count > 0 { core.log.headResponseBodyWrite(driver.connectionNumber, count: count) }
            return false
        }
        return true
    }

    /// A file region as the body (or part of it): without copying where the transport can,
    /// else through `write` a buffer at a time. The head is committed first (with the
    /// declared Content-Length, or chunked); a file region is never captured for the cache.
    func sendFile(_ descriptor: Int32, offset: Int64, count: Int64) async throws {
        // A small file is read into the output behind the head, so both leave in one send
        // and one TCP segment: sent apart, the second segment waits for the first under the
        // kernel's pacing (BBR), and the server idles; reading 16 KiB costs less than that.
        guard driver.canSendFiles, count > Self.copiedFileLimit else {
            // With its length known, the head can go first and the file be read straight
            // into the output; unknown, the bytes wait in the pending body to be measured.
            guard response.committed || activeResponse?.declaredLength != nil else {
                return try await FileRegionCopy.send(descriptor, offset: offset, count: count, to: self)
            }
            return try await readFileIntoOutput(descriptor, offset: offset, count: count)
        }
        guard try admitBody(Int(count)) else { return }
        if !response.committed { try commit(final: false) }
        extras?.capture = nil
        try await driver.sendFile(descriptor, offset: offset, count: Int(count))
    }

    static var copiedFileLimit: Int64 { 16 * 1024 }

    /// The file region read a chunk at a time into the driver's output (a copy the kernel
    /// makes, none of our own), waiting while the output is over its limit.
    private func readFileIntoOutput(_ descriptor: Int32, offset: Int64, count: Int64) async throws {
        let chunks = FileRegionCopy.chunks(offset: offset, count: count)
        guard try admitBody(Int(count)) else { return }
        if !response.committed { try commit(final: false) }
        for chunk in chunks {
            try driver.writeResponseBody(fromFile: descriptor, offset: chunk.offset, count: chunk.count) { extras?.capture?.append($0) }
            if flushOutputIfFull() { try await waitUntilWritable() }
        }
    }

    func waitUntilWritable() async throws {
        driver.flushResponse()
        while driver.unsentResponseBytes > settings.maxResponseBufferSize {
            try checkUsable()
            await driver.wait(for: .writable)
        }
        try checkUsable()
    }

    func start() throws {
        guard isActive else { return }
        try checkUsable()
        if !response.committed { try commit(final: false) }
    }

    func flush() async throws {
        guard isActive else { return }
        try checkUsable()
        if !response.committed { try commit(final: false) }
        driver.flushResponse()
    }

    /// The app ends its response early: finish it and send it now.
    func complete() async throws {
        try finishResponse()
        driver.flushResponse()
    }

    /// Finishes the response (its head with the exact length if not yet committed, then the
    /// body's end and trailers) without sending: after a handler returns, the next pipelined
    /// request may add its response to the same send.
    func finishResponse() throws {
        guard isActive, let appResponse = activeResponse else { return }
        try checkUsable()
        guard !response.completed else { return }
        if !response.committed {
            try commit(final: driver.mayFixResponseLength(withTrailers: appResponse.hasTrailers))
        }
        if let declared = response.declaredLength, response.written < declared, !response.isHead {
            response.completed = true
            let message = "Response Content-Length mismatch: too few bytes written (\(response.written) of \(declared))."
            abort(reason: message)
            throw ResponseUsageError(description: message)
        }
        try driver.finishResponseBody(of: appResponse)
        completeResponse()
    }

    /// Marks the response complete: its last byte is in the driver's output.
    func completeResponse() {
        response.completed = true
        lentExtras?.with { requestEnded($0, responseCompleted: true) }
    }

    /// Writes the head, choosing the length: the app's Content-Length; else, when the body
    /// is complete (`final`), its exact length; else streamed. The server owns the framing
    /// and connection fields, and adds Date and Server unless the app set them.
    func commit(final: Bool) throws {
        guard let appResponse = activeResponse, !response.committed else { return }
        let status = appResponse.status
        let owned = ServerOwnedFields(appResponse.headers)
        var length: ResponseLength
        // A Content-Length field, when there is one, was set after `contentLength` (setting
        // that removes the field) and wins.
        var declared = appResponse.declaredLength
        if let field = owned.contentLength {
            guard let number = Int(field), number >= 0 else {
                throw ResponseUsageError(description: "The response's Content-Length '\(field)' is not a number.")
            }
            declared = number
        }
        if let declaredLength = declared {
            guard declaredLength >= 0 else {
                throw ResponseUsageError(description: "The response's Content-Length \(declaredLength) is negative.")
            }
            response.declaredLength = declaredLength
            if response.written > declaredLength {
                throw ResponseUsageError(description: "Response Content-Length mismatch: too many bytes written (\(response.written) of \(declaredLength)).")
            }
            length = .exact(declaredLength)
        } else if final {
            length = .exact(response.written)
        } else {
            length = .unknown
        }
        if !HTTPStatus.allowsContent(status) {
            length = .none
            response.noBody = true
        }
        if owned.hasFramingOrConnection {
            appResponse.headers.removeAll(where: ServerOwnedFields.isFramingOrConnection)
        }
        let server: StaticString? = settings.addsServerHeader && !owned.hasServer ? "hostctl" : nil
        try driver.writeResponseHead(
            status: status, reason: appResponse.reasonPhrase, fields: appResponse.headers, length: length,
            closeRequested: owned.connectionClose, date: owned.hasDate ? nil : state.dates.bytes, server: server
        )
        response.committed = true
        // Without a Cache-Control field a response is never stored.
        if owned.hasCacheControl {
            lentExtras?.with { extras in
                if extras.mayStoreResponse { startCapture(extras, length: length, response: appResponse, server: server) }
            }
        }
        if let pending = pendingBody, !pending.isEmpty {
            if !response.isHead, !response.noBody { appendBody(pending.readableBytes) }
            pending.clear()
        }
    }

    private func appendBody(_ bytes: UnsafeRawBufferPointer) {
        driver.writeResponseBody(bytes)
        extras?.capture?.append(bytes)
    }
}
