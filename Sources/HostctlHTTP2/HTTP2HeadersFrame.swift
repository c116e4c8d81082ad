#if canImport(HostctlCore)
import HostctlCore
#endif

/// HEADERS (RFC 9113 §6.2): opens a stream (or carries trailers) with the first fragment of a
/// header block; optionally padded, optionally with RFC 7540 priority fields, which are read
/// and ignored (RFC 9113 §5.3.2).
public struct HTTP2HeadersFrame {
    public var streamID: HTTP2StreamID
    public var endStream: Bool
    public var endHeaders: Bool
    public var priority: HTTP2Priority?
    public var fragment: UnsafeRawBufferPointer

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID != .connection else { throw HTTP2Error(.streamIDZero(.headers)) }
        streamID = header.streamID
        endStream = header.flags.contains(.endStream)
        endHeaders = header.flags.contains(.endHeaders)
        var rest = try unpad(header, payload)
        if header.flags.contains(.priority) {
            guard rest.count >= 5 else {
                // Room for the priority fields was taken by padding, or never there.
                throw HTTP2Error(header.flags.contains(.padded) ? .paddingTooLong(.headers) : .frameTooShort(.headers))
            }
            // A dependency on itself is a stream error, found after the block is decoded (the
            // block must be decoded whatever becomes of the stream).
            priority = HTTP2Priority(rest.baseAddress!)
            rest = UnsafeRawBufferPointer(rebasing: rest[5...])
        } else {
            priority = nil
        }
        fragment = rest
    }
}
