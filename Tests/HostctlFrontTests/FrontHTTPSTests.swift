import Hostctl
import HostctlFront
import HostctlTLS
import HostctlTestSupport
import Testing

/// The front terminates TLS on its public https:// URLs and forwards plain HTTP/1.1 to the
/// app, saying `X-Forwarded-Proto: https`, as the ASP.NET Core Module does (it never
/// forwards HTTPS): over real sockets, on both servers.
@Suite struct FrontHTTPSTests {
    /// An app, and a front on an https:// URL before it with a fresh localhost certificate:
    /// the certificate's path (for a client to trust) in its folder, kept while the test holds it.
    static func frontOverHTTPS(_ server: FrontServer) async throws -> (TestApp, TestFront, (path: String, folder: TemporaryFolder)) {
        let folder = try TemporaryFolder("front-https")
        let certificate = try DevelopmentCertificate.make()
        let certificatePath = try folder.write("cert.pem", certificate.certificatePEM)
        let keyPath = try folder.write("key.pem", certificate.privateKeyPEM(password: nil))
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint), urls: "https://127.0.0.1:0") {
            $0.httpsDefaults.certificate = CertificateConfiguration(path: certificatePath, keyPath: keyPath)
        }
        return (app, front, (certificatePath, folder))
    }

    @Test(arguments: FrontServer.allCases) func theFrontTerminatesTLSAndForwardsTheScheme(_ server: FrontServer) async throws {
        let (app, front, certificate) = try await Self.frontOverHTTPS(server)
        #expect(front.app.urls.first?.hasPrefix("https://127.0.0.1:") == true)
        let client = try front.client()
        var options = TestTLSOptions()
        options.trustedCertificates = certificate.path
        try client.startTLS(options)
        for _ in 0..<2 {
            try client.send("GET /headers HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200, "\(response)")
            let lines = response.text.split(separator: "\n").map(String.init)
            #expect(lines.contains("x-forwarded-proto: https"), "\(lines)")
            #expect(lines.contains("host: localhost"))
        }
        // Plain HTTP to the front's https URL: the TLS layer's 400; nothing is forwarded.
        let before = app.seen.requests
        let plain = try front.client()
        try plain.send("GET /headers HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try plain.readResponse().status == 400)
        #expect(app.seen.requests == before)
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func theFrontSpeaksHTTP2OverTLSToClients(_ server: FrontServer) async throws {
        let (app, front, certificate) = try await Self.frontOverHTTPS(server)
        let client = try front.client()
        var options = TestTLSOptions()
        options.trustedCertificates = certificate.path
        options.applicationProtocols = ["h2", "http/1.1"]
        try client.startTLS(options)
        #expect(client.negotiatedProtocol == "h2", "the front offers h2 first on its https URLs")
        let session = HTTP2ClientSession()
        try client.send(
            HTTP2TestFrame.preface + HTTP2TestFrame.settings().bytes + session.request(1, path: "/headers", scheme: "https").bytes
                + session.request(3, path: "/declared", scheme: "https").bytes
        )
        while !(session.responses[1]?.ended == true && session.responses[3]?.ended == true) {
            guard let bytes = try client.takeReceived() else { break }
            session.receive(bytes)
        }
        let seen = session.responses[1]?.text ?? ""
        #expect(seen.contains("x-forwarded-proto: https"), "the app hears of TLS over its HTTP/1.1 hop: \(seen)")
        #expect(session.responses[3]?.text == "12345")
        #expect(app.seen.requests == 2)
        await front.stop()
        await app.stop()
    }
}
