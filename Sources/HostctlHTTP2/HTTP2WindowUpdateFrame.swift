#if canImport(HostctlCore)
import HostctlCore
#endif

/// WINDOW_UPDATE (RFC 9113 §6.9): grows the sender's flow-control window for a stream, or for
/// the connection on stream 0.
public struct HTTP2WindowUpdateFrame {
    public var streamID: HTTP2StreamID
    /// 1 to 2³¹−1.
    public var increment: Int

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard payload.count == 4 else { throw HTTP2Error(.unexpectedFrameLength(.windowUpdate, expected: 4)) }
        streamID = header.streamID
        increment = Int(readUInt32(payload.baseAddress!) & 0x7FFF_FFFF)
        // A stream error on a stream, a connection error on the connection (§6.9).
        guard increment > 0 else {
            throw streamID == .connection ? HTTP2Error(.windowUpdateIncrementZero) : HTTP2Error.stream(.windowUpdateIncrementZero, streamID)
        }
    }

    static func write(streamID: HTTP2StreamID, increment: Int, to buffer: ByteBuffer) {
        precondition(increment > 0 && increment <= HTTP2Setting.maximumWindowSize)
        appendFrame(to: buffer, count: HTTP2FrameHeader.size + 4) { out in
            HTTP2FrameHeader.write(length: 4, type: .windowUpdate, flags: [], streamID: streamID, to: out)
            writeUInt32(UInt32(increment), to: out + HTTP2FrameHeader.size)
        }
    }
}
