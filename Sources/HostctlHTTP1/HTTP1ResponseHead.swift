#if canImport(HostctlCore)
import HostctlCore
#endif

/// One parsed response head: the status, where the reason and each field lie in the bytes,
/// and what the framing and connection fields say.
///
/// Like `HTTP1RequestHead`, a struct the caller keeps per connection and parses into again,
/// so `fields` keeps its capacity. Ranges are byte offsets from the head's first byte.
public struct HTTP1ResponseHead: Sendable, Equatable {
    /// Bytes the head used, status line to the final empty line: the body starts here.
    public internal(set) var length = 0
    /// `.http1_0` or `.http1_1`.
    public internal(set) var version = HTTPVersion.http1_1
    /// 100...999.
    public internal(set) var status = 0
    /// The reason phrase as sent (possibly empty).
    public internal(set) var reason: Range<Int> = 0..<0
    /// Every header field in order, duplicates kept.
    public internal(set) var fields: [HTTP1Field] = []
    /// The Content-Length value (repeats of the same value count once).
    public internal(set) var contentLength: Int?
    /// Transfer-Encoding is present.
    public internal(set) var hasTransferEncoding = false
    /// Its last coding is chunked.
    public internal(set) var isChunked = false
    /// Connection contains "close" (RFC 9112 §9.6).
    public internal(set) var connectionClose = false
    /// Connection contains "keep-alive" (how an HTTP/1.0 server offers persistence).
    public internal(set) var connectionKeepAlive = false
    /// Connection contains "upgrade": with a 101, the protocol the connection switches to is
    /// in Upgrade (RFC 9110 §7.8).
    public internal(set) var connectionUpgrade = false
    /// Connection lists an option other than close, keep-alive and upgrade: a field only for
    /// this hop (RFC 9110 §7.6.1), which a proxy must not pass on.
    public internal(set) var connectionNamesFields = false

    public init() {}

    /// A 1xx other than 101: an interim response (RFC 9110 §15.2) the final one follows.
    public var isInterim: Bool { status < 200 && status != 101 }

    /// How the body is delimited, given the method of the request it answers (RFC 9112 §6.3).
    public func bodyFraming(requestMethod: HTTPMethod) -> HTTP1ResponseBodyFraming {
        if requestMethod == .head || !HTTPStatus.allowsContent(status) { return .none }
        if hasTransferEncoding { return isChunked ? .chunked : .untilClose }
        if let contentLength { return .contentLength(contentLength) }
        return .untilClose
    }

    /// Whether the connection may carry another request after this response (RFC 9112 §9.3):
    /// HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive"; never after a body that runs
    /// to the close, nor after Content-Length and Transfer-Encoding together (§6.3 item 3).
    public func keepsConnection(framing: HTTP1ResponseBodyFraming) -> Bool {
        if connectionClose || framing == .untilClose || (hasTransferEncoding && contentLength != nil) { return false }
        return version == .http1_1 || connectionKeepAlive
    }

    mutating func prepareForReuse() {
        length = 0
        version = .http1_1
        status = 0
        reason = 0..<0
        fields.removeAll(keepingCapacity: true)
        contentLength = nil
        hasTransferEncoding = false
        isChunked = false
        connectionClose = false
        connectionKeepAlive = false
        connectionUpgrade = false
        connectionNamesFields = false
    }
}
