/// HTTPS settings made in code, as Kestrel's `HttpsConnectionAdapterOptions` (set through
/// `ConfigureHttpsDefaults` or an endpoint's `UseHttps`). What is set here wins over the
/// configuration's `Kestrel` section; what is left nil falls back to it.
///
/// ```swift
/// builder.serverOptions.httpsDefaults.certificate = CertificateConfiguration(path: "/etc/app/tls.pem", keyPath: "/etc/app/tls.key")
/// builder.serverOptions.httpsEndpoints["Internal"] = HTTPSOptions(clientCertificateMode: .requireCertificate)
/// ```
public struct HTTPSOptions: Sendable, Equatable {
    /// The server certificate (Kestrel's `ServerCertificate`): a PEM or PKCS#12 file.
    public var certificate: CertificateConfiguration?
    /// Whether clients are asked for a certificate (`DelayCertificate` is not supported).
    public var clientCertificateMode: ClientCertificateMode?
    /// Accepts any client certificate without validating it (`AllowAnyClientCertificate()`);
    /// otherwise one must chain to the system's trusted roots.
    public var allowsAnyClientCertificate: Bool?
    /// TLS 1.2 and 1.3 by default; one of them to serve only that.
    public var sslProtocols: [TLSProtocolVersion]?
    /// From accept to the end of the TLS handshake (Kestrel's 10 s by default).
    public var handshakeTimeout: Duration?

    public init(
        certificate: CertificateConfiguration? = nil, clientCertificateMode: ClientCertificateMode? = nil,
        allowsAnyClientCertificate: Bool? = nil, sslProtocols: [TLSProtocolVersion]? = nil, handshakeTimeout: Duration? = nil
    ) {
        self.certificate = certificate
        self.clientCertificateMode = clientCertificateMode
        self.allowsAnyClientCertificate = allowsAnyClientCertificate
        self.sslProtocols = sslProtocols
        self.handshakeTimeout = handshakeTimeout
    }

    /// Kestrel's `HandshakeTimeout` default.
    public static let defaultHandshakeTimeout: Duration = .seconds(10)
}
