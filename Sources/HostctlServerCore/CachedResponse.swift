import HostctlCore

/// One response in the cache. Nothing in it changes once stored except its place in the
/// cache's recency list, which only the cache touches, under its lock.
final class CachedResponse: @unchecked Sendable {
    let key: StoredResponseCacheKey
    let hash: Int
    /// The head (without Age, Connection, Date and the blank line), then the body.
    private let bytes: ByteBuffer
    private let headLength: Int
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
        bytes = capture.bytes
        headLength = capture.headLength
        self.storedAt = storedAt
        expiresAt = storedAt + capture.lifetime
        cost = capture.bytes.capacity + self.key.bytes.count
    }

    var head: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes.readableBytes[..<headLength]) }
    var body: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes.readableBytes[headLength...]) }

    /// Whole seconds since it was stored, for the Age field.
    func age(now: Int64) -> Int { Int(max(0, now - storedAt) / 1_000_000_000) }
}
