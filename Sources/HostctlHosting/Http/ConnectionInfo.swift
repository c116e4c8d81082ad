import HostctlCore

/// The connection a request arrived on. Addresses are formatted only when asked for.
public final class ConnectionInfo: @unchecked Sendable {
    /// Unique for the life of the process, as Kestrel's connection ids ("0HN1GKT5U3P6Q").
    public let id: String
    @exclusivity(unchecked) public var remoteEndpoint: SocketAddress?
    @exclusivity(unchecked) private var cachedLocalEndpoint: SocketAddress?
    @exclusivity(unchecked) private var localEndpointProvider: (() -> SocketAddress?)?
    /// What the TLS handshake settled; nil on a connection without TLS.
    @exclusivity(unchecked) public var tls: TLSConnectionInfo?

    public init(id: String, local: SocketAddress?, remote: SocketAddress?) {
        self.id = id
        self.cachedLocalEndpoint = local
        self.remoteEndpoint = remote
    }

    /// `local` is asked for only if the app wants it (it costs a getsockname per connection).
    public init(id: String, remote: SocketAddress?, local: @escaping () -> SocketAddress?) {
        self.id = id
        self.remoteEndpoint = remote
        self.localEndpointProvider = local
    }

    public var localEndpoint: SocketAddress? {
        get {
            if let provider = localEndpointProvider {
                cachedLocalEndpoint = provider()
                localEndpointProvider = nil
            }
            return cachedLocalEndpoint
        }
        set {
            localEndpointProvider = nil
            cachedLocalEndpoint = newValue
        }
    }

    /// Whether the connection is over TLS.
    public var isSecure: Bool { tls != nil }

    public var remoteAddress: String? { remoteEndpoint?.host }
    public var remotePort: Int { remoteEndpoint?.port ?? 0 }
    public var localAddress: String? { localEndpoint?.host }
    public var localPort: Int { localEndpoint?.port ?? 0 }
}

/// Connection ids in Kestrel's style: a process-wide counter, seeded from the clock,
/// written as 13 base-32 digits.
public enum ConnectionID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUV".utf8)

    public static func format(_ value: UInt64) -> String {
        var digits = [UInt8](repeating: 0, count: 13)
        var rest = value
        for index in stride(from: 12, through: 0, by: -1) {
            digits[index] = alphabet[Int(rest & 31)]
            rest >>= 5
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

extension ConnectionInfo: TLSHandshakeFeature, TLSClientCertificateFeature {
    public var protocolVersion: TLSConnectionInfo.ProtocolVersion? { tls?.protocolVersion }
    public var cipherSuite: String { tls?.cipherSuite ?? "" }
    public var isResumed: Bool { tls?.isResumed ?? false }
    public var applicationProtocol: String? { tls?.applicationProtocol }
    public var serverName: String? { tls?.serverName }
    public var clientCertificate: [UInt8]? { tls?.clientCertificate }
}
