/// What one HTTPS endpoint decides about TLS. Everything else is fixed policy (`TLSPolicy`).
public struct TLSServerConfiguration: Sendable {
    /// Offered through ALPN, preferred first.
    public var applicationProtocols: TLSApplicationProtocols
    public var clientCertificateMode: ClientCertificateMode
    /// Accept any client certificate without validating it: Kestrel's `AllowAnyClientCertificate()`.
    /// Otherwise a client certificate must chain to the system's trusted roots
    /// (or to `clientCertificateAuthorities` when set).
    public var allowAnyClientCertificate: Bool
    /// A PEM file of the authorities client certificates may chain to, instead of the system's.
    public var clientCertificateAuthorities: String?
    /// TLS 1.3 tickets sent after each full handshake. One is enough for a browser, which uses a
    /// ticket once and gets a fresh one on the resumed connection; each costs an encryption.
    public var sessionTicketCount: Int
    /// TLS 1.2 sessions kept for clients that resume by session id rather than by ticket.
    public var sessionCacheSize: Int
    /// The versions served: TLS 1.2 and 1.3 unless an endpoint's `SslProtocols` narrows them
    /// to one (nothing older can be asked for: see `TLSPolicy`).
    public var versions: ClosedRange<TLSVersion> = .tls12 ... .tls13

    public init(
        applicationProtocols: TLSApplicationProtocols = .http1,
        clientCertificateMode: ClientCertificateMode = .noCertificate,
        allowAnyClientCertificate: Bool = false,
        clientCertificateAuthorities: String? = nil,
        sessionTicketCount: Int = 1,
        sessionCacheSize: Int = 4096
    ) {
        self.applicationProtocols = applicationProtocols
        self.clientCertificateMode = clientCertificateMode
        self.allowAnyClientCertificate = allowAnyClientCertificate
        self.clientCertificateAuthorities = clientCertificateAuthorities
        self.sessionTicketCount = sessionTicketCount
        self.sessionCacheSize = sessionCacheSize
    }
}

/// A TLS version an endpoint may serve (older ones are never served).
public enum TLSVersion: Int, Sendable, Comparable {
    case tls12
    case tls13

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The TLS policy every endpoint shares: not configurable, so no endpoint can be made weak.
///
/// - Versions: TLS 1.2 and 1.3 only. SSLv3, TLS 1.0 and 1.1 are broken or deprecated
///   (RFC 8996); every browser and curl since 2020 speaks 1.2.
/// - TLS 1.3 suites: all three of OpenSSL's (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305).
///   They are all AEAD; the client picks, so a phone without AES instructions can use ChaCha.
/// - TLS 1.2 suites: ECDHE with ECDSA or RSA, with AES-GCM or ChaCha20-Poly1305, and nothing
///   else: Mozilla's "intermediate" list without its DHE suites (slow, and finite-field groups
///   are not offered). Every suite has forward secrecy and an AEAD cipher, and none is on
///   HTTP/2's blocklist (RFC 9113 Appendix A), so h2 can use any of them.
/// - Groups: X25519 (fast, first) and P-256 (what clients without X25519 have).
/// - No renegotiation (a client can make a server redo expensive handshakes on demand; TLS 1.3
///   removed it), no compression (CRIME), no early data (replayable).
/// - Sessions resume by TLS 1.3 tickets, TLS 1.2 tickets, and TLS 1.2 session ids.
public enum TLSPolicy {
    public static let tls13CipherSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    public static let tls12CipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")
    public static let groups = "X25519:P-256"
}
