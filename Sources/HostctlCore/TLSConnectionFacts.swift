/// What a connection's TLS handshake settled, as a TLS layer reports it to the protocol
/// above (and the server core to the app, as features). Values are OpenSSL's names.
public struct TLSConnectionFacts: Sendable, Equatable {
    /// "TLSv1.3", "TLSv1.2".
    public var protocolVersion: String
    /// The cipher suite ("TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256").
    public var cipherSuite: String
    /// The ALPN protocol both sides agreed on ("h2", "http/1.1"); nil when the client offered none.
    public var applicationProtocol: String?
    /// The host name the client asked for (SNI); nil when it sent none.
    public var serverName: String?
    /// The client's certificate (DER), when the endpoint asked for one and the client sent it.
    public var clientCertificate: [UInt8]?

    public init(protocolVersion: String, cipherSuite: String, applicationProtocol: String? = nil, serverName: String? = nil, clientCertificate: [UInt8]? = nil) {
        self.protocolVersion = protocolVersion
        self.cipherSuite = cipherSuite
        self.applicationProtocol = applicationProtocol
        self.serverName = serverName
        self.clientCertificate = clientCertificate
    }
}
