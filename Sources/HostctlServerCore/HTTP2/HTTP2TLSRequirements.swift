import HostctlCore

/// What RFC 9113 §9.2 asks of TLS under HTTP/2: TLS 1.2 or later, and over TLS 1.2 none of
/// the cipher suites of its Appendix A.
enum HTTP2TLSRequirements {
    /// Why HTTP/2 must not run over this TLS connection, in Kestrel's words; nil when it may.
    static func problem(with tls: TLSConnectionInfo) -> String? {
        switch tls.protocolVersion {
        case .tls13:
            return nil  // TLS 1.3 defines no suite Appendix A prohibits
        case .tls12:
            guard isProhibited(tls.cipherSuite) else { return nil }
            return "The TLS cipher suite \(tls.cipherSuite) is prohibited for HTTP/2 (RFC 9113 Appendix A)."
        }
    }

    /// Appendix A lists every TLS 1.2 suite that lacks an ephemeral key exchange or an AEAD
    /// cipher, so the rule decides by the IANA name rather than by copying the list: the key
    /// exchange must be (EC)DHE and the cipher GCM, CCM or ChaCha20-Poly1305.
    static func isProhibited(_ cipherSuite: String) -> Bool {
        let name = cipherSuite.uppercased()
        let ephemeral = name.hasPrefix("TLS_ECDHE_") || name.hasPrefix("TLS_DHE_")
        let aead = name.contains("_GCM") || name.contains("_CCM") || name.contains("CHACHA20_POLY1305")
        return !(ephemeral && aead)
    }
}
