/// Where a request's body comes from. The server core implements it over its receive
/// buffer; the split into a synchronous read and an asynchronous wait lets a body that
/// is already buffered be read without suspending, and lets callers hand in buffers
/// that only live for a synchronous call.
public protocol RequestBodyReader: AnyObject {
    /// Offers the body bytes received so far to `consume`, which returns how many of them it
    /// took (possibly fewer than offered). Never waits.
    func readAvailable(_ consume: (UnsafeRawBufferPointer) throws -> Int) throws -> RequestBodyAvailability
    /// Suspends until more body bytes (or the end) have arrived.
    func waitForData() async throws
    /// Makes a `waitForData()` in progress return now, with or without bytes (PipeReader's
    /// CancelPendingRead): for code that waits on the body and on something else at once (a
    /// tunnel). Called on the request's own thread; nothing happens when no wait is in progress.
    func cancelPendingRead()
}

extension RequestBodyReader {
    public func cancelPendingRead() {}
}

/// What `readAvailable` found.
public enum RequestBodyAvailability: Sendable, Equatable {
    /// Bytes were offered.
    case bytes
    /// Nothing buffered yet: `waitForData()` before trying again.
    case waiting
    /// The body is complete (or there is none).
    case end
}

/// A request's body: read it in chunks, all at once with a limit, or as an AsyncSequence.
///
/// ```swift
/// for try await chunk in context.request.body { total += chunk.count }
/// let json = try await context.request.body.collect(upTo: 1 << 20)
/// ```
public struct RequestBody: AsyncSequence {
    public typealias Element = [UInt8]

    let reader: RequestBodyReader?

    public init(reader: RequestBodyReader?) { self.reader = reader }

    /// The next chunk of at most `maxLength` bytes, or nil at the end.
    public func next(maxLength: Int = 64 * 1024) async throws -> [UInt8]? {
        guard let reader else { return nil }
        while true {
            var chunk: [UInt8] = []
            let state = try reader.readAvailable { bytes in
                let count = Swift.min(bytes.count, maxLength)
                chunk = Array(bytes.prefix(count))
                return count
            }
            switch state {
            case .bytes where !chunk.isEmpty: return chunk
            case .end: return nil
            case .bytes, .waiting: try await reader.waitForData()
            }
        }
    }

    /// The whole body. Throws `BadRequestError` (413) when it is longer than `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        guard let reader else { return [] }
        var body: [UInt8] = []
        while true {
            var tooLong = false
            let state = try reader.readAvailable { bytes in
                if body.count + bytes.count > limit {
                    tooLong = true
                    return 0
                }
                body.append(contentsOf: bytes)
                return bytes.count
            }
            if tooLong {
                throw BadRequestError(status: 413, message: "Request body too large. The limit for this request is \(limit) bytes.")
            }
            switch state {
            case .end: return body
            case .bytes: continue
            case .waiting: try await reader.waitForData()
            }
        }
    }

    /// Reads and discards the rest of the body; returns how many bytes that was.
    @discardableResult
    public func drain() async throws -> Int {
        guard let reader else { return 0 }
        var total = 0
        while true {
            switch try reader.readAvailable({ total += $0.count; return $0.count }) {
            case .end: return total
            case .bytes: continue
            case .waiting: try await reader.waitForData()
            }
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let body: RequestBody
        public mutating func next() async throws -> [UInt8]? { try await body.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
}
