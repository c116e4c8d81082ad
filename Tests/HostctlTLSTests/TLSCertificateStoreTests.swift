import Glibc
import CHostctlOpenSSL
import HostctlCore
import HostctlSystem
@testable import HostctlTLS
import Testing

/// SNI choice and reloading: new handshakes get a changed certificate, open connections keep theirs.
@Suite struct TLSCertificateStoreTests {
    /// A store over files written for `default` and each named certificate.
    static func store(default fallback: TLSCertificate?, names: [String: TLSCertificate]) throws -> (store: TLSCertificateStore, directory: TemporaryDirectory) {
        let directory = TemporaryDirectory()
        func source(_ name: String, _ certificate: TLSCertificate) -> TLSCertificateSource {
            .file(path: directory.write("\(name).pem", certificate.certificatePEM + certificate.privateKeyPEM(password: nil)))
        }
        let store = try TLSCertificateStore(
            defaultCertificate: fallback.map { source("default", $0) },
            serverNames: names.sorted { $0.key < $1.key }.map { ($0.key, source($0.key.replacingStars(), $0.value)) }
        )
        return (store, directory)
    }

    @Test func namesChooseExactThenWildcardThenDefault() throws {
        let exact = TLSFixtures.certificate(for: "a.example.org")
        let wide = TLSFixtures.certificate(for: "example.org")
        let narrow = TLSFixtures.certificate(for: "deep.example.org")
        let (store, directory) = try Self.store(default: TLSFixtures.localhost, names: [
            "a.example.org": exact, "*.example.org": wide, "*.deep.example.org": narrow,
        ])
        defer { directory.remove() }
        #expect(store.certificate(forServerName: "a.example.org")?.der == exact.der)
        #expect(store.certificate(forServerName: "b.example.org")?.der == wide.der)
        #expect(store.certificate(forServerName: "x.deep.example.org")?.der == narrow.der)
        #expect(store.certificate(forServerName: "example.org")?.der == TLSFixtures.localhost.der)
        #expect(store.certificate(forServerName: nil)?.der == TLSFixtures.localhost.der)
    }

    @Test func starIsTheFallback() throws {
        let star = TLSFixtures.certificate(for: "star")
        let (store, directory) = try Self.store(default: nil, names: ["*": star])
        defer { directory.remove() }
        #expect(store.certificate(forServerName: "anything.test")?.der == star.der)
        #expect(store.certificate(forServerName: nil)?.der == star.der)
    }

    @Test func theFirstBadCertificateStopsTheStart() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.file("missing.pem")
        #expect(throws: TLSCertificateError(path: missing, .unreadable("No such file or directory"))) {
            try TLSCertificateStore(defaultCertificate: .file(path: missing))
        }
    }

    @Test func changedFilesReloadForNewHandshakes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = TLSFixtures.certificate(for: "first.test")
        let second = TLSFixtures.certificate(for: "second.test")
        let path = directory.write("cert.pem", first.certificatePEM)
        let keyPath = directory.write("key.pem", first.privateKeyPEM(password: nil))
        let store = try TLSCertificateStore(defaultCertificate: .file(path: path, keyPath: keyPath))
        let context = try TLSServerContext(certificates: store)
        #expect(store.reloadIfChanged().isEmpty)

        let open = try TLSPair(context)
        try open.handshake()
        #expect(open.client.peerCertificate == first.der)

        // Rotate: key first, then the certificate (a reload in between sees a mismatch).
        _ = directory.write("key.pem", second.privateKeyPEM(password: nil))
        let inBetween = store.reloadIfChanged()
        #expect(inBetween.reloaded.isEmpty)
        #expect(inBetween.failed == [TLSCertificateError(path: keyPath, .keyMismatch(certificatePath: path))])
        #expect(store.reloadIfChanged().isEmpty, "a failure is reported once")
        #expect(store.certificate(forServerName: nil)?.der == first.der, "the old certificate stays in service")

        _ = directory.write("cert.pem", second.certificatePEM)
        #expect(store.reloadIfChanged().reloaded == [.file(path: path, keyPath: keyPath)])
        let fresh = try TLSPair(context)
        try fresh.handshake()
        #expect(fresh.client.peerCertificate == second.der)

        // The connection opened before keeps its certificate and keeps working.
        #expect(open.server.certificate?.der == first.der)
        #expect(try open.clientSends("still here") == Array("still here".utf8))
    }

    @Test func sessionsResumeAcrossAReload() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("both.pem", TLSFixtures.localhost.certificatePEM + TLSFixtures.localhost.privateKeyPEM(password: nil))
        let store = try TLSCertificateStore(defaultCertificate: .file(path: path))
        let context = try TLSServerContext(certificates: store)
        let first = try TLSPair(context)
        try first.handshake()
        _ = first.client.read()
        let session = try #require(first.client.session())
        defer { SSL_SESSION_free(session) }
        let other = TLSFixtures.localhost
        _ = directory.write("both.pem", other.certificatePEM + other.privateKeyPEM(password: nil) + Array("\n".utf8))
        #expect(store.reloadIfChanged().reloaded.count == 1)
        let second = try TLSPair(context, .init(session: session))
        try second.handshake()
        #expect(second.server.info?.isResumed == true)
    }
}

private extension String {
    func replacingStars() -> String { String(map { $0 == "*" ? "_" : $0 }) }
}
