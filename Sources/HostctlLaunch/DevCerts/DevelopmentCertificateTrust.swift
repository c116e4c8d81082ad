import CHostctlLinux
import Glibc
import HostctlSystem
import HostctlTLS

/// Trusting the developer certificate on Linux, where no one trust store serves every client.
/// .NET 9 writes an OpenSSL directory and the user's NSS databases; hostctl does the same and
/// also the system store when it may:
///
/// - OpenSSL directory (`trust/` beside the certificate): the certificate and a `<hash>.0` link
///   as `c_rehash` makes them. OpenSSL clients (curl, Python, Swift) use it once `SSL_CERT_DIR`
///   names it; this is per user and needs no privileges.
/// - NSS databases (`~/.pki/nssdb` for Chromium, each Firefox profile): through `certutil`,
///   as a trusted peer ("P,,"), when they and certutil exist.
/// - The system store: the certificate in `/usr/local/share/ca-certificates` and
///   `update-ca-certificates`, when that folder is writable (root): then every OpenSSL client
///   trusts it without `SSL_CERT_DIR`.
///
/// Each target reports what it did or why it could not.
struct DevelopmentCertificateTrust {
    let location: DevelopmentCertificateLocation
    let environment: ProcessEnvironment

    /// The NSS nickname and the file names hostctl uses in the stores it writes.
    static let nickname = "hostctl HTTPS development certificate"
    static let fileName = "hostctl-https-development.pem"
    static let systemFileName = "hostctl-https-development.crt"

    enum Outcome: Equatable {
        case trusted(String)
        /// Nothing to do there (no such store on this machine).
        case skipped(String)
        case failed(String)
    }

    // MARK: Where

    /// `HOSTCTL_CA_CERTIFICATES_DIR` moves the system store (tests point it at a temporary folder).
    var systemDirectory: String { environment["HOSTCTL_CA_CERTIFICATES_DIR"] ?? "/usr/local/share/ca-certificates" }

    /// NSS databases (folders holding cert9.db) of this user.
    var nssDatabases: [String] {
        guard let home = environment["HOME"] else { return [] }
        var databases: [String] = []
        let chromium = FilePath.join(home, ".pki", "nssdb")
        if FileSystem.exists(FilePath.join(chromium, "cert9.db")) { databases.append(chromium) }
        for profiles in [FilePath.join(home, ".mozilla", "firefox"), FilePath.join(home, "snap", "firefox", "common", ".mozilla", "firefox")] {
            for name in ((try? FileSystem.contentsOfDirectory(profiles)) ?? []).sorted() {
                let profile = FilePath.join(profiles, name)
                if FileSystem.exists(FilePath.join(profile, "cert9.db")) { databases.append(profile) }
            }
        }
        return databases
    }

    // MARK: Trust

    func trust(_ certificate: TLSCertificate) -> [Outcome] {
        [trustInOpenSSLDirectory(certificate)] + trustInNSS() + [trustInSystemStore(certificate)]
    }

    private func trustInOpenSSLDirectory(_ certificate: TLSCertificate) -> Outcome {
        let directory = location.trustDirectory
        do {
            try FileSystem.makeDirectories(directory)
            removeFromOpenSSLDirectory()
            try FileSystem.writeFileAtomically(FilePath.join(directory, Self.fileName), certificate.certificatePEM)
            var index = 0
            while FileSystem.linkStatus(FilePath.join(directory, "\(certificate.subjectHash).\(index)")) != nil { index += 1 }
            let link = FilePath.join(directory, "\(certificate.subjectHash).\(index)")
            guard symlink(Self.fileName, link) == 0 else { throw SystemError.last("symlink", subject: link) }
        } catch {
            return .failed("OpenSSL directory \(directory): \(error)")
        }
        if sslCertDirIncludesTrustDirectory {
            return .trusted("OpenSSL clients (curl, Python, Swift), through SSL_CERT_DIR: \(directory)")
        }
        let defaultDirectory = OpenSSLDefaults.certificateDirectory
        return .trusted("the OpenSSL directory \(directory); OpenSSL clients (curl, Python, Swift) use it once "
            + "SSL_CERT_DIR names it: export SSL_CERT_DIR=\"\(directory):\(defaultDirectory)\"")
    }

