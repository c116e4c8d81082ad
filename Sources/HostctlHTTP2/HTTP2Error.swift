#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// Why a stream or the connection fails (RFC 9113 §5.4). A connection error (`streamID` is
/// `.connection`) ends the connection with GOAWAY; a stream error resets one stream with
/// RST_STREAM. Every reason has one error code, given by `code`, and a message in Kestrel's
/// words where Kestrel has one.
public struct HTTP2Error: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        // The connection's start and the frames' shape (§3.4, §4, §6).
        case invalidPreface
        case settingsExpectedFirst(HTTP2FrameType)
        case frameTooLarge(size: Int, limit: Int)
        case streamIDZero(HTTP2FrameType)
        case streamIDNotZero(HTTP2FrameType)
        case evenStreamID(HTTP2FrameType)
        case paddingTooLong(HTTP2FrameType)
        case unexpectedFrameLength(HTTP2FrameType, expected: Int)
        case frameTooShort(HTTP2FrameType)
        case settingsLengthNotMultipleOfSix
        case settingsAckLengthNotZero
        case settingsParameterOutOfRange(UInt16)
        case streamSelfDependency(HTTP2FrameType)
        case pushPromiseReceived
        case headersInterleaved(HTTP2FrameType, headersStreamID: HTTP2StreamID)
        case continuationWithoutHeaders
        // Stream states (§5.1).
        case streamIdle(HTTP2FrameType)
        case streamIDBelowPrevious(HTTP2FrameType)
        case streamClosed(HTTP2FrameType)
        case streamHalfClosedRemote(HTTP2FrameType)
        case frameAfterReset(HTTP2FrameType)
        /// The client reset the stream with this code (RST_STREAM).
        case resetByClient(code: HTTP2ErrorCode)
        // Flow control (§5.2, §6.9).
        case windowUpdateIncrementZero
        case windowUpdateSizeInvalid
        case initialWindowSizeInvalid
        case flowControlWindowExceeded
        // Header blocks and their limits (§4.3, §10.5).
        case compression(HPACKError.Reason)
        case headersTooLong
        case tooManyHeaders
        case requestLineTooLong
        case headerBlockTooLarge(limit: Int)
        case tooManyContinuationFrames(limit: Int)
        // Malformed requests (§8.1.1, §8.2, §8.3).
        case headerNameInvalid
        case headerNameUppercase
        case headerValueInvalid
        case pseudoHeaderAfterRegularHeaders
        case unknownPseudoHeader
        case responsePseudoHeader
        case duplicatePseudoHeader
        case missingMandatoryPseudoHeaders
        case connectionSpecificHeader
        case teNotTrailers
        case connectMustNotSendSchemeOrPath
        case connectNeedsAuthority
        /// :protocol (RFC 8441 §4) on a request whose method is not CONNECT.
        case protocolWithoutConnect
        /// An extended CONNECT (with :protocol) lacking :scheme, :path or :authority.
        case extendedConnectNeedsSchemePathAndAuthority
        case methodInvalid
        case pathInvalid
        case schemeInvalid
        case schemeMismatch(transportScheme: String)
        case authorityInvalid
        case contentLengthInvalid
        case trailersWithoutEndStream
        case trailersContainPseudoHeader
        case lessDataThanContentLength
        case moreDataThanContentLength
        // Refused streams (§5.1.2, §8.7).
        case maxStreamsReached
        case tooManyUnfinishedStreams
        // Abuse (§10.5): the connection is told to calm down and closed.
        case tooManyResets
        case tooManyRefusedStreams
        case tooManyEmptyFrames
        // Time.
        case requestHeadersTimeout
        case keepAliveTimeout
        // The driver ends the connection (shutdown timeout, minimum data rate, an app fault).
        case aborted(code: HTTP2ErrorCode, message: String)
        // The peer ended the connection with this error.
        case goAwayReceived(code: HTTP2ErrorCode)
    }

    public let reason: Reason
    /// The stream the error concerns (`.connection` when none).
    public let streamID: HTTP2StreamID
    /// A connection error ends the connection; a stream error resets `streamID` only.
    public let isConnectionError: Bool

    /// A connection error (about `streamID`, when the frame that caused it had one).
    public init(_ reason: Reason, streamID: HTTP2StreamID = .connection) {
        self.reason = reason
        self.streamID = streamID
        self.isConnectionError = true
    }

    /// A stream error: `streamID` is reset, the connection goes on.
    public static func stream(_ reason: Reason, _ streamID: HTTP2StreamID) -> HTTP2Error {
        HTTP2Error(reason, streamID: streamID, isConnectionError: false)
    }

    private init(_ reason: Reason, streamID: HTTP2StreamID, isConnectionError: Bool) {
        self.reason = reason
        self.streamID = streamID
        self.isConnectionError = isConnectionError
    }

    /// The same reason as a connection error (a stream error that cannot be a stream error:
    /// one on an idle stream, which must never see RST_STREAM, RFC 9113 §6.4).
    var asConnectionError: HTTP2Error { HTTP2Error(reason, streamID: streamID) }

    public var code: HTTP2ErrorCode {
        switch reason {
        case .frameTooLarge, .unexpectedFrameLength, .frameTooShort, .settingsLengthNotMultipleOfSix, .settingsAckLengthNotZero:
            .frameSizeError
        case .streamClosed, .streamHalfClosedRemote, .frameAfterReset:
            .streamClosed
        case .windowUpdateSizeInvalid, .initialWindowSizeInvalid, .flowControlWindowExceeded:
            .flowControlError
        case .compression(let hpack):
            switch hpack {
            case .headerListTooLarge, .tooManyFields: .protocolError
            default: .compressionError
            }
        case .maxStreamsReached:
            .refusedStream
        case .tooManyUnfinishedStreams, .tooManyResets, .tooManyRefusedStreams, .tooManyEmptyFrames, .headerBlockTooLarge, .tooManyContinuationFrames:
            .enhanceYourCalm
        case .keepAliveTimeout, .requestHeadersTimeout:
            .internalError
        case .aborted(let code, _), .goAwayReceived(let code), .resetByClient(let code):
            code
        default:
            .protocolError
        }
    }

    public var description: String {
        let id = streamID.rawValue
        return switch reason {
        case .invalidPreface: "Invalid HTTP/2 connection preface."
        case .settingsExpectedFirst(let type): "The client sent a \(type) frame before its SETTINGS frame."
        case .frameTooLarge(let size, let limit): "The received frame size of \(size) exceeds the limit \(limit)."
        case .streamIDZero(let type): "The client sent a \(type) frame with stream ID 0."
        case .streamIDNotZero(let type): "The client sent a \(type) frame with stream ID different than 0."
        case .evenStreamID(let type): "The client sent a \(type) frame with even stream ID \(id)."
        case .paddingTooLong(let type): "The client sent a \(type) frame with padding longer than or with the same length as the sent data."
        case .unexpectedFrameLength(let type, let expected): "The client sent a \(type) frame with length different than \(expected)."
        case .frameTooShort(let type): "The client sent a \(type) frame too short for its fields."
        case .settingsLengthNotMultipleOfSix: "The client sent a SETTINGS frame with a length that is not a multiple of 6."
        case .settingsAckLengthNotZero: "The client sent a SETTINGS frame with ACK set and length different than 0."
        case .settingsParameterOutOfRange(let parameter): "The client sent a SETTINGS frame with a value for parameter \(HTTP2Setting.name(parameter)) that is out of range."
        case .streamSelfDependency(let type): "The client sent a \(type) frame with dependency information that would cause stream ID \(id) to depend on itself."
        case .pushPromiseReceived: "The client sent a PUSH_PROMISE frame."
        case .headersInterleaved(let type, let headers): "The client sent a \(type) frame to stream ID \(id) before signaling of the header block for stream ID \(headers)."
        case .continuationWithoutHeaders: "The client sent a CONTINUATION frame not preceded by a HEADERS frame."
        case .streamIdle(let type): "The client sent a \(type) frame to idle stream ID \(id)."
        case .streamIDBelowPrevious(let type): "The client sent a \(type) frame opening stream ID \(id), lower than a stream it opened before."
        case .streamClosed(let type): "The client sent a \(type) frame to closed stream ID \(id)."
        case .streamHalfClosedRemote(let type): "The client sent a \(type) frame to stream ID \(id) which is in the \"half-closed (remote) state\"."
        case .frameAfterReset(let type): "The client sent a \(type) frame to stream ID \(id) after resetting it."
        case .resetByClient(let code): "The HTTP/2 stream was reset by the client with error code \(code)."
        case .windowUpdateIncrementZero: "The client sent a WINDOW_UPDATE frame with a window size increment of 0."
        case .windowUpdateSizeInvalid: "The client sent a WINDOW_UPDATE frame that caused the flow-control window to exceed the maximum size."
        case .initialWindowSizeInvalid: "The client sent a SETTINGS frame with a SETTINGS_INITIAL_WINDOW_SIZE that caused a flow-control window to exceed the maximum size."
        case .flowControlWindowExceeded: "The client sent more data than what was available in the flow-control window."
        case .compression(let hpack): HPACKError(hpack).description
        case .headersTooLong: "Request headers too long."
        case .tooManyHeaders: "Request contains too many headers."
        case .requestLineTooLong: "Request line too long."
        case .headerBlockTooLarge(let limit): "The client sent a header block larger than \(limit) octets."
        case .tooManyContinuationFrames(let limit): "The client sent more than \(limit) CONTINUATION frames for one header block."
        case .headerNameInvalid: "The client sent a header with invalid characters in its name."
        case .headerNameUppercase: "The client sent a header with uppercase characters in its name."
        case .headerValueInvalid: "The client sent a header with invalid characters in its value."
        case .pseudoHeaderAfterRegularHeaders: "Pseudo-header field found in request headers after regular header fields."
        case .unknownPseudoHeader: "Request headers contain unknown pseudo-header field."
        case .responsePseudoHeader: "Request headers contain response-specific pseudo-header field."
        case .duplicatePseudoHeader: "Request headers contain duplicate pseudo-header field."
        case .missingMandatoryPseudoHeaders: "Request headers missing one or more mandatory pseudo-header fields."
        case .connectionSpecificHeader: "Request headers contain connection-specific header field."
        case .teNotTrailers: "Request headers contain a TE field with a value other than \"trailers\"."
        case .connectMustNotSendSchemeOrPath: "CONNECT requests must not send :scheme or :path headers."
        case .connectNeedsAuthority: "CONNECT requests must send an :authority header."
        case .protocolWithoutConnect: "The :protocol header is only allowed on CONNECT requests."
        case .extendedConnectNeedsSchemePathAndAuthority: "Extended CONNECT requests must send :scheme, :path and :authority headers."
        case .methodInvalid: "The request :method is invalid."
        case .pathInvalid: "The request :path is invalid."
        case .schemeInvalid: "The request :scheme is invalid."
        case .schemeMismatch(let transport): "The request :scheme header does not match the transport scheme '\(transport)'."
        case .authorityInvalid: "The request :authority or Host header is invalid."
        case .contentLengthInvalid: "Invalid content length."
        case .trailersWithoutEndStream: "The client sent a HEADERS frame containing trailers without setting the END_STREAM flag."
        case .trailersContainPseudoHeader: "The client sent trailers containing one or more pseudo-header fields."
        case .lessDataThanContentLength: "Less data received than specified in the Content-Length header."
        case .moreDataThanContentLength: "More data received than specified in the Content-Length header."
        case .maxStreamsReached: "A new stream was refused because this connection has reached its stream limit."
        case .tooManyUnfinishedStreams:
            "A new stream was refused because this connection has too many streams that haven't finished processing. This may happen if many streams are aborted but not yet cleaned up."
        case .tooManyResets: "The client reset or caused the reset of too many streams in too short a time."
        case .tooManyRefusedStreams: "The connection was aborted because the client kept opening streams that were refused for calm."
        case .tooManyEmptyFrames: "The client sent too many frames without content."
        case .requestHeadersTimeout: "Request headers timed out."
        case .keepAliveTimeout: "Timeout while waiting for incoming HTTP/2 frames after a keep alive ping."
        case .aborted(_, let message): message
        case .goAwayReceived(let code): "The client closed the connection with \(code)."
        }
    }
}
