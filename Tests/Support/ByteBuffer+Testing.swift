import HostctlCore

extension ByteBuffer {
    /// The bytes `body` writes into a fresh buffer (encoders under test write into buffers).
    public static func with(_ body: (ByteBuffer) -> Void) -> [UInt8] {
        let buffer = ByteBuffer()
        body(buffer)
        return buffer.readableArray
    }
}
