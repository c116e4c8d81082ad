/// Why a TLS connection ended badly: one value per way a peer can go wrong, so the layer
/// above logs it (Kestrel logs failed handshakes at Debug) and counts it, and nothing of
/// the connection reaches the app.
///
/// When the engine reports a failure it has already put what the peer should get into the
/// output buffer (a fatal alert, or the 400 answer to plain HTTP): send it, then close.
public struct TLSFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// Plain HTTP sent to a TLS endpoint ("GET / HTTP/1.1" where a ClientHello belongs).
        /// The output holds a 400 response saying so, as nginx answers.
        case plainHTTPRequest
        /// Bytes that are not TLS records at all.
        case notTLS
        /// The client offered only protocol versions older than TLS 1.2 (SSLv3, TLS 1.0, 1.1).
        case unsupportedProtocolVersion
        /// No cipher suite, or no key-exchange group, in common.
        case noSharedCipher
        /// The client offered ALPN protocols, none of them the endpoint's (RFC 7301 §3.2).
        case noApplicationProtocol
        /// The client's list of ALPN protocols was malformed.
        case malformedApplicationProtocols
        /// No certificate for the host name the client asked for, and no default one.
        case unrecognizedServerName(String)
        /// The endpoint requires a client certificate and the client sent none.
        case clientCertificateRequired
        /// The client's certificate failed validation (OpenSSL's verify result text).
        case clientCertificateRejected(String)
        /// The peer ended the connection with a fatal alert.
        case alertReceived(TLSAlert)
        /// The client tried to renegotiate a TLS 1.2 session (refused: a known DoS lever).
        case renegotiationRefused
        /// The peer closed its side before the handshake finished.
        case closedDuringHandshake
        /// The handshake did not finish within the handshake timeout (Kestrel's 10 s).
        case handshakeTimedOut
        /// The client sent its handshake slower than the minimum data rate.
        case handshakeTooSlow
        /// The peer closed its side without close_notify after the handshake. Harmless for
        /// HTTP, whose framing tells a complete message from a truncated one.
        case closedWithoutCloseNotify
        /// Any other protocol violation, with OpenSSL's reason ("bad record mac", "decode error").
        case protocolViolation(String)
        /// Something failed on this side (memory, a library call).
        case internalError(String)
    }

    public let reason: Reason
    /// The fatal alert this side sent (already in the output), if any.
    public let alertSent: TLSAlert?

    public init(_ reason: Reason, alertSent: TLSAlert? = nil) {
        self.reason = reason
        self.alertSent = alertSent
    }

    public var description: String {
        var text: String
        switch reason {
        case .plainHTTPRequest: text = "A plain HTTP request was sent to an endpoint that requires TLS."
        case .notTLS: text = "The client sent bytes that are not TLS."
        case .unsupportedProtocolVersion: text = "The client supports no TLS version this endpoint accepts (TLS 1.2 or 1.3)."
        case .noSharedCipher: text = "The client and this endpoint have no cipher suite or key exchange group in common."
        case .noApplicationProtocol: text = "The client offered no application protocol (ALPN) this endpoint speaks."
        case .malformedApplicationProtocols: text = "The client's application protocol list (ALPN) is malformed."
        case .unrecognizedServerName(let name): text = "No certificate is configured for the host name '\(name)'."
        case .clientCertificateRequired: text = "The endpoint requires a client certificate and the client sent none."
        case .clientCertificateRejected(let why): text = "The client certificate was rejected: \(why)."
        case .alertReceived(let alert): text = "The client ended the handshake with the alert \(alert)."
        case .renegotiationRefused: text = "The client tried to renegotiate the session, which this endpoint refuses."
        case .closedDuringHandshake: text = "The client closed the connection during the handshake."
        case .handshakeTimedOut: text = "The TLS handshake timed out."
        case .handshakeTooSlow: text = "The client sent its TLS handshake slower than the minimum data rate."
        case .closedWithoutCloseNotify: text = "The client closed the connection without close_notify."
        case .protocolViolation(let why): text = "The TLS protocol was violated: \(why)."
        case .internalError(let why): text = "TLS failed on the server: \(why)."
        }
        if let alertSent { text += " Sent the alert \(alertSent)." }
        return text
    }
}
