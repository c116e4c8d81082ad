#if canImport(HostctlCore)
import HostctlCore
#endif

/// DATA (RFC 9113 §6.1): a stream's content, optionally padded; the whole payload, padding
/// included, counts against flow control.
public struct HTTP2DataFrame {
    public var streamID: HTTP2StreamID
    public var endStream: Bool
    /// The content, inside the frame's payload (valid as long as the payload's bytes).
    public var data: UnsafeRawBufferPointer
    /// The payload length, padding and pad-length octet included: what flow control counts.
    public var flowControlledLength: Int

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID != .connection else { throw HTTP2Error(.streamIDZero(.data)) }
        streamID = header.streamID
        endStream = header.flags.contains(.endStream)
        flowControlledLength = payload.count
        data = try unpad(header, payload)
    }

    /// The frame header and pad-free payload of a DATA frame carrying `count` octets.
    static func writeHeader(streamID: HTTP2StreamID, count: Int, endStream: Bool, to buffer: ByteBuffer) {
        HTTP2FrameHeader.append(length: count, type: .data, flags: endStream ? .endStream : [], streamID: streamID, to: buffer)
    }
}

/// The payload of a PADDED frame without its pad-length octet and its padding (§6.1, §6.2):
/// padding as long as the payload or longer is a connection PROTOCOL_ERROR.
@inline(__always)
func unpad(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) -> UnsafeRawBufferPointer {
    guard header.flags.contains(.padded) else { return payload }
    guard payload.count >= 1 else { throw HTTP2Error(.frameTooShort(header.type)) }
    let padding = Int(payload[0])
    guard padding < payload.count else { throw HTTP2Error(.paddingTooLong(header.type)) }
    return UnsafeRawBufferPointer(rebasing: payload[1..<(payload.count - padding)])
}
