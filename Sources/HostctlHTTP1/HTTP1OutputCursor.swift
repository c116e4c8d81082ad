#if canImport(HostctlCore)
import HostctlCore
#endif

/// Writes bytes into space already reserved in a `ByteBuffer`, without touching the buffer until
/// `commit`. One reservation and one commit per response head instead of a buffer call per
/// piece; and when a check fails before the commit, nothing was written at all.
struct HTTP1OutputCursor {
    private let start: UnsafeMutableRawPointer
    private let capacity: Int
    private(set) var count = 0

    /// Reserves `capacity` bytes after the buffer's written bytes; never write more than that.
    init(reserving capacity: Int, in buffer: ByteBuffer) {
        buffer.reserveWritable(capacity)
        self.start = buffer.writableBytes.baseAddress!
        self.capacity = capacity
    }

    /// Makes the written bytes part of the buffer.
    func commit(to buffer: ByteBuffer) {
        buffer.didWrite(count)
    }

    /// The bytes written from `offset` on, to check what was just copied.
    func written(from offset: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: start + offset, count: count - offset)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(count + bytes.count <= capacity, "wrote past the reserved space")
        (start + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func write(_ text: StaticString) {
        write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A String's bytes. Labelled, so that a literal written here takes the StaticString
    /// overload (a plain copy) rather than this one: with both unlabelled, a literal is a
    /// String, and every ": " and "\r\n" of a head went through `withUTF8Bytes`.
    mutating func write(string text: String) {
        text.withUTF8Bytes { write($0) }
    }

    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "wrote past the reserved space")
        start.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// The decimal digits of a non-negative number (at most 20 bytes).
    mutating func writeDecimal(_ value: Int) {
        writeDigits(value, base: 10)
    }

    /// The lowercase hexadecimal digits of a non-negative number (at most 16 bytes).
    mutating func writeHex(_ value: Int) {
        writeDigits(value, base: 16)
    }

    private mutating func writeDigits(_ value: Int, base: Int) {
        precondition(value >= 0)
        precondition(count + ASCIIDigits.count(UInt64(value), radix: UInt64(base)) <= capacity, "wrote past the reserved space")
        count += ASCIIDigits.write(UInt64(value), radix: UInt64(base), to: start + count)
    }
}