    private var sslCertDirIncludesTrustDirectory: Bool {
        (environment["SSL_CERT_DIR"] ?? "").split(separator: ":").contains { FilePath.normalize(String($0)) == FilePath.normalize(location.trustDirectory) }
    }

    private func trustInNSS() -> [Outcome] {
        let databases = nssDatabases
        guard !databases.isEmpty else { return [.skipped("No NSS database (Chromium's ~/.pki/nssdb, Firefox profiles) was found.")] }
        guard let certutil = ExternalTool("certutil", environment: environment) else {
            return databases.map { .failed("NSS database \($0): certutil is not installed (Debian: libnss3-tools).") }
        }
        return databases.map { database in
            _ = certutil.run(["-d", "sql:\(database)", "-D", "-n", Self.nickname])
            let added = certutil.run(["-d", "sql:\(database)", "-A", "-t", "P,,", "-n", Self.nickname, "-i", location.certificatePath])
            return added.succeeded ? .trusted("the NSS database \(database)") : .failed("NSS database \(database): \(added.output)")
        }
    }

    private func trustInSystemStore(_ certificate: TLSCertificate) -> Outcome {
        let directory = systemDirectory
        guard access(directory, W_OK) == 0 else {
            return .skipped("The system store was left alone: \(directory) is not writable (run as root to trust system-wide).")
        }
        guard let update = ExternalTool("update-ca-certificates", environment: environment) else {
            return .skipped("The system store was left alone: update-ca-certificates is not installed (Debian: ca-certificates).")
        }
        let path = FilePath.join(directory, Self.systemFileName)
        do { try FileSystem.writeFileAtomically(path, certificate.certificatePEM) } catch {
            return .failed("System store \(directory): \(error)")
        }
        let ran = update.run([])
        return ran.succeeded ? .trusted("the system store (\(path), update-ca-certificates)") : .failed("update-ca-certificates: \(ran.output)")
    }

    // MARK: Checking and removing

    /// The NSS databases that hold the certificate.
    func nssDatabasesTrusting() -> [String] {
        guard let certutil = ExternalTool("certutil", environment: environment) else { return [] }
        return nssDatabases.filter { certutil.run(["-d", "sql:\($0)", "-L", "-n", Self.nickname]).succeeded }
    }

    /// Takes the certificate out of every store it was put in; returns what could not be cleaned.
    func removeEverywhere() -> [String] {
        var problems: [String] = []
        removeFromOpenSSLDirectory()
        FileSystem.removeDirectory(location.trustDirectory)
        if let certutil = ExternalTool("certutil", environment: environment) {
            for database in nssDatabasesTrusting() {
                let removed = certutil.run(["-d", "sql:\(database)", "-D", "-n", Self.nickname])
                if !removed.succeeded { problems.append("NSS database \(database): \(removed.output)") }
            }
        }
        let systemFile = FilePath.join(systemDirectory, Self.systemFileName)
        if FileSystem.exists(systemFile) {
            if unlink(systemFile) != 0 {
                problems.append("\(systemFile): \(SystemError.last("unlink").reason)")
            } else if let update = ExternalTool("update-ca-certificates", environment: environment) {
                let ran = update.run([])
                if !ran.succeeded { problems.append("update-ca-certificates: \(ran.output)") }
            }
        }
        return problems
    }

    private func removeFromOpenSSLDirectory() {
        let directory = location.trustDirectory
        for name in (try? FileSystem.contentsOfDirectory(directory)) ?? [] {
            let path = FilePath.join(directory, name)
            // Our file, and the hash links that point at it.
            if name == Self.fileName || (FileSystem.linkStatus(path)?.kind == .symbolicLink && linkTarget(path) == Self.fileName) {
                FileSystem.removeFile(path)
            }
        }
    }

    private func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
