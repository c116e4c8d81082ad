import Glibc
import HostctlSystem
import HostctlTLS

/// The developer certificate's files: read, written (key 0600 in a 0700 folder), removed.
struct DevelopmentCertificateFiles {
    let location: DevelopmentCertificateLocation

    /// The certificate there, whatever its state; nil when there is none or it does not load.
    func load() -> TLSCertificate? {
        guard FileSystem.exists(location.certificatePath) else { return nil }
        return try? TLSCertificateLoader.load(path: location.certificatePath, keyPath: location.keyPath, password: nil, now: nil)
    }

    /// The certificate there if it is a development certificate valid now.
    func loadValid(now: Int64 = TLSCertificateLoader.currentTime()) -> TLSCertificate? {
        guard let certificate = load(), certificate.isDevelopmentCertificate, certificate.isValid(at: now) else { return nil }
        return certificate
    }

    func save(_ certificate: TLSCertificate) throws(SystemError) {
        try FileSystem.makeDirectories(location.directory)
        chmod(location.directory, 0o700)
        try FileSystem.writeFileAtomically(location.keyPath, certificate.privateKeyPEM(password: nil), mode: 0o600)
        try FileSystem.writeFileAtomically(location.certificatePath, certificate.certificatePEM)
    }

    /// Removes the certificate and key (the trust folder is the trust code's).
    func remove() {
        FileSystem.removeFile(location.certificatePath)
        FileSystem.removeFile(location.keyPath)
    }
}
