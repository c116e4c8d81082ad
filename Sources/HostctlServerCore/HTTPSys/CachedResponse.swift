import HostctlCore

/// One response in the cache, in terms any HTTP version can answer from: a 200's reason,
/// fields and body. Nothing in it changes once stored except its place in the cache's
/// recency list, which only the cache touches, under its lock.
final class CachedResponse: @unchecked Sendable {
    let key: StoredResponseCacheKey
    let hash: Int
    let reason: String?
    let fields: HTTPFields
    let server: StaticString?
    private let bodyBytes: ByteBuffer
    /// The head as HTTP/1.1 writes it (without Age, Connection, Date and the blank line),
    /// made once here, so an HTTP/1.1 hit is a copy rather than a serialisation.
    let http1Head: ByteBuffer
    /// Loop time (monotonic nanoseconds) when it was stored, and when it stops being served.
    let storedAt: Int64
    let expiresAt: Int64
    /// What it counts against the cache's byte limit.
    let cost: Int

    // The recency list, newest first. Every linked entry is in the cache's table, which
    // keeps it alive, so the links need no reference counting.
    unowned(unsafe) var newer: CachedResponse?
    unowned(unsafe) var older: CachedResponse?

    init(key: ResponseCacheKey, capture: ResponseCapture, storedAt: Int64) {
        self.key = key.stored()
        hash = key.hash
        reason = capture.reason
        fields = capture.fields
        server = capture.server
        bodyBytes = capture.body
        http1Head = HTTP1CachedHead.render(reason: capture.reason, fields: capture.fields, bodyLength: capture.bodyLength, server: capture.server)
        self.storedAt = storedAt
        expiresAt = storedAt + capture.lifetime
        cost = capture.body.capacity + capture.fieldBytes + http1Head.capacity + self.key.bytes.count
    }

    var body: UnsafeRawBufferPointer { bodyBytes.readableBytes }

    /// Whole seconds since it was stored, for the Age field.
    func age(now: Int64) -> Int { Int(max(0, now - storedAt) / 1_000_000_000) }
}
