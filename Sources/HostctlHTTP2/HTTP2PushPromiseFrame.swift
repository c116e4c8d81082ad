/// PUSH_PROMISE (RFC 9113 §6.6): only servers send it, so a server only checks its shape
/// before refusing it as a connection PROTOCOL_ERROR (§8.4).
public struct HTTP2PushPromiseFrame {
    public var streamID: HTTP2StreamID
    public var endHeaders: Bool
    public var promisedStreamID: HTTP2StreamID
    public var fragment: UnsafeRawBufferPointer

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID != .connection else { throw HTTP2Error(.streamIDZero(.pushPromise)) }
        streamID = header.streamID
        endHeaders = header.flags.contains(.endHeaders)
        let rest = try unpad(header, payload)
        guard rest.count >= 4 else { throw HTTP2Error(.frameTooShort(.pushPromise)) }
        promisedStreamID = HTTP2StreamID(rawValue: readUInt32(rest.baseAddress!))
        fragment = UnsafeRawBufferPointer(rebasing: rest[4...])
    }
}
