/// How the request body is delimited (RFC 9112 §6.3), decided from Transfer-Encoding and
/// Content-Length once the head is complete.
public enum HTTP1BodyFraming: Sendable, Equatable {
    /// No body: neither Transfer-Encoding nor Content-Length (a request never reads to close).
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// Chunked transfer coding (§7.1); Transfer-Encoding wins over any Content-Length.
    case chunked
}
