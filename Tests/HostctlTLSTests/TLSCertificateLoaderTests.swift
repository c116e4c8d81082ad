import HostctlSystem
@testable import HostctlTLS
import Testing

/// Certificate sources as Kestrel's configuration names them (Path, KeyPath, Password), and an
/// error naming the file and the reason for each way they go wrong.
@Suite struct TLSCertificateLoaderTests {
    let certificate = TLSFixtures.localhost

    private func load(_ path: String, keyPath: String? = nil, password: String? = nil) throws(TLSCertificateError) -> TLSCertificate {
        try TLSCertificateLoader.load(.file(path: path, keyPath: keyPath, password: password), development: nil)
    }

    private func loadError(_ path: String, keyPath: String? = nil, password: String? = nil) -> TLSCertificateError? {
        do {
            _ = try load(path, keyPath: keyPath, password: password)
            return nil
        } catch {
            return error
        }
    }

    @Test func pemWithAKeyFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("cert.pem", certificate.certificatePEM)
        let keyPath = directory.write("key.pem", certificate.privateKeyPEM(password: nil))
        let loaded = try load(path, keyPath: keyPath)
        #expect(loaded.der == certificate.der)
        #expect(loaded.subject == "CN=localhost")
        #expect(loaded.subjectAlternativeNames == ["localhost", "127.0.0.1", "::1"])
        #expect(loaded.isDevelopmentCertificate)
    }

    @Test func pemHoldingCertificateAndKey() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("both.pem", certificate.certificatePEM + certificate.privateKeyPEM(password: nil))
        #expect(try load(path).der == certificate.der)
    }

    @Test func encryptedPEMKey() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("cert.pem", certificate.certificatePEM)
        let keyPath = directory.write("key.pem", certificate.privateKeyPEM(password: "s3cret"))
        #expect(String(decoding: FileSystemRead.bytes(keyPath), as: UTF8.self).contains("ENCRYPTED PRIVATE KEY"))
        #expect(try load(path, keyPath: keyPath, password: "s3cret").der == certificate.der)
        #expect(loadError(path, keyPath: keyPath) == TLSCertificateError(path: keyPath, .passwordRequired))
        #expect(loadError(path, keyPath: keyPath, password: "wrong") == TLSCertificateError(path: keyPath, .wrongPassword))
    }

    @Test func pkcs12WithAPassword() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("cert.pfx", try #require(certificate.pkcs12(password: "pfx-pass")))
        #expect(try load(path, password: "pfx-pass").der == certificate.der)
        #expect(loadError(path, password: "nope") == TLSCertificateError(path: path, .wrongPassword))
        #expect(loadError(path) == TLSCertificateError(path: path, .passwordRequired))
    }

    @Test func pkcs12WithAnEmptyPasswordNeedsNone() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("cert.pfx", try #require(certificate.pkcs12(password: "")))
        #expect(try load(path).der == certificate.der)
    }

    @Test func aKeyThatIsNotTheCertificates() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("cert.pem", certificate.certificatePEM)
        let keyPath = directory.write("other.key", TLSFixtures.certificate(for: "other").privateKeyPEM(password: nil))
        let error = try #require(loadError(path, keyPath: keyPath))
        #expect(error == TLSCertificateError(path: keyPath, .keyMismatch(certificatePath: path)))
        #expect(error.description == "The private key in '\(keyPath)' does not match the certificate in '\(path)'.")
    }

    @Test func anExpiredCertificate() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let expired = TLSFixtures.certificate(for: "old.example.org", startDays: -400, validityDays: 30)
        let path = directory.write("old.pem", expired.certificatePEM + expired.privateKeyPEM(password: nil))
        let error = try #require(loadError(path))
        guard case .expired(let date) = error.reason else {
            Issue.record("expected expired, got \(error)")
            return
        }
        #expect(error.path == path)
        #expect(error.description == "The certificate in '\(path)' expired on \(date).")
        #expect(date.hasSuffix("Z") && date.count == 20)
    }

    @Test func unreadableFiles() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.file("missing.pem")
        #expect(loadError(missing) == TLSCertificateError(path: missing, .unreadable("No such file or directory")))
        #expect(loadError(missing)?.description == "The certificate file '\(missing)' cannot be read: No such file or directory.")
        #expect(loadError(directory.path)?.reason == .unreadable("Is a directory"))
        let path = directory.write("cert.pem", certificate.certificatePEM)
        let keyMissing = directory.file("key.pem")
        #expect(loadError(path, keyPath: keyMissing) == TLSCertificateError(path: keyMissing, .unreadable("No such file or directory")))
    }

    @Test func filesWithoutWhatIsNeeded() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let garbage = directory.write("garbage.pfx", Array("not a certificate at all".utf8))
        #expect(loadError(garbage) == TLSCertificateError(path: garbage, .noCertificate))
        let noCertificate = directory.write("key-only.pem", certificate.privateKeyPEM(password: nil))
        #expect(loadError(noCertificate) == TLSCertificateError(path: noCertificate, .noCertificate))
        let noKey = directory.write("cert-only.pem", certificate.certificatePEM)
        #expect(loadError(noKey) == TLSCertificateError(path: noKey, .noPrivateKey))
    }

    @Test func noDevelopmentCertificateSaysWhichCommandMakesOne() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let location = DevelopmentCertificateLocation(directory: directory.file("dev-certs"))
        #expect {
            try TLSCertificateLoader.load(.developmentCertificate, development: location)
        } throws: { error in
            let error = error as? TLSCertificateError
            return error?.reason == .noDevelopmentCertificate && error?.description.contains("run 'hostctl dev-certs https'") == true
        }
    }

    @Test func developmentLocationFollowsXDG() {
        #expect(DevelopmentCertificateLocation(environment: ProcessEnvironment([("HOME", "/home/ada")]))?.directory
            == "/home/ada/.local/share/hostctl/dev-certs")
        #expect(DevelopmentCertificateLocation(environment: ProcessEnvironment([("HOME", "/home/ada"), ("XDG_DATA_HOME", "/data")]))?.directory
            == "/data/hostctl/dev-certs")
        #expect(DevelopmentCertificateLocation(environment: ProcessEnvironment([("XDG_DATA_HOME", "relative")])) == nil)
    }
}

enum FileSystemRead {
    static func bytes(_ path: String) -> [UInt8] { (try? FileSystem.readFile(path)) ?? [] }
}
