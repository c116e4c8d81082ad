/// How much of a request head (and of a chunked body's trailers) the parser accepts before
/// refusing it. The defaults are Kestrel's, so an app behaves the same behind either server.
public struct HTTP1Limits: Sendable, Equatable {
    /// Bytes of the request line including its CRLF. Exceeding it fails with
    /// `requestLineTooLong` (414, RFC 9112 §3), detected as soon as a partial line is that long.
    public var maxRequestLineSize = 8192
    /// Bytes of all header field lines, each with its CRLF, not counting the request line or the
    /// final empty line. Exceeding it fails with `headersExceedMaxTotalSize` (431, RFC 6585 §5).
    /// Chunked trailers are held to the same limit (`trailersTooLarge`).
    public var maxRequestHeadersTotalSize = 32768
    /// Header field lines per head (and trailer field lines per body): more is `tooManyHeaders` (431).
    public var maxRequestHeaderCount = 100
    /// Accept a lone LF as the end of the request line and of header lines, as RFC 9112 §2.2
    /// allows ("MAY"). Off by default: a lone LF is then a 400, which keeps this server from
    /// reading a line differently from a proxy in front of it. Chunked framing and trailers
    /// always require CRLF, whatever this says.
    public var allowsBareLineFeed = false

    public init() {}
}
