import Foundation
import HostctlSystem
import HostctlTLS
import Testing

/// `hostctl dev-certs https` through the real binary, in a temporary home: the certificate's
/// life (create, check, trust, export, import, clean), dotnet's messages and exit codes. Trust
/// goes to a temporary NSS database, a temporary OpenSSL directory and a stand-in system store
/// (HOSTCTL_CA_CERTIFICATES_DIR, with a recording update-ca-certificates first on PATH), never
/// to this machine's real ones.
@Suite struct DevCertsTests {
    /// A temporary home, and the environment that points hostctl at it.
    struct Home {
        let path: String
        let systemStore: String
        let fakeBin: String
        var environment: ProcessEnvironment

        init(systemStoreWritable: Bool = false, path pathOverride: String? = nil) throws {
            path = try TemporaryDirectory.make("dev-certs-home")
            systemStore = FilePath.join(path, "system-ca")
            fakeBin = FilePath.join(path, "bin")
            try FileManager.default.createDirectory(atPath: fakeBin, withIntermediateDirectories: true)
            if systemStoreWritable { try FileManager.default.createDirectory(atPath: systemStore, withIntermediateDirectories: true) }
            // Records that it ran, and with what, instead of rebuilding the machine's bundle.
            let recorder = FilePath.join(fakeBin, "update-ca-certificates")
            try "#!/bin/sh\necho \"ran $*\" >> \"\(path)/update-ca-certificates.log\"\n".write(toFile: recorder, atomically: true, encoding: .utf8)
            chmod(recorder, 0o755)
            environment = Hostctl.baseEnvironment()
            environment["HOME"] = path
            environment["XDG_DATA_HOME"] = nil
            environment["HOSTCTL_CA_CERTIFICATES_DIR"] = systemStore
            environment["PATH"] = fakeBin + ":" + (pathOverride ?? environment["PATH"] ?? "/usr/bin:/bin")
            // OpenSSL's trust: nothing but what a test names (never the machine's bundle).
            environment["SSL_CERT_FILE"] = FilePath.join(path, "no-bundle.pem")
            environment["SSL_CERT_DIR"] = FilePath.join(path, "no-such-dir")
        }

        var certificateDirectory: String { FilePath.join(path, ".local", "share", "hostctl", "dev-certs") }
        var trustDirectory: String { FilePath.join(certificateDirectory, "trust") }

        func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RunResult {
            var environment = environment
            for (name, value) in extra { environment[name] = value }
            return try Hostctl.run(["dev-certs"] + arguments, in: path, environment: environment, timeout: 60)
        }

        /// An empty NSS database (what Chromium keeps in ~/.pki/nssdb, and each Firefox profile).
        func makeNSSDatabase(_ relative: String) throws -> String {
            let directory = FilePath.join(path, relative)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let made = try Hostctl.runTool(try Self.certutil(), ["-N", "-d", "sql:\(directory)", "--empty-password"], timeout: 30)
            guard made.status.isSuccess else { throw FixtureError("certutil -N failed: \(made)") }
            return directory
        }

        func nssHolds(_ database: String) throws -> Bool {
            try Hostctl.runTool(try Self.certutil(), ["-d", "sql:\(database)", "-L", "-n", "hostctl HTTPS development certificate"], timeout: 30).status.isSuccess
        }

