import HostctlCore

/// A cacheable response, copied as it is written: its status line's reason, its fields
/// (without the Age and Date a hit writes fresh), the Server value the server added, and
/// its body. Only responses with a known length are captured, so the body's buffer is
/// allocated once.
struct ResponseCapture {
    let reason: String?
    let fields: HTTPFields
    let server: StaticString?
    let body: ByteBuffer
    let bodyLength: Int
    /// How long the cache may serve it, in nanoseconds.
    let lifetime: Int64
    /// What the fields cost, estimated as their bytes on the wire.
    let fieldBytes: Int

    /// nil when fields and body would be more than `maxBytes`.
    init?(reason: String?, fields: HTTPFields, bodyLength: Int, server: StaticString?, lifetime: Int64, maxBytes: Int) {
        var fieldBytes = (reason ?? "OK").utf8.count + (server.map { $0.utf8CodeUnitCount } ?? 0)
        for field in fields { fieldBytes += field.name.utf8.count + field.value.utf8.count + 4 }
        guard fieldBytes + bodyLength <= maxBytes else { return nil }
        self.reason = reason
        self.fields = fields
        self.server = server
        self.body = ByteBuffer(capacity: max(1, bodyLength))
        self.bodyLength = bodyLength
        self.lifetime = lifetime
        self.fieldBytes = fieldBytes
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        body.append(bytes)
    }

    /// Every byte of the declared body was written.
    var isWhole: Bool { body.readableCount == bodyLength }
}
