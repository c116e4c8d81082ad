/// The four shapes of a request-target (RFC 9112 §3.2), which decide how the server finds
/// the resource and which methods are allowed.
public enum HTTP1TargetForm: Sendable, Equatable {
    /// `/path?query` (§3.2.1): what nearly every request uses.
    case origin
    /// `scheme://authority/path?query` (§3.2.2): sent to proxies; servers must accept it too.
    case absolute
    /// `host:port` (§3.2.3): only with CONNECT.
    case authority
    /// `*` (§3.2.4): only with OPTIONS, about the server as a whole.
    case asterisk
}
