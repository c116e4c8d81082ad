#if canImport(HostctlCore)
import HostctlCore
#endif

/// PING (RFC 9113 §6.7): 8 opaque octets, echoed with ACK.
public struct HTTP2PingFrame {
    public var isAck: Bool
    public var payload: UInt64

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID == .connection else { throw HTTP2Error(.streamIDNotZero(.ping)) }
        guard payload.count == 8 else { throw HTTP2Error(.unexpectedFrameLength(.ping, expected: 8)) }
        isAck = header.flags.contains(.ack)
        self.payload = payload.baseAddress!.loadUnaligned(as: UInt64.self)
    }

    /// `payload` is written in memory order, as it was read.
    static func write(payload: UInt64, ack: Bool, to buffer: ByteBuffer) {
        appendFrame(to: buffer, count: HTTP2FrameHeader.size + 8) { out in
            HTTP2FrameHeader.write(length: 8, type: .ping, flags: ack ? .ack : [], streamID: .connection, to: out)
            (out + HTTP2FrameHeader.size).storeBytes(of: payload, as: UInt64.self)
        }
    }
}
