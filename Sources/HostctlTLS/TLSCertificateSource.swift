/// Where an endpoint's certificate comes from, as Kestrel's configuration says it:
/// `Kestrel:Certificates:Default` (or an endpoint's `Certificate`) with `Path`, `KeyPath`
/// and `Password` maps to `.file(path:keyPath:password:)` one to one.
///
/// - A PEM file with `keyPath`: the certificate (and chain) from `path`, the key from `keyPath`
///   (encrypted PEM keys take `password`).
/// - A PEM file without `keyPath`: certificate and key both from `path`.
/// - Anything else at `path` is read as PKCS#12 (.pfx/.p12), with `password`.
public enum TLSCertificateSource: Hashable, Sendable {
    case file(path: String, keyPath: String? = nil, password: String? = nil)
    /// The one `hostctl dev-certs https` made (used in Development when nothing else is configured).
    case developmentCertificate

    /// The files whose changes trigger a reload.
    func files(development: DevelopmentCertificateLocation?) -> [String] {
        switch self {
        case .file(let path, let keyPath, _): [path] + (keyPath.map { [$0] } ?? [])
        case .developmentCertificate: development.map { [$0.certificatePath, $0.keyPath] } ?? []
        }
    }
}