        static func certutil() throws -> String {
            guard let path = ExecutableSearch.find("certutil", path: ProcessInfo.processInfo.environment["PATH"]) else {
                throw FixtureError("certutil is not installed (.ci/run installs it: apt-get install libnss3-tools)")
            }
            return path
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func createThenCheckThenAlreadyPresent() throws {
        let home = try Home()
        defer { home.remove() }
        let none = try home.run(["https", "--check"])
        #expect(none.exitCode == 6 && none.stdout == "No valid certificate found.\n", "\(none)")

        let created = try home.run(["https"])
        #expect(created.exitCode == 0 && created.stdout == "The HTTPS developer certificate was generated successfully.\n", "\(created)")
        let key = FilePath.join(home.certificateDirectory, "https.key")
        #expect((FileSystem.status(key)?.mode ?? 0) & 0o777 == 0o600)
        #expect((FileSystem.status(home.certificateDirectory)?.mode ?? 0) & 0o777 == 0o700)
        let certificate = try TLSCertificateLoader.load(path: FilePath.join(home.certificateDirectory, "https.crt"), keyPath: key, password: nil, now: nil)
        #expect(certificate.subjectAlternativeNames == ["localhost", "127.0.0.1", "::1"])
        #expect(certificate.isDevelopmentCertificate)
        #expect(certificate.notAfter - certificate.notBefore == 365 * 86400)

        let found = try home.run(["https", "-c"])
        #expect(found.exitCode == 0, "\(found)")
        #expect(found.stdout.hasPrefix("A valid certificate was found: \(certificate.thumbprint) - CN=localhost - Valid: "))
        #expect(found.stdout.contains("Run the command with both --check and --trust options"))

        let again = try home.run(["https"])
        #expect(again.exitCode == 0 && again.stdout == "A valid HTTPS certificate is already present.\n", "\(again)")
        #expect(try TLSCertificateLoader.load(path: FilePath.join(home.certificateDirectory, "https.crt"), keyPath: key, password: nil, now: nil).der == certificate.der)
    }

    @Test func xdgDataHomeIsWhereItLives() throws {
        let home = try Home()
        defer { home.remove() }
        let data = FilePath.join(home.path, "data")
        let created = try home.run(["https"], environment: ["XDG_DATA_HOME": data])
        #expect(created.exitCode == 0, "\(created)")
        #expect(FileSystem.exists(FilePath.join(data, "hostctl", "dev-certs", "https.crt")))
        #expect(!FileSystem.exists(home.certificateDirectory))
    }

    @Test func trustCheckAndClean() throws {
        let home = try Home(systemStoreWritable: true)
        defer { home.remove() }
        let chromium = try home.makeNSSDatabase(".pki/nssdb")
        let firefox = try home.makeNSSDatabase(".mozilla/firefox/abcd1234.default-release")

        let trusted = try home.run(["https", "--trust"])
        #expect(trusted.exitCode == 0, "\(trusted)")
        #expect(trusted.stdout.contains("Trusted in the OpenSSL directory \(home.trustDirectory); "))
        #expect(trusted.stdout.contains("export SSL_CERT_DIR=\"\(home.trustDirectory):"))
        #expect(trusted.stdout.contains("Trusted in the NSS database \(chromium)."))
        #expect(trusted.stdout.contains("Trusted in the NSS database \(firefox)."))
        #expect(trusted.stdout.contains("Trusted in the system store (\(home.systemStore)/hostctl-https-development.crt, update-ca-certificates)."))
        #expect(trusted.stdout.hasSuffix("Successfully created and trusted a new HTTPS certificate.\n"))
        #expect(try home.nssHolds(chromium) && home.nssHolds(firefox))
        #expect(FileSystem.exists(FilePath.join(home.systemStore, "hostctl-https-development.crt")))
        #expect((try? String(contentsOfFile: FilePath.join(home.path, "update-ca-certificates.log"), encoding: .utf8)) == "ran \n")
        let links = try FileManager.default.contentsOfDirectory(atPath: home.trustDirectory).filter { $0.hasSuffix(".0") }
        #expect(links.count == 1 && links.first?.count == 10)

        // Not trusted by OpenSSL clients until SSL_CERT_DIR names the directory: exit 7.
        let unnamed = try home.run(["https", "--check", "--trust"])
        #expect(unnamed.exitCode == 7, "\(unnamed)")
        #expect(unnamed.stdout.hasPrefix("The following certificates were found, but none of them is trusted: "))
        let named = try home.run(["https", "--check", "--trust"], environment: ["SSL_CERT_DIR": home.trustDirectory])
        #expect(named.exitCode == 0 && named.stdout.hasPrefix("A trusted certificate was found: "), "\(named)")

        // Trusting again replaces, never duplicates.
        let twice = try home.run(["https", "--trust"], environment: ["SSL_CERT_DIR": home.trustDirectory])
        #expect(twice.exitCode == 0 && twice.stdout.hasSuffix("Successfully trusted the existing HTTPS certificate.\n"), "\(twice)")
        #expect(twice.stdout.contains("Trusted in OpenSSL clients (curl, Python, Swift), through SSL_CERT_DIR: \(home.trustDirectory)."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.trustDirectory).count == 2)

        let cleaned = try home.run(["https", "--clean"])
        #expect(cleaned.exitCode == 0, "\(cleaned)")
        #expect(cleaned.stdout.hasSuffix("HTTPS development certificates successfully removed from the machine.\n"))
        #expect(try !home.nssHolds(chromium) && !home.nssHolds(firefox))
        #expect(!FileSystem.exists(home.trustDirectory))
        #expect(!FileSystem.exists(FilePath.join(home.systemStore, "hostctl-https-development.crt")))
        #expect(!FileSystem.exists(FilePath.join(home.certificateDirectory, "https.crt")))
        #expect(try home.run(["https", "--check"]).exitCode == 6)
    }

    @Test func trustWithoutCertutilIsPartial() throws {
        let home = try Home(path: "/nonexistent")  // a PATH without certutil
        defer { home.remove() }
        _ = try home.makeNSSDatabase(".pki/nssdb")
        let result = try home.run(["https", "--trust"])
        #expect(result.exitCode == 4, "\(result)")
        #expect(result.stdout.contains("certutil is not installed"))
        #expect(result.stdout.contains("It will be trusted by some clients but not by others."))
        #expect(result.stdout.contains("The system store was left alone") == false, "skipped targets are said only with --verbose")
    }

    @Test func exportsInEveryFormat() throws {
        let home = try Home()
        defer { home.remove() }
        let out = FilePath.join(home.path, "out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        let pfx = FilePath.join(out, "cert.pfx")
        #expect(try home.run(["https", "-ep", pfx, "-p", "s3cret"]).exitCode == 0)
        let fromPfx = try TLSCertificateLoader.load(path: pfx, keyPath: nil, password: "s3cret", now: nil)
        #expect(fromPfx.isDevelopmentCertificate)

        let pem = FilePath.join(out, "cert.crt")
        #expect(try home.run(["https", "--export-path", pem, "--format", "PEM", "--no-password"]).exitCode == 0)
        let keyPath = FilePath.join(out, "cert.key")
        #expect(try TLSCertificateLoader.load(path: pem, keyPath: keyPath, password: nil, now: nil).der == fromPfx.der)
        #expect((FileSystem.status(keyPath)?.mode ?? 0) & 0o777 == 0o600)

        let encrypted = FilePath.join(out, "locked.pem")
        #expect(try home.run(["https", "-ep", encrypted, "--format", "Pem", "-p", "pw"]).exitCode == 0)
        #expect(throws: TLSCertificateError(path: FilePath.join(out, "locked.key"), .passwordRequired)) {
            try TLSCertificateLoader.load(path: encrypted, keyPath: FilePath.join(out, "locked.key"), password: nil, now: nil)
        }

        let publicOnly = FilePath.join(out, "public.cer")
        #expect(try home.run(["https", "-ep", publicOnly]).exitCode == 0)
        #expect(FileSystem.exists(publicOnly) && !FileSystem.exists(FilePath.join(out, "public.key")))

        let nowhere = try home.run(["https", "-ep", FilePath.join(home.path, "missing", "cert.pfx"), "-p", "x"])
        #expect(nowhere.exitCode == 3 && nowhere.stdout.contains("Please create the target directory before exporting."), "\(nowhere)")
    }

    @Test func importsADevelopmentCertificateOnly() throws {
        let home = try Home()
        defer { home.remove() }
        let pfx = FilePath.join(home.path, "exported.pfx")
        #expect(try home.run(["https", "-ep", pfx, "-p", "pw"]).exitCode == 0)
        let original = try TLSCertificateLoader.load(path: pfx, keyPath: nil, password: "pw", now: nil)

        let imported = try home.run(["https", "--clean", "--import", pfx, "-p", "pw"])
        #expect(imported.exitCode == 0 && imported.stdout.hasSuffix("The certificate was successfully imported.\n"), "\(imported)")
        #expect(try home.run(["https", "--check"]).stdout.contains(original.thumbprint))

        let missing = try home.run(["https", "--clean", "--import", FilePath.join(home.path, "nope.pfx"), "-p", "pw"])
        #expect(missing.exitCode == 12 && missing.stderr.contains("does not exist"), "\(missing)")
        let wrong = try home.run(["https", "--clean", "--import", pfx, "-p", "wrong"])
        #expect(wrong.exitCode == 13 && wrong.stderr.contains("is not a valid PFX file or the password is incorrect"), "\(wrong)")

        // A certificate without the development marker, made by the openssl program (a test tool here).
        let openssl = try #require(ExecutableSearch.find("openssl", path: ProcessInfo.processInfo.environment["PATH"]))
        let key = FilePath.join(home.path, "plain.key")
        let certificate = FilePath.join(home.path, "plain.crt")
        let plain = FilePath.join(home.path, "plain.pfx")
        #expect(try Hostctl.runTool(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                             "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost"]).status.isSuccess)
        #expect(try Hostctl.runTool(openssl, ["pkcs12", "-export", "-inkey", key, "-in", certificate, "-out", plain, "-passout", "pass:pw"]).status.isSuccess)
        let foreign = try home.run(["https", "--clean", "--import", plain, "-p", "pw"])
        #expect(foreign.exitCode == 14 && foreign.stderr.contains("is not a valid ASP.NET Core HTTPS development certificate"), "\(foreign)")
    }

    @Test func incompatibleOptionsAndUnknownFormats() throws {
        let home = try Home()
        defer { home.remove() }
        for arguments in [["https", "--check", "--clean"], ["https", "--no-password"], ["https", "--clean", "--trust"],
                          ["https", "-ep", "x.pfx", "-p", "a", "-np", "--format", "Pem"], ["https", "--import", "x.pfx", "-p", "a"]] {
            let result = try home.run(arguments)
            #expect(result.exitCode == 255 && result.stderr.hasPrefix("Incompatible set of flags. Sample usages\n"), "\(arguments): \(result)")
        }
        let format = try home.run(["https", "-ep", "x", "--format", "Zip"])
        #expect(format.exitCode == 10 && format.stderr == "Unknown key format 'Zip'.\n", "\(format)")
        #expect(!FileSystem.exists(home.certificateDirectory), "nothing was made")
    }

    @Test func helpNamesEveryOption() throws {
        let home = try Home()
        defer { home.remove() }
        let help = try home.run(["https", "--help"])
        #expect(help.exitCode == 0)
        for option in ["--export-path", "--password", "--no-password", "--check", "--clean", "--import", "--format", "--trust", "--verbose", "--quiet"] {
            #expect(help.stdout.contains(option), "\(option)")
        }
        let quiet = try home.run(["https", "-q"])
        #expect(quiet.exitCode == 0 && quiet.stdout.isEmpty, "\(quiet)")
    }
}
