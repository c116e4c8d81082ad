/// What a TLS connection agreed on, for the protocol above it and for apps (the TLS feature,
/// Kestrel's `ITlsHandshakeFeature` and `ITlsConnectionFeature`). Plain connections have none.
///
/// A value made once when the handshake completes; it lives here, not in the TLS module, so
/// the hosting layer can show it to apps without knowing OpenSSL.
public struct TLSConnectionInfo: Sendable, Equatable {
    public enum ProtocolVersion: Sendable, Equatable, CustomStringConvertible {
        case tls12
        case tls13

        /// As .NET's `SslProtocols` names them.
        public var description: String {
            switch self {
            case .tls12: "Tls12"
            case .tls13: "Tls13"
            }
        }
    }

    public let protocolVersion: ProtocolVersion
    /// The IANA name of the cipher suite ("TLS_AES_128_GCM_SHA256"), as .NET's `TlsCipherSuite`.
    public let cipherSuite: String
    /// The application protocol ALPN chose ("http/1.1", later "h2"); nil when the client
    /// offered none (then the endpoint's first protocol applies).
    public let applicationProtocol: String?
    /// The host name the client asked for (SNI), lowercased; nil when it sent none.
    public let serverName: String?
    /// The client's certificate (DER), when the endpoint asked for one and the client sent it.
    public let clientCertificate: [UInt8]?
    /// The handshake resumed an earlier session (a TLS 1.3 ticket, a TLS 1.2 ticket or id).
    public let isResumed: Bool

    public init(
        protocolVersion: ProtocolVersion, cipherSuite: String, applicationProtocol: String?,
        serverName: String?, clientCertificate: [UInt8]?, isResumed: Bool
    ) {
        self.protocolVersion = protocolVersion
        self.cipherSuite = cipherSuite
        self.applicationProtocol = applicationProtocol
        self.serverName = serverName
        self.clientCertificate = clientCertificate
        self.isResumed = isResumed
    }
}
