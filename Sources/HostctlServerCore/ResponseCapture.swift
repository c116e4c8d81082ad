import HostctlCore
import HostctlHTTP1

/// A cacheable response, copied as it is written: its head without the Age, Connection and
/// Date lines a hit writes fresh (nor the blank line after them), then its body. Only
/// responses with a declared length are captured, so the buffer is allocated once.
struct ResponseCapture {
    let bytes: ByteBuffer
    let headLength: Int
    let bodyLength: Int
    /// How long the cache may serve it, in nanoseconds.
    let lifetime: Int64

    /// Writes the head; nil when head and body would be more than `maxBytes`.
    init?(reason: String?, fields: HTTPFields, bodyLength: Int, server: StaticString?, lifetime: Int64, maxBytes: Int) {
        // What the writer reserves for this head (a 200 with these fields), so the one
        // allocation also holds the body.
        var headSize = 15 + (reason ?? "OK").utf8.count + 40 + 24 + 2 + (server.map { 10 + $0.utf8CodeUnitCount } ?? 0)
        for field in fields { headSize += field.name.utf8.count + field.value.utf8.count + 4 }
        guard headSize + bodyLength <= maxBytes else { return nil }
        let bytes = ByteBuffer(capacity: headSize + bodyLength)
        do {
            try HTTP1ResponseWriter.writeHead(
                into: bytes, status: 200, reason: reason, fields: fields, framing: .contentLength(bodyLength),
                closeConnection: false, keepAliveHeader: false, date: nil, server: server
            )
        } catch {
            return nil
        }
        bytes.truncateReadable(to: bytes.readableCount - 2)
        self.bytes = bytes
        self.headLength = bytes.readableCount
        self.bodyLength = bodyLength
        self.lifetime = lifetime
    }

    func append(_ body: UnsafeRawBufferPointer) {
        bytes.append(body)
    }

    /// Every byte of the declared body was written.
    var isWhole: Bool { bytes.readableCount == headLength + bodyLength }
}
