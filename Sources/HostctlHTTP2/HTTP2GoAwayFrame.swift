#if canImport(HostctlCore)
import HostctlCore
#endif

/// GOAWAY (RFC 9113 §6.8): the last stream the sender processed, an error code, debug data.
public struct HTTP2GoAwayFrame {
    public var lastStreamID: HTTP2StreamID
    public var errorCode: HTTP2ErrorCode
    public var debugData: UnsafeRawBufferPointer

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID == .connection else { throw HTTP2Error(.streamIDNotZero(.goAway)) }
        guard payload.count >= 8 else { throw HTTP2Error(.frameTooShort(.goAway)) }
        lastStreamID = HTTP2StreamID(rawValue: readUInt32(payload.baseAddress!))
        errorCode = HTTP2ErrorCode(rawValue: readUInt32(payload.baseAddress! + 4))
        debugData = UnsafeRawBufferPointer(rebasing: payload[8...])
    }

    /// Debug data is cut to `maximumDebugData` octets: it is for people reading traces.
    static let maximumDebugData = 256

    static func write(lastStreamID: HTTP2StreamID, errorCode: HTTP2ErrorCode, debugData: String, to buffer: ByteBuffer) {
        var debugData = debugData
        debugData.withUTF8 { debug in
            let debugCount = min(debug.count, maximumDebugData)
            appendFrame(to: buffer, count: HTTP2FrameHeader.size + 8 + debugCount) { out in
                HTTP2FrameHeader.write(length: 8 + debugCount, type: .goAway, flags: [], streamID: .connection, to: out)
                writeUInt32(lastStreamID.rawValue, to: out + HTTP2FrameHeader.size)
                writeUInt32(errorCode.rawValue, to: out + HTTP2FrameHeader.size + 4)
                if debugCount > 0 { (out + HTTP2FrameHeader.size + 8).copyMemory(from: debug.baseAddress!, byteCount: debugCount) }
            }
        }
    }
}
