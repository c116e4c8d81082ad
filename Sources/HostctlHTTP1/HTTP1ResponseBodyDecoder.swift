/// Reads a response body by its framing (RFC 9112 §6.3): Content-Length and chunked through
/// `HTTP1BodyDecoder`, and bodies that run until the server closes the connection.
///
/// Used as `HTTP1BodyDecoder` is (drop `consumed`, deliver `data`, repeat until complete),
/// plus `inputEnded()` when the connection closes: that ends a close-delimited body and is an
/// error for any other unfinished one.
public struct HTTP1ResponseBodyDecoder: Sendable {
    /// Content-Length and chunked bodies; unused for close-delimited ones.
    private var framed: HTTP1BodyDecoder
    private let runsUntilClose: Bool
    private var connectionEnded = false

    public init(framing: HTTP1ResponseBodyFraming, limits: HTTP1ResponseLimits = HTTP1ResponseLimits()) {
        runsUntilClose = framing == .untilClose
        switch framing {
        case .none, .untilClose: framed = HTTP1BodyDecoder(framing: .none)
        case .contentLength(let length): framed = HTTP1BodyDecoder(framing: .contentLength(length))
        case .chunked: framed = HTTP1BodyDecoder(framing: .chunked, limits: limits.trailerLimits)
        }
    }

    public var isComplete: Bool { runsUntilClose ? connectionEnded : framed.isComplete }

    /// Trailer fields of a chunked body, once complete.
    public var trailers: [(name: String, value: String)] { framed.trailers }

    /// Decodes framing up to and including the next run of body bytes (see `HTTP1BodyDecoder.decode`).
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(HTTP1ResponseParseError) -> HTTP1BodyDecoder.Step {
        if runsUntilClose {
            guard !connectionEnded, bytes.count > 0 else { return HTTP1BodyDecoder.Step(consumed: 0, data: nil, isComplete: connectionEnded) }
            return HTTP1BodyDecoder.Step(consumed: bytes.count, data: 0..<bytes.count, isComplete: false)
        }
        do {
            return try framed.decode(bytes)
        } catch {
            throw HTTP1ResponseParseError(.invalidChunkedBody(error.reason), detail: error.detail)
        }
    }

    /// The server closed the connection: a close-delimited body is now complete; any other
    /// body that is not complete was cut short.
    public mutating func inputEnded() throws(HTTP1ResponseParseError) {
        if runsUntilClose {
            connectionEnded = true
        } else if !framed.isComplete {
            throw HTTP1ResponseParseError(.truncatedBody)
        }
    }
}
