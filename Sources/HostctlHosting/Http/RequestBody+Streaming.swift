extension RequestBody {
    /// Whether the request has a body at all (Content-Length, even 0, or chunked).
    public var isPresent: Bool { reader != nil }

    /// Offers the body bytes received so far, straight from the server's buffer, to
    /// `consume`, which returns how many it took; never waits. For code that passes a body
    /// on (a proxy) without copying it into arrays first. See `RequestBodyReader`.
    public func readAvailable(_ consume: (UnsafeRawBufferPointer) throws -> Int) throws -> RequestBodyAvailability {
        guard let reader else { return .end }
        return try reader.readAvailable(consume)
    }

    /// Suspends until more body bytes (or the end) have arrived.
    public func waitForData() async throws {
        try await reader?.waitForData()
    }

    /// Ends a `waitForData()` in progress early (see `RequestBodyReader.cancelPendingRead`).
    public func cancelPendingRead() {
        reader?.cancelPendingRead()
    }
}
