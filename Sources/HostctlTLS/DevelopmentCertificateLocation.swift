import HostctlSystem

/// Where `hostctl dev-certs https` keeps the developer certificate:
/// `$XDG_DATA_HOME/hostctl/dev-certs` (by default `~/.local/share/hostctl/dev-certs`), the
/// certificate in `https.crt`, its key in `https.key` (mode 0600), and `trust/`, an OpenSSL
/// certificate directory to add to `SSL_CERT_DIR`.
public struct DevelopmentCertificateLocation: Sendable, Equatable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// From `XDG_DATA_HOME`, else `HOME`; nil when neither is set.
    public init?(environment: ProcessEnvironment) {
        if let data = environment["XDG_DATA_HOME"], FilePath.isAbsolute(data) {
            self.init(directory: FilePath.join(data, "hostctl", "dev-certs"))
        } else if let home = environment["HOME"], !home.isEmpty {
            self.init(directory: FilePath.join(home, ".local", "share", "hostctl", "dev-certs"))
        } else {
            return nil
        }
    }

    public var certificatePath: String { FilePath.join(directory, "https.crt") }
    public var keyPath: String { FilePath.join(directory, "https.key") }
    public var trustDirectory: String { FilePath.join(directory, "trust") }
}
