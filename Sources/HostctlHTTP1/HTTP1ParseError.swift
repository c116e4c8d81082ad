/// Why a request head or body cannot be read (RFC 9112). Every reason maps to one response
/// status, given by `status`, so the server can answer before it closes the connection.
public struct HTTP1ParseError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The first bytes look like a TLS ClientHello (0x16 0x03 …): a client speaking https to a plain port.
        case tlsHandshakeOnPlainPort
        /// The request line is not `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3).
        case invalidRequestLine
        /// The request-target has bytes or a shape RFC 9112 §3.2 does not allow. Any byte outside
        /// VCHAR (NUL, control bytes, SP, ≥ 0x80) is refused: stricter than Kestrel, which lets
        /// control bytes other than NUL through.
        case invalidRequestTarget
        /// The version is `HTTP/` followed by something other than `1.0` or `1.1` (505).
        case unrecognizedHTTPVersion
        /// The request line is longer than `HTTP1Limits.maxRequestLineSize` (414).
        case requestLineTooLong
        /// A header field line breaks RFC 9112 §5 (obs-fold, no colon, whitespace before it, bad value bytes…).
        case invalidRequestHeader
        /// A field name contains a byte that is not a tchar (RFC 9110 §5.1).
        case invalidCharactersInHeaderName
        /// Header lines exceed `HTTP1Limits.maxRequestHeadersTotalSize` (431).
        case headersExceedMaxTotalSize
        /// More header lines than `HTTP1Limits.maxRequestHeaderCount` (431).
        case tooManyHeaders
        /// Content-Length is not 1*DIGIT or overflows (RFC 9112 §6.3).
        case invalidContentLength
        /// More than one Content-Length field, even with equal values.
        case multipleContentLengths
        /// Transfer-Encoding whose last coding is not chunked: the body length is unknowable (RFC 9112 §6.3).
        case finalTransferCodingNotChunked
        /// An HTTP/1.1 request without Host (RFC 9112 §3.2).
        case missingHostHeader
        /// More than one Host field (RFC 9112 §3.2).
        case multipleHostHeaders
        /// Host has bytes an authority cannot contain, or differs from an absolute-form target's authority.
        case invalidHostHeader
        /// asterisk-form with a method other than OPTIONS (405, RFC 9112 §3.2.4).
        case optionsMethodRequired
        /// authority-form with a method other than CONNECT (405, RFC 9112 §3.2.3).
        case connectMethodRequired
        /// HTTP/1.0 POST or PUT without Content-Length or Transfer-Encoding (411).
        case lengthRequiredHTTP10
        /// A chunk size that is not 1–8 hex digits, exceeds 0x7FFFFFFF, or ends with a lone LF (RFC 9112 §7.1).
        case badChunkSizeData
        /// A chunk extension holding a lone CR or LF, another control byte, or too many bytes (CVE-2025-55315).
        case badChunkExtension
        /// Chunk data not followed by exactly CRLF (RFC 9112 §7.1).
        case badChunkSuffix
        /// A trailer field line breaking the header field line rules (RFC 9112 §7.1.2).
        case invalidTrailer
        /// Trailers over the header count or size limits.
        case trailersTooLarge
    }

    public let reason: Reason
    /// A short printable excerpt of the offending bytes (non-printable bytes escaped as \xNN,
    /// at most 64 characters), for logs and error details; nil when nothing useful.
    public let detail: String?

    public init(_ reason: Reason, detail: String? = nil) {
        self.reason = reason
        self.detail = detail
    }

    /// The response status that reports this error: 400 unless the reason has a more specific one.
    public var status: Int {
        switch reason {
        case .requestLineTooLong: 414
        case .unrecognizedHTTPVersion: 505
        case .headersExceedMaxTotalSize, .tooManyHeaders: 431
        case .optionsMethodRequired, .connectMethodRequired: 405
        case .lengthRequiredHTTP10: 411
        default: 400
        }
    }

    /// A sentence in Kestrel's words, then the detail: "Invalid request line: 'GET /\x0D'".
    public var message: String {
        switch reason {
        case .tlsHandshakeOnPlainPort: "Detected a TLS handshake to an endpoint that does not have TLS enabled"
        case .invalidRequestLine: "Invalid request line"
        case .invalidRequestTarget: "Invalid request target"
        case .unrecognizedHTTPVersion: "Unrecognized HTTP version"
        case .requestLineTooLong: "Request line too long"
        case .invalidRequestHeader: "Invalid request header"
        case .invalidCharactersInHeaderName: "Invalid characters in header name"
        case .headersExceedMaxTotalSize: "Request headers too long"
        case .tooManyHeaders: "Request contains too many headers"
        case .invalidContentLength: "Invalid content length"
        case .multipleContentLengths: "Multiple Content-Length headers"
        case .finalTransferCodingNotChunked: "The last Transfer-Encoding coding is not chunked"
        case .missingHostHeader: "Request is missing Host header"
        case .multipleHostHeaders: "Multiple Host headers"
        case .invalidHostHeader: "Invalid Host header"
        case .optionsMethodRequired: "Method not allowed: asterisk-form needs OPTIONS"
        case .connectMethodRequired: "Method not allowed: authority-form needs CONNECT"
        case .lengthRequiredHTTP10: "Length required for an HTTP/1.0 POST or PUT"
        case .badChunkSizeData: "Bad chunk size data"
        case .badChunkExtension: "Bad chunk extension"
        case .badChunkSuffix: "Bad chunk suffix"
        case .invalidTrailer: "Invalid trailer"
        case .trailersTooLarge: "Trailers too large"
        }
    }

    public var description: String {
        guard let detail else { return message }
        return "\(message): '\(detail)'"
    }
}
