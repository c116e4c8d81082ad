/// How a response body is delimited, as a client reads it (RFC 9112 §6.3). Unlike a request,
/// a response may run until the server closes the connection.
public enum HTTP1ResponseBodyFraming: Sendable, Equatable {
    /// No body: a response to HEAD, a 1xx, 204 or 304 (§6.3 items 1–2), whatever the fields say.
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// Chunked transfer coding (§7.1).
    case chunked
    /// Everything until the server closes the connection (§6.3 items 4 and 8): no
    /// Content-Length, or a Transfer-Encoding whose last coding is not chunked.
    case untilClose
}
