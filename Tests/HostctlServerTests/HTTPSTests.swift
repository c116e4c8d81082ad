import CHostctlOpenSSL
import Hostctl
import HostctlTestSupport
import Testing

/// HTTPS on both servers over real sockets: real clients (curl, openssl s_client, Python's
/// ssl module, OpenSSL through the test client), what apps see, and every bad input the
/// TLS layer must end cleanly without the app seeing anything.
@Suite struct HTTPSTests {
    /// An app on an https:// URL (and a plain one beside it when asked), serving the localhost
    /// certificate, that reports what it sees of the connection.
    static func start(
        _ kind: ServerUnderTest, files: CertificateFiles, urls: String = "https://127.0.0.1:0", called: Flag = Flag(),
        options: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> TestServer {
        try await TestServer(kind, urls: urls, arguments: files.defaultCertificateArguments, options: options) { app in
            app.get("/") { context in
                called.set()
                let handshake = context.features[TLSHandshakeFeature.self]
                let certificate = context.features[TLSClientCertificateFeature.self]?.clientCertificate
                try await context.response.write(
                    "scheme=\(context.request.scheme) version=\(handshake?.protocolVersion.map { "\($0)" } ?? "-") "
                        + "alpn=\(handshake?.applicationProtocol ?? "-") sni=\(handshake?.serverName ?? "-") "
                        + "resumed=\(handshake?.isResumed ?? false) cipher=\(handshake?.cipherSuite ?? "-") "
                        + "client-certificate=\(certificate.map { "\($0.count) bytes" } ?? "-")"
                )
            }
            app.get("/big") { context in
                called.set()
                let body = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20)
                context.response.contentLength = body.count
                try await context.response.write(body)
            }
            app.post("/count") { context in
                called.set()
                var total = 0
                for try await chunk in context.request.body { total += chunk.count }
                try await context.response.write("\(total)")
            }
            app.get("/file") { context in
                called.set()
                context.response.contentLength = Int(files.made.certificatePEM.count)
                try await context.response.sendFile(path: files.certificate)
            }
        }
    }

    // MARK: Serving

