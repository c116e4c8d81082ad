/// One frame read from the wire, its payload still in the bytes it was read from.
public enum HTTP2Frame {
    case data(HTTP2DataFrame)
    case headers(HTTP2HeadersFrame)
    case priority(HTTP2PriorityFrame)
    case rstStream(HTTP2RSTStreamFrame)
    case settings(HTTP2SettingsFrame)
    case pushPromise(HTTP2PushPromiseFrame)
    case ping(HTTP2PingFrame)
    case goAway(HTTP2GoAwayFrame)
    case windowUpdate(HTTP2WindowUpdateFrame)
    case continuation(HTTP2ContinuationFrame)
    /// A type this side does not know: to be ignored (RFC 9113 §5.5).
    case unknown(HTTP2FrameHeader)
}

/// Splits bytes into frames (RFC 9113 §4.1) and checks each frame's shape (§6): lengths,
/// padding, stream 0 or not. Frames are read only when whole; a length over the limit fails as
/// soon as the header has arrived, before waiting for a payload that large.
public enum HTTP2FrameDecoder {
    /// The frame at the start of `bytes` and the octets it spans, or nil when it has not fully
    /// arrived. The frame's payload points into `bytes`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, maxFrameSize: Int) throws(HTTP2Error) -> (frame: HTTP2Frame, length: Int)? {
        guard bytes.count >= HTTP2FrameHeader.size else { return nil }
        let header = HTTP2FrameHeader.read(bytes.baseAddress!)
        guard header.length <= maxFrameSize else { throw HTTP2Error(.frameTooLarge(size: header.length, limit: maxFrameSize)) }
        let total = HTTP2FrameHeader.size + header.length
        guard bytes.count >= total else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[HTTP2FrameHeader.size..<total])
        return (try frame(header, payload), total)
    }

    /// The frame of `header` over its whole `payload`.
    public static func frame(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) -> HTTP2Frame {
        switch header.type {
        case .data: .data(try HTTP2DataFrame(header, payload))
        case .headers: .headers(try HTTP2HeadersFrame(header, payload))
        case .priority: .priority(try HTTP2PriorityFrame(header, payload))
        case .rstStream: .rstStream(try HTTP2RSTStreamFrame(header, payload))
        case .settings: .settings(try HTTP2SettingsFrame(header, payload))
        case .pushPromise: .pushPromise(try HTTP2PushPromiseFrame(header, payload))
        case .ping: .ping(try HTTP2PingFrame(header, payload))
        case .goAway: .goAway(try HTTP2GoAwayFrame(header, payload))
        case .windowUpdate: .windowUpdate(try HTTP2WindowUpdateFrame(header, payload))
        case .continuation: .continuation(try HTTP2ContinuationFrame(header, payload))
        default: .unknown(header)
        }
    }
}
