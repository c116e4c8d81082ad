/// How a response body is delimited (RFC 9112 §6.1–§6.3), which decides the framing header
/// `HTTP1ResponseWriter.writeHead` writes.
public enum HTTP1ResponseFraming: Sendable, Equatable {
    /// Writes "Content-Length: n". For HEAD, pass the length the GET response would have had.
    case contentLength(Int)
    /// Writes "Transfer-Encoding: chunked"; the body then goes out through `writeChunk` and `writeLastChunk`.
    case chunked
    /// No framing header: the response has no content (1xx, 204, 304; RFC 9110 §6.4.1).
    case noBody
    /// No framing header, for an HTTP/1.0 client and a body of unknown length: the body ends
    /// when the server closes the connection (RFC 9112 §6.3 item 8).
    case closeDelimited
}
