#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// What `HTTP2ConnectionStateMachine.nextEvent` found in the bytes received.
///
/// Frames the state machine answers by itself (SETTINGS, PING, flow-control credit, the resets
/// that protocol errors call for, GOAWAY) produce their replies in the output buffer and no event
/// unless the driver has something to do.
public enum HTTP2Event {
    /// The client opened stream `id` with this request head; `endStream` means no body follows.
    /// The head is now the driver's (see `HTTP2RequestHead`).
    case requestHead(HTTP2StreamID, HTTP2RequestHead, endStream: Bool)
    /// Body bytes for stream `id`, pointing into the input buffer: valid until the next call on
    /// the state machine or the next write into the input buffer, so copy what you keep. Call
    /// `dataConsumed` as the app reads them; that credits the client's windows. `endStream`
    /// (possibly with no bytes) ends the body.
    case data(HTTP2StreamID, UnsafeRawBufferPointer, endStream: Bool)
    /// The request's trailers; they end the body. The list is now the driver's; give it back
    /// with `recycle(_:)` if you like.
    case trailers(HTTP2StreamID, HPACKHeaderList)
    /// Stream `id` is over: the client reset it (`.resetByClient`), or we did over a protocol
    /// error (RST_STREAM already written). Stop the app's work for it, then call `streamFinished`.
    case streamReset(HTTP2StreamID, HTTP2Error)
    /// The send window of stream `id` grew, or with `.connection` the connection's (any stream
    /// may be able to send): retry writes that `writeData` cut short.
    case windowOpened(HTTP2StreamID)
    /// The client's SETTINGS were applied (and acknowledged): send windows, frame size and HPACK
    /// table may have changed; retry writes that were cut short.
    case settingsChanged
    /// The client sent GOAWAY: it opens no stream after `lastStreamID`. Finish the streams in
    /// flight, then close once `canClose`.
    case goAway(lastStreamID: HTTP2StreamID, errorCode: HTTP2ErrorCode)
    /// The connection failed: GOAWAY is in the output buffer. Send it, then close; every stream
    /// still tracked is over.
    case connectionError(HTTP2Error)
}
