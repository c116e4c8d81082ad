/// A certificate that cannot be served, naming the file and the reason: a startup error
/// (and a log line, keeping the old certificate, when a reload finds it).
public struct TLSCertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The file cannot be opened or read (the C library's text: "No such file or directory").
        case unreadable(String)
        /// No certificate in it, in PEM or PKCS#12.
        case noCertificate
        /// A certificate but no private key, and no key file.
        case noPrivateKey
        /// The key (or PKCS#12 file) is encrypted and no password was given.
        case passwordRequired
        case wrongPassword
        /// The key at `path` is not the certificate's (at the associated path).
        case keyMismatch(certificatePath: String)
        /// The certificate's validity ended (the date, UTC).
        case expired(String)
        /// OpenSSL could not use it (its reason).
        case unsupported(String)
        /// No certificate was configured and `hostctl dev-certs https` has not made one (or it expired).
        case noDevelopmentCertificate
    }

    /// The file concerned (for `.keyMismatch`, the key file).
    public let path: String
    public let reason: Reason

    public init(path: String, _ reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// Kestrel's words, naming hostctl's command.
    public static let noCertificateMessage = "Unable to configure HTTPS endpoint. No server certificate was specified, "
        + "and the default developer certificate could not be found or is out of date. "
        + "To generate a developer certificate run 'hostctl dev-certs https'. "
        + "To trust the certificate run 'hostctl dev-certs https --trust'."

    public var description: String {
        switch reason {
        case .unreadable(let why): "The certificate file '\(path)' cannot be read: \(why)."
        case .noCertificate: "'\(path)' holds no certificate (expected PEM, or PKCS#12 for a .pfx file)."
        case .noPrivateKey: "'\(path)' holds no private key: give the key file as KeyPath, or use a PEM file that holds the key, or a PKCS#12 file."
        case .passwordRequired: "The private key in '\(path)' is encrypted: give its Password."
        case .wrongPassword: "The password for '\(path)' is wrong."
        case .keyMismatch(let certificatePath): "The private key in '\(path)' does not match the certificate in '\(certificatePath)'."
        case .expired(let date): "The certificate in '\(path)' expired on \(date)."
        case .unsupported(let why): "'\(path)' cannot be loaded: \(why)."
        case .noDevelopmentCertificate: Self.noCertificateMessage
        }
    }
}
