/// Why a response from an upstream server (the app behind the front) cannot be read
/// (RFC 9112). Unlike `HTTP1ParseError` it maps to no status: the front answers every one of
/// them with 502, or aborts the client's response when it had already started.
public struct HTTP1ResponseParseError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The status line is not `HTTP-version SP 3DIGIT [SP reason-phrase] CRLF` (RFC 9112 §4).
        case invalidStatusLine
        /// The version is `HTTP/` followed by something other than `1.0` or `1.1`.
        case unsupportedVersion
        /// A header field line breaks RFC 9112 §5 (obs-fold, bare CR, no colon, bad value bytes…).
        case invalidField
        /// A field name holds a byte that is not a tchar (RFC 9110 §5.1).
        case invalidFieldName
        /// A line ends in a lone LF instead of CRLF.
        case bareLineFeed
        /// The head is longer than `HTTP1ResponseLimits.maxHeadSize` (ANCM's 64 KiB).
        case headTooLarge
        /// Content-Length is not 1*DIGIT, overflows, or is repeated with a different value.
        case invalidContentLength
        /// The chunked body is malformed (the request decoder's reason says how).
        case invalidChunkedBody(HTTP1ParseError.Reason)
        /// The connection ended before the body did (Content-Length or chunked framing).
        case truncatedBody
    }

    public let reason: Reason
    /// A short printable excerpt of the offending bytes, for logs; nil when nothing useful.
    public let detail: String?

    public init(_ reason: Reason, detail: String? = nil) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        let message = switch reason {
        case .invalidStatusLine: "Invalid status line"
        case .unsupportedVersion: "Unsupported HTTP version"
        case .invalidField: "Invalid response header"
        case .invalidFieldName: "Invalid characters in response header name"
        case .bareLineFeed: "Response line ends in a bare LF"
        case .headTooLarge: "Response head too large"
        case .invalidContentLength: "Invalid response content length"
        case .invalidChunkedBody(let inner): "Invalid chunked response body (\(HTTP1ParseError(inner).message))"
        case .truncatedBody: "The response body ended early"
        }
        guard let detail else { return message }
        return "\(message): '\(detail)'"
    }
}