    @Test(arguments: ServerUnderTest.allCases) func servesRequestsOverTLS(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files)
        var options = TestTLSOptions()
        options.trustedCertificates = files.certificate
        options.applicationProtocols = ["http/1.1"]
        let client = try server.tlsClient(options)
        #expect(client.negotiatedProtocol == "http/1.1")
        for _ in 0..<3 {
            try client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text.hasPrefix("scheme=https version=Tls13 alpn=http/1.1 sni=localhost resumed=false cipher=TLS_"), "\(response.text)")
        }
        try client.send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let big = try client.readResponse()
        #expect(big.body.count == 1 << 20 && big.body.allSatisfy { $0 == UInt8(ascii: "b") })
        let upload = String(repeating: "0123456789", count: 400_000)
        try client.send("POST /count HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(upload.utf8.count)\r\n\r\n" + upload)
        #expect(try client.readResponse().text == "4000000")
        // A file goes through the copy path over TLS (it cannot go to the socket unencrypted).
        try client.send("GET /file HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try client.readResponse().body == files.made.certificatePEM)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func curlVerifiesAndFetches(_ kind: ServerUnderTest) async throws {
        try requireTool("curl")
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files)
        let verified = ["-sS", "--http1.1", "--cacert", files.certificate, "--resolve", "localhost:\(server.port):127.0.0.1"]
        let base = "https://localhost:\(server.port)"
        let big = try await ExternalTool.run("curl", verified + ["-o", "/dev/null", "-w", "%{http_code} %{size_download} %{ssl_verify_result}", base + "/big"])
        #expect(big.status == 0 && big.stdout == "200 1048576 0", "\(big)")
        let fetched = try await ExternalTool.run("curl", verified + [base + "/"])
        #expect(fetched.stdout.hasPrefix("scheme=https version=Tls13 alpn=http/1.1 sni=localhost"), "\(fetched)")
        let tls12 = try await ExternalTool.run("curl", ["-sS", "--http1.1", "--tls-max", "1.2", "-k", "https://127.0.0.1:\(server.port)/"])
        #expect(tls12.stdout.hasPrefix("scheme=https version=Tls12 alpn=http/1.1 sni=- "), "\(tls12)")
        #expect(tls12.stdout.contains("cipher=TLS_ECDHE_ECDSA_WITH_"), "\(tls12)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func opensslNegotiatesALPNAndResumesSessions(_ kind: ServerUnderTest) async throws {
        try requireTool("openssl")
        let files = try CertificateFiles()
        let sessionFile = files.folder.file("session.pem")
        let server = try await Self.start(kind, files: files)
        let address = "127.0.0.1:\(server.port)"
        let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

        let first = try await ExternalTool.run("openssl", [
            "s_client", "-connect", address, "-servername", "localhost", "-alpn", "http/1.1", "-CAfile", files.certificate,
            "-verify_return_error", "-sess_out", sessionFile, "-ign_eof",
        ], input: request)
        #expect(first.stdout.contains("ALPN protocol: http/1.1"), "\(first)")
        #expect(first.stdout.contains("Verify return code: 0 (ok)"), "\(first)")
        #expect(first.stdout.contains("scheme=https version=Tls13"), "\(first)")

        let resumed = try await ExternalTool.run("openssl", [
            "s_client", "-connect", address, "-servername", "localhost", "-sess_in", sessionFile, "-ign_eof",
        ], input: request)
        #expect(resumed.stdout.contains("Reused, TLSv1.3"), "\(resumed)")
        #expect(resumed.stdout.contains("resumed=true"), "\(resumed)")

        // TLS 1.2 resumes too (by ticket or session id).
        let tls12 = try await ExternalTool.run("openssl", ["s_client", "-connect", address, "-tls1_2", "-sess_out", sessionFile, "-ign_eof"], input: request)
        #expect(tls12.stdout.contains("Protocol  : TLSv1.2"), "\(tls12)")
        let tls12Again = try await ExternalTool.run("openssl", ["s_client", "-connect", address, "-tls1_2", "-sess_in", sessionFile, "-ign_eof"], input: request)
        #expect(tls12Again.stdout.contains("Reused, TLSv1.2"), "\(tls12Again)")

        // HTTP/2 when offered (the endpoint speaks both); a client offering none of the
        // endpoint's protocols is refused (RFC 7301).
        let h2 = try await ExternalTool.run("openssl", ["s_client", "-connect", address, "-alpn", "http/1.1,h2"], input: "")
        #expect(h2.stdout.contains("ALPN protocol: h2"), "\(h2)")
        let unknown = try await ExternalTool.run("openssl", ["s_client", "-connect", address, "-alpn", "spdy/3"], input: "")
        #expect(unknown.stderr.contains("no application protocol"), "\(unknown)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func oldVersionsAreRefused(_ kind: ServerUnderTest) async throws {
        try requireTool("openssl")
        let files = try CertificateFiles()
        let called = Flag()
        let server = try await Self.start(kind, files: files, called: called)
        for flag in ["-tls1_1", "-tls1"] {
            let refused = try await ExternalTool.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(server.port)", flag, "-cipher", "DEFAULT:@SECLEVEL=0",
            ], input: "GET / HTTP/1.1\r\n\r\n")
            #expect(refused.status != 0, "\(flag): \(refused)")
            #expect(refused.stderr.contains("alert protocol version") || refused.stderr.contains("unsupported protocol"), "\(flag): \(refused)")
        }
        // SSLv3 (which OpenSSL can no longer send): a hand-made hello gets an alert.
        let client = try server.client()
        try client.send(Self.sslv3ClientHello)
        let answer = try client.readToEnd()
        #expect(answer.utf8.first == 21, "an alert record")
        #expect(!called.isSet)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func pythonsSSLModuleVerifies(_ kind: ServerUnderTest) async throws {
        try requireTool("python3")
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files)
        let script = """
            import socket, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[2])
            context.set_alpn_protocols(["http/1.1"])
            with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
                    data = b""
                    while chunk := tls.recv(65536):
                        data += chunk
                    print(tls.version(), tls.selected_alpn_protocol())
                    print(data.decode().split("\\r\\n\\r\\n", 1)[1])
            """
        let result = try await ExternalTool.run("python3", ["-c", script, "\(server.port)", files.certificate])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("TLSv1.3 http/1.1\nscheme=https"), "\(result)")
        await server.stop()
    }

    // MARK: Bad input: a clean end, and nothing reaches the app

    /// Plain HTTP on the https port: nginx's 400 saying so, then a lingering close: the
    /// answer arrives whole even when the client sends more after its request.
    @Test(arguments: ServerUnderTest.allCases) func plainHTTPToTheHTTPSPortGets400(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let called = Flag()
        let server = try await Self.start(kind, files: files, called: called)
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try client.send(String(repeating: "more bytes the server never asked for\r\n", count: 200))
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(response.text == "Detected a plain HTTP request to an endpoint that has TLS enabled: use https:// in the URL.\n")
        #expect(response.headers["connection"] == "close")
        #expect(try client.isClosedByServer(), "the server ends its output (FIN), not a reset")
        #expect(!called.isSet)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func tlsToThePlainPortGetsKestrels400(_ kind: ServerUnderTest) async throws {
        try requireTool("curl")
        let files = try CertificateFiles()
        let called = Flag()
        let server = try await Self.start(kind, files: files, urls: "http://127.0.0.1:0", called: called)
        let result = try await ExternalTool.run("curl", ["-sS", "-k", "https://127.0.0.1:\(server.port)/"])
        #expect(result.status == 35, "curl's TLS failure: \(result)")
        // What the server answered the ClientHello: Kestrel's 400.
        let client = try server.client()
        try client.send(Self.sslv3ClientHello)
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(!called.isSet)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func garbageAndTruncatedHellosEndCleanly(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let called = Flag()
        let server = try await Self.start(kind, files: files, called: called)
        // Not TLS at all (and not HTTP): an alert, then the close.
        let garbage = try server.client()
        try garbage.send([0x16, 0x03, 0x01, 0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0x42, count: 100))
        #expect(try garbage.readToEnd().utf8.first == 21)
        let binary = try server.client()
        try binary.send([0x00, 0x01, 0x02, 0x03])
        _ = try binary.readToEnd()
        // A ClientHello cut short, then the client's FIN: closed, nothing else.
        let truncated = try server.client()
        try truncated.send(Array(Self.sslv3ClientHello.prefix(20)))
        truncated.shutdownWrite()
        #expect(try truncated.readToEnd().isEmpty)
        #expect(!called.isSet)
        await server.stop()
    }

    /// A client that stalls mid-handshake is closed at the handshake timeout (short here).
    @Test(arguments: ServerUnderTest.allCases) func aStalledHandshakeIsClosedAtTheTimeout(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let called = Flag()
        let server = try await Self.start(kind, files: files, called: called) { $0.httpsDefaults.handshakeTimeout = .seconds(1) }
        let client = try server.client()
        try client.send(Array(Self.sslv3ClientHello.prefix(10)))
        #expect(try client.readToEnd().isEmpty, "closed without an answer")
        let silent = try server.client()
        #expect(try silent.readToEnd().isEmpty)
        #expect(!called.isSet)
        await server.stop()
    }

    /// A client that rejects the certificate sends a fatal alert: the server ends the
    /// connection and the app sees nothing. The next client is served as ever.
    @Test(arguments: ServerUnderTest.allCases) func aClientsAlertEndsTheHandshake(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let other = try CertificateFiles(CertificateFiles.otherCertificate)
        let called = Flag()
        let server = try await Self.start(kind, files: files, called: called)
        var distrustful = TestTLSOptions()
        distrustful.trustedCertificates = other.certificate
        let client = try server.client()
        #expect(throws: TestFailure.self) { try client.startTLS(distrustful) }
        #expect(try client.isClosedByServer())
        #expect(!called.isSet)
        let next = try server.tlsClient()
        try next.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try next.readResponse().status == 200)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func renegotiationIsRefused(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files)
        var options = TestTLSOptions()
        options.maxVersion = TLS1_2_VERSION
        let client = try server.tlsClient(options)
        try client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(!client.renegotiate())
        let records = try client.readRecordsToEnd()
        #expect(records.first == 21, "an alert, then the server's FIN")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func closeNotifyEndsTheConnectionCleanly(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files)
        let client = try server.tlsClient()
        try client.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(try client.isClosedByServer())
        let polite = try server.tlsClient()
        polite.sendCloseNotify()
        #expect(try polite.isClosedByServer())
        await server.stop()
    }

    /// A plain and an https URL on one server: each its own way, one core under both.
    @Test(arguments: ServerUnderTest.allCases) func plainAndHTTPSSideBySide(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files, urls: "http://127.0.0.1:0;https://127.0.0.1:0")
        #expect(server.app.urls.count == 2)
        let https = try #require(server.app.urls.first { $0.hasPrefix("https://") })
        let httpsPort = try #require(Int(https.split(separator: ":").last ?? ""))
        let plain = try server.get("/")
        #expect(plain.text.hasPrefix("scheme=http version=- "))
        let secure = try TestClient(port: httpsPort)
        try secure.startTLS()
        try secure.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try secure.readResponse().text.hasPrefix("scheme=https "))
        await server.stop()
    }

    /// An SSLv3 ClientHello (record and hello version 3.0, one cipher suite), by hand.
    static let sslv3ClientHello: [UInt8] = {
        var hello: [UInt8] = [0x03, 0x00] + [UInt8](repeating: 0x11, count: 32) + [0x00, 0x00, 0x02, 0x00, 0x2F, 0x01, 0x00]
        hello = [0x01, 0x00, UInt8(hello.count >> 8), UInt8(hello.count & 0xFF)] + hello
        return [0x16, 0x03, 0x00, UInt8(hello.count >> 8), UInt8(hello.count & 0xFF)] + hello
    }()
}
