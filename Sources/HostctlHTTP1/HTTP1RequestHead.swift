#if canImport(HostctlCore)
import HostctlCore
#endif

/// One parsed request head: where each part lies in the bytes, and what the framing and
/// connection fields mean.
///
/// A struct the caller keeps per connection and passes to `HTTP1RequestHeadParser.parse` again
/// for every request, so `fields` keeps its capacity and parsing allocates nothing per request.
/// Every range is a byte offset from the head's first byte (the start of the buffer passed to
/// `parse`); the ranges are valid for those bytes only.
public struct HTTP1RequestHead: Sendable, Equatable {
    /// Bytes the head used: any skipped leading empty lines, the request line, the header lines
    /// and the final empty line. The body (or the next request) starts here.
    public internal(set) var length = 0
    public internal(set) var method = HTTPMethod.get
    /// The raw request-target (RFC 9112 §3.2).
    public internal(set) var target: Range<Int> = 0..<0
    public internal(set) var targetForm = HTTP1TargetForm.origin
    /// origin-form: the target before any '?'. absolute-form: the path after the authority,
    /// which may be empty (treat it as "/"). authority-form and asterisk-form: an empty range
    /// at `target.lowerBound`.
    public internal(set) var path: Range<Int> = 0..<0
    /// The bytes after the first '?', without it; nil when the target has no '?'.
    public internal(set) var query: Range<Int>?
    /// absolute-form and authority-form: the authority (host[:port]); nil otherwise.
    public internal(set) var authority: Range<Int>?
    /// `.http1_0` or `.http1_1`.
    public internal(set) var version = HTTPVersion.http1_1
    /// Every header field in order, duplicates kept (Host, Content-Length and the like included).
    public internal(set) var fields: [HTTP1Field] = []
    /// The Host field's value (RFC 9112 §3.2); nil when there is none (HTTP/1.0 only).
    public internal(set) var host: Range<Int>?
    public internal(set) var framing = HTTP1BodyFraming.none
    /// Both Content-Length and Transfer-Encoding were sent. Transfer-Encoding wins, but such a
    /// request may be a smuggling attempt, so the connection must close after the response
    /// (RFC 9112 §6.3 item 3); `wantsKeepAlive` is then false.
    public internal(set) var hadContentLengthAndTransferEncoding = false
    /// Connection contains the option "close" (RFC 9112 §9.6).
    public internal(set) var connectionClose = false
    /// Connection contains "keep-alive" (how an HTTP/1.0 client asks for persistence, RFC 9112 §C.2.2).
    public internal(set) var connectionKeepAlive = false
    /// Connection contains "upgrade" (RFC 9110 §7.8).
    public internal(set) var connectionUpgrade = false
    /// Connection lists an option other than close, keep-alive and upgrade: the name of a
    /// field that is only for this hop (RFC 9110 §7.6.1), which a proxy must not pass on.
    public internal(set) var connectionNamesFields = false
    /// Expect is "100-continue" (RFC 9110 §10.1.1): the client waits for a 100 before the body.
    public internal(set) var expectsContinue = false
    /// A header line (or the empty line that ends the head) ended in a lone LF, which
    /// `HTTP1Limits.allowsBareLineFeed` let through: the lines cannot be copied as they are
    /// to a peer that insists on CRLF.
    public internal(set) var hasBareLineFeeds = false

    public init() {}

    /// Whether the connection may carry another request after this one (RFC 9112 §9.3):
    /// HTTP/1.1 unless "close"; HTTP/1.0 only with "keep-alive" and not "close". False as well
    /// when the framing is suspect and the connection must close: Content-Length together with
    /// Transfer-Encoding (§6.3), or Transfer-Encoding in an HTTP/1.0 request (§6.1).
    public var wantsKeepAlive: Bool {
        if connectionClose || hadContentLengthAndTransferEncoding { return false }
        switch version {
        case .http1_1: return true
        case .http1_0: return connectionKeepAlive && framing != .chunked
        default: return false
        }
    }

    /// Back to the state of `init()`, keeping the capacity of `fields`.
    mutating func prepareForReuse() {
        length = 0
        method = .get
        target = 0..<0
        targetForm = .origin
        path = 0..<0
        query = nil
        authority = nil
        version = .http1_1
        fields.removeAll(keepingCapacity: true)
        host = nil
        framing = .none
        hadContentLengthAndTransferEncoding = false
        connectionClose = false
        connectionKeepAlive = false
        connectionUpgrade = false
        connectionNamesFields = false
        expectsContinue = false
        hasBareLineFeeds = false
    }
}
