/// Whether an endpoint asks clients for a certificate: Kestrel's `ClientCertificateMode`,
/// with its names (so `"ClientCertificateMode": "AllowCertificate"` in configuration maps
/// straight to a case).
public enum ClientCertificateMode: String, Sendable, CaseIterable {
    /// Never asks (the default).
    case noCertificate = "NoCertificate"
    /// Asks; a client may decline. A certificate that is sent must pass validation.
    case allowCertificate = "AllowCertificate"
    /// Asks, and ends the handshake when the client sends none.
    case requireCertificate = "RequireCertificate"
}
