#if canImport(HostctlCore)
import HostctlCore
#endif

/// The 9 octets before every frame's payload (RFC 9113 §4.1): length (24 bits), type, flags,
/// a reserved bit and the stream identifier (31 bits).
public struct HTTP2FrameHeader: Sendable, Equatable {
    public static let size = 9

    public var length: Int
    public var type: HTTP2FrameType
    public var flags: HTTP2FrameFlags
    public var streamID: HTTP2StreamID

    public init(length: Int, type: HTTP2FrameType, flags: HTTP2FrameFlags, streamID: HTTP2StreamID) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }

    /// Reads the header from the 9 octets at `base`; the reserved bit is ignored (§4.1).
    @inline(__always)
    static func read(_ base: UnsafeRawPointer) -> HTTP2FrameHeader {
        let length = Int(base.load(as: UInt8.self)) << 16 | Int(base.load(fromByteOffset: 1, as: UInt8.self)) << 8
            | Int(base.load(fromByteOffset: 2, as: UInt8.self))
        return HTTP2FrameHeader(
            length: length,
            type: HTTP2FrameType(rawValue: base.load(fromByteOffset: 3, as: UInt8.self)),
            flags: HTTP2FrameFlags(rawValue: base.load(fromByteOffset: 4, as: UInt8.self)),
            streamID: HTTP2StreamID(rawValue: readUInt32(base + 5))
        )
    }

    /// Writes a frame header at `out` (9 octets).
    @inline(__always)
    static func write(length: Int, type: HTTP2FrameType, flags: HTTP2FrameFlags, streamID: HTTP2StreamID, to out: UnsafeMutableRawPointer) {
        precondition(length >= 0 && length < 1 << 24)
        out.storeBytes(of: UInt8(truncatingIfNeeded: length >> 16), as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: length >> 8), toByteOffset: 1, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: 2, as: UInt8.self)
        out.storeBytes(of: type.rawValue, toByteOffset: 3, as: UInt8.self)
        out.storeBytes(of: flags.rawValue, toByteOffset: 4, as: UInt8.self)
        writeUInt32(streamID.rawValue, to: out + 5)
    }

    /// Appends a frame header to `buffer`.
    static func append(length: Int, type: HTTP2FrameType, flags: HTTP2FrameFlags, streamID: HTTP2StreamID, to buffer: ByteBuffer) {
        buffer.reserveWritable(size)
        write(length: length, type: type, flags: flags, streamID: streamID, to: buffer.writableBytes.baseAddress!)
        buffer.didWrite(size)
    }
}

@inline(__always)
func readUInt32(_ base: UnsafeRawPointer) -> UInt32 {
    UInt32(bigEndian: base.loadUnaligned(as: UInt32.self))
}

@inline(__always)
func writeUInt32(_ value: UInt32, to out: UnsafeMutableRawPointer) {
    out.storeBytes(of: value.bigEndian, as: UInt32.self)
}

/// Appends `count` octets through `body`, which writes at the pointer it is given.
@inline(__always)
func appendFrame(to buffer: ByteBuffer, count: Int, _ body: (UnsafeMutableRawPointer) -> Void) {
    buffer.reserveWritable(count)
    body(buffer.writableBytes.baseAddress!)
    buffer.didWrite(count)
}
