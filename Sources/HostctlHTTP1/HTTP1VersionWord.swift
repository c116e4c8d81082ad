#if canImport(HostctlCore)
import HostctlCore
#endif

/// The versions this codec speaks as they sit in memory, so a request line and a status line
/// each compare theirs in one eight-byte load (case-sensitive, RFC 9112 §2.3).
enum HTTP1VersionWord {
    static let http11 = UInt64(littleEndian: 0x312E_312F_5054_5448)  // "HTTP/1.1"
    static let http10 = UInt64(littleEndian: 0x302E_312F_5054_5448)  // "HTTP/1.0"

    /// The version eight bytes spell, if it is one of the two.
    @inline(__always)
    static func version(_ word: UInt64) -> HTTPVersion? {
        if word == http11 { return .http1_1 }
        if word == http10 { return .http1_0 }
        return nil
    }
}
