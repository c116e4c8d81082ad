import Glibc
import HostctlCore

/// What a cached response is found by: the scheme a front reports (`X-Forwarded-Proto`,
/// empty without one), the authority without regard to case, and the raw request-target;
/// the same for GET and HEAD, whatever the HTTP version. It points into the driver's
/// buffers, so a lookup copies nothing; `stored()` makes the copy an entry keeps.
struct ResponseCacheKey {
    let scheme: UnsafeRawBufferPointer
    let host: UnsafeRawBufferPointer
    let target: UnsafeRawBufferPointer
    let hash: Int

    init(scheme: UnsafeRawBufferPointer, host: UnsafeRawBufferPointer, target: UnsafeRawBufferPointer) {
        self.scheme = scheme
        self.host = host
        self.target = target
        // Swift's Hasher is seeded per process, so crafted targets cannot be made to collide.
        var hasher = Hasher()
        Self.combineLowercased(scheme, into: &hasher)
        Self.combineLowercased(host, into: &hasher)
        hasher.combine(bytes: target)
        hash = hasher.finalize()
    }

    /// The length, then the bytes lowercased: in blocks through a buffer on the stack (a
    /// byte at a time, Hasher costs ten times as much).
    private static func combineLowercased(_ bytes: UnsafeRawBufferPointer, into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { block in
            var offset = 0
            while offset < bytes.count {
                let count = min(block.count, bytes.count - offset)
                for index in 0..<count { block[index] = ASCII.lowercase(bytes[offset + index]) }
                hasher.combine(bytes: UnsafeRawBufferPointer(start: block.baseAddress, count: count))
                offset += count
            }
        }
    }

    func matches(_ stored: StoredResponseCacheKey) -> Bool {
        guard stored.schemeLength == scheme.count, stored.hostLength == host.count,
              stored.bytes.count == scheme.count + host.count + target.count
        else { return false }
        return stored.bytes.withUnsafeBytes { bytes in
            for index in 0..<scheme.count where ASCII.lowercase(scheme[index]) != bytes[index] { return false }
            for index in 0..<host.count where ASCII.lowercase(host[index]) != bytes[scheme.count + index] { return false }
            return target.isEmpty || memcmp(bytes.baseAddress! + scheme.count + host.count, target.baseAddress!, target.count) == 0
        }
    }

    func stored() -> StoredResponseCacheKey {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scheme.count + host.count + target.count)
        for byte in scheme { bytes.append(ASCII.lowercase(byte)) }
        for byte in host { bytes.append(ASCII.lowercase(byte)) }
        bytes.append(contentsOf: target)
        return StoredResponseCacheKey(bytes: bytes, schemeLength: scheme.count, hostLength: host.count)
    }
}

/// A key as an entry keeps it: the lowercased scheme and host, then the target.
struct StoredResponseCacheKey: Sendable {
    let bytes: [UInt8]
    let schemeLength: Int
    let hostLength: Int
}
