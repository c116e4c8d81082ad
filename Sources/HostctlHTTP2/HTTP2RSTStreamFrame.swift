#if canImport(HostctlCore)
import HostctlCore
#endif

/// RST_STREAM (RFC 9113 §6.4): ends one stream at once.
public struct HTTP2RSTStreamFrame {
    public var streamID: HTTP2StreamID
    public var errorCode: HTTP2ErrorCode

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID != .connection else { throw HTTP2Error(.streamIDZero(.rstStream)) }
        guard payload.count == 4 else { throw HTTP2Error(.unexpectedFrameLength(.rstStream, expected: 4)) }
        streamID = header.streamID
        errorCode = HTTP2ErrorCode(rawValue: readUInt32(payload.baseAddress!))
    }

    static func write(streamID: HTTP2StreamID, errorCode: HTTP2ErrorCode, to buffer: ByteBuffer) {
        appendFrame(to: buffer, count: HTTP2FrameHeader.size + 4) { out in
            HTTP2FrameHeader.write(length: 4, type: .rstStream, flags: [], streamID: streamID, to: out)
            writeUInt32(errorCode.rawValue, to: out + HTTP2FrameHeader.size)
        }
    }
}
