/// CONTINUATION (RFC 9113 §6.10): the next fragment of a header block, on the same stream,
/// with no other frame in between on the whole connection.
public struct HTTP2ContinuationFrame {
    public var streamID: HTTP2StreamID
    public var endHeaders: Bool
    public var fragment: UnsafeRawBufferPointer

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID != .connection else { throw HTTP2Error(.streamIDZero(.continuation)) }
        streamID = header.streamID
        endHeaders = header.flags.contains(.endHeaders)
        fragment = payload
    }
}
