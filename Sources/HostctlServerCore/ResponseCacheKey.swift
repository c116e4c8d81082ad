import Glibc
import HostctlCore
import HostctlHTTP1

/// What a cached response is found by: the Host, without regard to case, and the raw
/// request-target; the same for GET and HEAD. It points into the receive buffer, so a
/// lookup copies nothing; `stored()` makes the copy an entry keeps.
struct ResponseCacheKey {
    let host: UnsafeRawBufferPointer
    let target: UnsafeRawBufferPointer
    let hash: Int

    /// The key of the head whose first byte is at `base`.
    init(_ head: HTTP1RequestHead, _ base: UnsafeRawPointer) {
        let host = head.host ?? 0..<0
        self.init(
            host: UnsafeRawBufferPointer(start: base + host.lowerBound, count: host.count),
            target: UnsafeRawBufferPointer(start: base + head.target.lowerBound, count: head.target.count)
        )
    }

    init(host: UnsafeRawBufferPointer, target: UnsafeRawBufferPointer) {
        self.host = host
        self.target = target
        // Swift's Hasher is seeded per process, so crafted targets cannot be made to collide.
        var hasher = Hasher()
        hasher.combine(host.count)
        for byte in host { hasher.combine(ASCII.lowercase(byte)) }
        hasher.combine(bytes: target)
        hash = hasher.finalize()
    }

    func matches(_ stored: StoredResponseCacheKey) -> Bool {
        guard stored.hostLength == host.count, stored.bytes.count == host.count + target.count else { return false }
        return stored.bytes.withUnsafeBytes { bytes in
            for index in 0..<host.count where ASCII.lowercase(host[index]) != bytes[index] { return false }
            return target.isEmpty || memcmp(bytes.baseAddress! + host.count, target.baseAddress!, target.count) == 0
        }
    }

    func stored() -> StoredResponseCacheKey {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(host.count + target.count)
        for byte in host { bytes.append(ASCII.lowercase(byte)) }
        bytes.append(contentsOf: target)
        return StoredResponseCacheKey(bytes: bytes, hostLength: host.count)
    }
}

/// A key as an entry keeps it: the lowercased host, then the target.
struct StoredResponseCacheKey: Sendable {
    let bytes: [UInt8]
    let hostLength: Int
}
