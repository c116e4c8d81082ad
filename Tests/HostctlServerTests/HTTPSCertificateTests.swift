import Hostctl
import HostctlSystem
import HostctlTestSupport
@testable import HostctlTLS
import Testing

/// Where an https endpoint's certificate comes from (Kestrel's order), what is wrong with
/// one, reloading, server names and client certificates: on both servers.
@Suite struct HTTPSCertificateTests {
    /// An app answering "ok" (and the client certificate's size) on `urls`.
    static func start(
        _ kind: ServerUnderTest, urls: String = "https://127.0.0.1:0", environment: String = "Production", arguments: [String] = [],
        contentRoot: String? = nil, variables: [(String, String)] = [], options: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> TestServer {
        try await TestServer(
            kind, environment: environment, urls: urls, arguments: arguments, variables: variables, contentRoot: contentRoot,
            options: options
        ) { app in
            app.get("/") { context in
                let certificate = context.features[TLSClientCertificateFeature.self]?.clientCertificate
                try await context.response.write("ok client-certificate=\(certificate?.count ?? 0)")
            }
        }
    }

    /// The certificate a new connection is served, DER.
    static func served(_ server: TestServer, serverName: String? = "localhost") throws -> [UInt8]? {
        var options = TestTLSOptions()
        options.serverName = serverName
        return try server.tlsClient(options).peerCertificate
    }

    static func startError(_ body: () async throws -> TestServer) async -> String? {
        do {
            let server = try await body()
            await server.stop()
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Sources, in Kestrel's order

    /// `ASPNETCORE_Kestrel__Certificates__Default__Path` as real launch settings set it: a PKCS#12
    /// file with its password.
    @Test(arguments: ServerUnderTest.allCases) func fromTheEnvironmentAsASPNETCoreSpellsIt(_ kind: ServerUnderTest) async throws {
        let folder = try TemporaryFolder("https-env")
        let pfx = try folder.write("site.pfx", try #require(CertificateFiles.otherCertificate.pkcs12(password: "s3cret")))
        let server = try await Self.start(kind, variables: [
            ("ASPNETCORE_Kestrel__Certificates__Default__Path", pfx), ("ASPNETCORE_Kestrel__Certificates__Default__Password", "s3cret"),
        ])
        #expect(try Self.served(server) == CertificateFiles.otherCertificate.der)
        await server.stop()
    }

    /// An endpoint's own certificate in appsettings.json (an encrypted PEM key with its
    /// password, the paths relative to the content root), its protocols, and per-name ones.
    @Test(arguments: ServerUnderTest.allCases) func anEndpointsOwnCertificateAndServerNames(_ kind: ServerUnderTest) async throws {
        let localhost = try CertificateFiles(keyPassword: "pem-pass")
        let other = try CertificateFiles(CertificateFiles.otherCertificate)
        try localhost.folder.write("appsettings.json", """
            {
              "Kestrel": {
                "Endpoints": {
                  "Https": {
                    "Url": "https://127.0.0.1:0",
                    "Protocols": "Http1AndHttp2",
                    "Certificate": { "Path": "cert.pem", "KeyPath": "key.pem", "Password": "pem-pass" },
                    "Sni": { "other.test": { "Certificate": { "Path": "\(other.certificate)", "KeyPath": "\(other.key)" } } }
                  }
                }
              }
            }
            """)
        let server = try await Self.start(kind, contentRoot: localhost.folder.path)
        #expect(try Self.served(server) == localhost.made.der)
        #expect(try Self.served(server, serverName: nil) == localhost.made.der, "no SNI: the endpoint's certificate")
        #expect(try Self.served(server, serverName: "other.test") == other.made.der)
        await server.stop()
    }

    /// Code first: an endpoint's own options beat the configuration; the code's defaults beat
    /// `Kestrel:Certificates:Default`.
    @Test(arguments: ServerUnderTest.allCases) func codeWinsOverConfiguration(_ kind: ServerUnderTest) async throws {
        let configured = try CertificateFiles()
        let coded = try CertificateFiles(CertificateFiles.otherCertificate)
        let url = "https://127.0.0.1:0"
        let perEndpoint = try await Self.start(kind, urls: url, arguments: configured.defaultCertificateArguments) {
            $0.httpsEndpoints[url] = HTTPSOptions(certificate: CertificateConfiguration(path: coded.certificate, keyPath: coded.key))
        }
        #expect(try Self.served(perEndpoint) == coded.made.der)
        await perEndpoint.stop()
        let defaults = try await Self.start(kind, arguments: configured.defaultCertificateArguments) {
            $0.httpsDefaults.certificate = CertificateConfiguration(path: coded.certificate, keyPath: coded.key)
        }
        #expect(try Self.served(defaults) == coded.made.der)
        await defaults.stop()
    }

    /// In Development, with nothing configured, the certificate `hostctl dev-certs https`
    /// made; in Production it is not used, and Kestrel's message names the command.
    @Test(arguments: ServerUnderTest.allCases) func theDevelopmentCertificateInDevelopmentOnly(_ kind: ServerUnderTest) async throws {
        let data = try TemporaryFolder("https-data")
        let development = DevelopmentCertificateLocation(directory: FilePath.join(data.path, "hostctl", "dev-certs"))
        let certificate = CertificateFiles.localhostCertificate
        try data.write("hostctl/dev-certs/https.crt", certificate.certificatePEM)
        try data.write("hostctl/dev-certs/https.key", certificate.privateKeyPEM(password: nil))
        #expect(FileSystem.exists(development.keyPath))
        let server = try await Self.start(kind, environment: "Development", variables: [("XDG_DATA_HOME", data.path)])
        #expect(try Self.served(server) == certificate.der)
        await server.stop()

        let production = await Self.startError { try await Self.start(kind, variables: [("XDG_DATA_HOME", data.path)]) }
        #expect(production == TLSCertificateError.noCertificateMessage)
        let empty = try TemporaryFolder("https-empty")
        let missing = await Self.startError {
            try await Self.start(kind, environment: "Development", variables: [("XDG_DATA_HOME", empty.path)])
        }
        #expect(missing?.contains("To generate a developer certificate run 'hostctl dev-certs https'.") == true, "\(missing ?? "started")")
    }

    // MARK: What is wrong with a certificate, by file and reason

    @Test(arguments: ServerUnderTest.allCases) func badCertificatesNameTheFileAndTheReason(_ kind: ServerUnderTest) async throws {
        let localhost = try CertificateFiles()
        let other = try CertificateFiles(CertificateFiles.otherCertificate)
        let mismatch = await Self.startError {
            try await Self.start(kind, arguments: ["--Kestrel:Certificates:Default:Path=\(localhost.certificate)", "--Kestrel:Certificates:Default:KeyPath=\(other.key)"])
        }
        #expect(mismatch == "The private key in '\(other.key)' does not match the certificate in '\(localhost.certificate)'.")

        let expired = try CertificateFiles(try DevelopmentCertificate.selfSigned(
            commonName: "localhost", alternativeNames: "DNS:localhost", startDays: -40, validityDays: 30, marked: false
        ))
        let expiredError = await Self.startError { try await Self.start(kind, arguments: expired.defaultCertificateArguments) }
        #expect(expiredError?.hasPrefix("The certificate in '\(expired.certificate)' expired on ") == true, "\(expiredError ?? "started")")

        let absent = localhost.folder.file("absent.pem")
        let unreadable = await Self.startError { try await Self.start(kind, arguments: ["--Kestrel:Certificates:Default:Path=\(absent)"]) }
        #expect(unreadable == "The certificate file '\(absent)' cannot be read: No such file or directory.")

        let encrypted = try CertificateFiles(keyPassword: "right")
        let wrong = await Self.startError {
            try await Self.start(kind, arguments: encrypted.defaultCertificateArguments + ["--Kestrel:Certificates:Default:Password=wrong"])
        }
        #expect(wrong == "The password for '\(encrypted.key)' is wrong.")
    }

    @Test(arguments: ServerUnderTest.allCases) func settingsHostctlCannotHonourAreStartErrors(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let store = await Self.startError { try await Self.start(kind, arguments: ["--Kestrel:Certificates:Default:Subject=localhost"]) }
        #expect(store?.contains("names a certificate store (Subject 'localhost'), which Windows has and Linux does not") == true, "\(store ?? "started")")
        let delayed = await Self.startError {
            try await Self.start(kind, arguments: files.defaultCertificateArguments + ["--Kestrel:EndpointDefaults:ClientCertificateMode=DelayCertificate"])
        }
        #expect(delayed?.contains("DelayCertificate, which needs TLS renegotiation") == true, "\(delayed ?? "started")")
        let old = await Self.startError {
            try await Self.start(kind, arguments: files.defaultCertificateArguments + ["--Kestrel:EndpointDefaults:SslProtocols=Tls11"])
        }
        #expect(old?.contains("hostctl serves TLS 1.2 and 1.3 only") == true, "\(old ?? "started")")
    }

    /// `SslProtocols: Tls12` serves TLS 1.2 only, to a client that would take 1.3.
    @Test(arguments: ServerUnderTest.allCases) func sslProtocolsNarrowTheVersions(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, arguments: files.defaultCertificateArguments + ["--Kestrel:EndpointDefaults:SslProtocols=Tls12"])
        #expect(try server.tlsClient().negotiatedVersion == "TLSv1.2")
        await server.stop()
    }

    // MARK: Reload

    /// New handshakes get the new certificate once its files change; a connection already
    /// open keeps its own, and goes on being served.
    @Test(arguments: ServerUnderTest.allCases) func certificatesReloadWithoutARestart(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, arguments: files.defaultCertificateArguments)
        let open = try server.tlsClient()
        #expect(open.peerCertificate == files.made.der)
        try files.replace(with: CertificateFiles.otherCertificate)
        let replaced = try await offThePool {
            waitUntil(seconds: 15) { (try? Self.served(server)) == CertificateFiles.otherCertificate.der }
        }
        #expect(replaced, "a new connection got the new certificate")
        try open.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try open.readResponse().status == 200)
        await server.stop()
    }

    // MARK: Client certificates

    @Test(arguments: ServerUnderTest.allCases) func clientCertificatesWhenTheEndpointAsks(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let client = try CertificateFiles(CertificateFiles.otherCertificate)
        let server = try await Self.start(kind, arguments: files.defaultCertificateArguments) {
            $0.httpsDefaults.clientCertificateMode = .requireCertificate
            $0.httpsDefaults.allowsAnyClientCertificate = true
        }
        var withCertificate = TestTLSOptions()
        withCertificate.clientCertificate = (client.certificate, client.key)
        let presented = try server.tlsClient(withCertificate)
        try presented.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try presented.readResponse().text == "ok client-certificate=\(client.made.der.count)")

        // Without one: TLS 1.3 clients learn it at their first read (the server's alert).
        let refused = try server.client()
        do {
            try refused.startTLS()
            try refused.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(throws: TestFailure.self) { try refused.readResponse() }
        } catch {}
        await server.stop()

        let optional = try await Self.start(kind, arguments: files.defaultCertificateArguments + ["--Kestrel:EndpointDefaults:ClientCertificateMode=AllowCertificate"]) {
            $0.httpsDefaults.allowsAnyClientCertificate = true
        }
        let anonymous = try optional.tlsClient()
        try anonymous.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try anonymous.readResponse().text == "ok client-certificate=0")
        await optional.stop()
    }
}
