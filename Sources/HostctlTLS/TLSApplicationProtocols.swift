/// The application protocols an endpoint speaks over TLS, in its order of preference, and
/// the ALPN choice against a client's list (RFC 7301).
///
/// The choice is made here rather than by `SSL_select_next_proto`, whose handling of empty and
/// malformed lists was CVE-2024-5535: the client's list is checked entry by entry (each name
/// 1–255 bytes, the lengths adding up exactly), and a list that does not parse is refused
/// instead of being read past its end. The endpoint's preference wins, as SslStream's does.
public struct TLSApplicationProtocols: Sendable, Equatable {
    /// Protocol names in preference order ("h2", "http/1.1").
    public let names: [String]
    @usableFromInline let encoded: [[UInt8]]

    /// Fails on an empty list or a name that ALPN cannot carry (empty, or over 255 bytes).
    public init(_ names: [String]) throws(TLSConfigurationError) {
        guard !names.isEmpty else { throw TLSConfigurationError("An endpoint needs at least one application protocol.") }
        for name in names where name.utf8.isEmpty || name.utf8.count > 255 {
            throw TLSConfigurationError("The application protocol '\(name)' cannot be sent in ALPN (1 to 255 bytes).")
        }
        self.names = names
        self.encoded = names.map { Array($0.utf8) }
    }

    /// HTTP/1.1 only: what the servers speak until HTTP/2 lands.
    public static let http1 = try! TLSApplicationProtocols(["http/1.1"])

    public enum Selection: Equatable, Sendable {
        /// The chosen name's bytes within the client's list.
        case selected(Range<Int>)
        /// The list is well formed and shares nothing with ours.
        case noOverlap
        /// The list does not parse: empty, a zero-length name, or a length running past the end.
        case malformed
    }

    /// Chooses from the client's ProtocolNameList (the extension's body without its 2-byte length).
    public func select(fromClientList list: UnsafeRawBufferPointer) -> Selection {
        guard !list.isEmpty else { return .malformed }
        var offset = 0
        while offset < list.count {
            let length = Int(list[offset])
            guard length > 0, offset + 1 + length <= list.count else { return .malformed }
            offset += 1 + length
        }
        for name in encoded {
            offset = 0
            while offset < list.count {
                let length = Int(list[offset])
                let start = offset + 1
                if length == name.count, name.withUnsafeBytes({ memcmpEqual($0, list, start) }) {
                    return .selected(start..<(start + length))
                }
                offset = start + length
            }
        }
        return .noOverlap
    }
}

private func memcmpEqual(_ name: UnsafeRawBufferPointer, _ list: UnsafeRawBufferPointer, _ start: Int) -> Bool {
    for index in 0..<name.count where name[index] != list[start + index] { return false }
    return true
}

/// A TLS setting that cannot work, found when the endpoint is configured (at startup).
public struct TLSConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
