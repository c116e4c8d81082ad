import HostctlTestSupport
import Hostctl
import Testing

/// HTTP/2 over TLS, chosen by ALPN, on both servers with real clients: curl, nghttp, h2load
/// and h2spec's TLS run; an HTTP/2-only TLS endpoint and a client that offers only HTTP/1.1.
@Suite(.serialized) struct HTTP2OverTLSTests {
    static func server(_ kind: ServerUnderTest, files: CertificateFiles, arguments: [String] = []) async throws -> TestServer {
        try await HTTP2ServingTests.server(kind, urls: "https://127.0.0.1:0", arguments: files.defaultCertificateArguments + arguments)
    }

    @Test(arguments: ServerUnderTest.allCases) func alpnChoosesHTTP2WhenOfferedAndHTTP1Otherwise(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.server(kind, files: files)
        var options = TestTLSOptions()
        options.trustedCertificates = files.certificate
        options.applicationProtocols = ["h2", "http/1.1"]
        let both = try server.tlsClient(options)
        #expect(both.negotiatedProtocol == "h2", "the server prefers h2 when the client offers both")
        options.applicationProtocols = ["http/1.1"]
        let http1 = try server.tlsClient(options)
        #expect(http1.negotiatedProtocol == "http/1.1")
        try http1.send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try http1.readResponse().text == "Hello, World!")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func curl(_ kind: ServerUnderTest) async throws {
        try requireTool("curl")
        let files = try CertificateFiles()
        let server = try await Self.server(kind, files: files)
        let base = "https://localhost:\(server.port)"
        let verified = ["-sS", "--http2", "--cacert", files.certificate, "--resolve", "localhost:\(server.port):127.0.0.1"]
        let plaintext = try await ExternalTool.run("curl", verified + ["-w", " %{http_version} %{response_code}", base + "/plaintext"])
        #expect(plaintext.stdout == "Hello, World! 2 200", "\(plaintext)")
        // 2 MiB down through the peer's windows, then an upload echoed back.
        let big = try await ExternalTool.run("curl", verified + ["-o", "/dev/null", "-w", "%{http_version} %{size_download}", base + "/big"])
        #expect(big.stdout == "2 2097152", "\(big)")
        let upload = String(repeating: "0123456789", count: 30_000)
        let echoed = try await ExternalTool.run("curl", verified + ["--data-binary", "@-", base + "/echo"], input: upload)
        #expect(echoed.stdout == upload, "\(echoed.stderr)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.direct) func nghttpAndH2load(_ kind: ServerUnderTest) async throws {
        let nghttp = try ClientTool.require("nghttp", installedBy: "nghttp2-client")
        let h2load = try ClientTool.require("h2load", installedBy: "nghttp2-client")
        let files = try CertificateFiles()
        let server = try await Self.server(kind, files: files)
        let base = "https://127.0.0.1:\(server.port)"
        let fetched = try await nghttp.run(["-nv", "-t", "10", base + "/plaintext", base + "/users/7"])
        #expect(fetched.succeeded, "\(fetched.errors)")
        #expect(fetched.output.components(separatedBy: ":status: 200").count == 3, "\(fetched.output)")
        #expect(fetched.output.contains("h2"), "ALPN h2: \(fetched.output.prefix(2000))")
        // Bounded: 2000 requests over 4 TLS connections of 25 streams each.
        let load = try await h2load.run(["-n", "2000", "-c", "4", "-m", "25", "-t", "1", base + "/plaintext"], seconds: 60)
        #expect(load.succeeded, "\(load.errors)")
        #expect(load.output.contains("Application protocol: h2"), "\(load.output)")
        #expect(load.output.contains("2000 succeeded, 0 failed"), "\(load.output)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func http2OnlyEndpointRefusesAClientWithoutH2(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let called = Flag()
        let server = try await HTTP2ServingTests.server(
            kind, urls: "https://127.0.0.1:0", arguments: files.defaultCertificateArguments + ["--Kestrel:EndpointDefaults:Protocols=Http2"],
            extra: { app in app.get("/called") { _ in called.set() } }
        )
        var options = TestTLSOptions()
        options.trustedCertificates = files.certificate
        options.applicationProtocols = ["h2"]
        #expect(try server.tlsClient(options).negotiatedProtocol == "h2")
        // A client that offers only http/1.1 gets no application protocol it can speak.
        options.applicationProtocols = ["http/1.1"]
        var answered: TestResponse?
        if let client = try? server.tlsClient(options) {
            try? client.send("GET /called HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answered = try? client.readResponse()
        }
        #expect(answered == nil, "an HTTP/2-only endpoint must not answer HTTP/1.1")
        #expect(!called.isSet)
        await server.stop()
    }

    @Test(
        .enabled(if: ClientTool.find("h2spec") != nil, "h2spec is not on PATH: the TLS conformance run was skipped"),
        arguments: ServerUnderTest.direct
    )
    func h2specOverTLS(_ kind: ServerUnderTest) async throws {
        let h2spec = try #require(ClientTool.find("h2spec"))
        let files = try CertificateFiles()
        let server = try await Self.server(kind, files: files, arguments: ["--Kestrel:EndpointDefaults:Protocols=Http2"])
        let result = try await h2spec.run(["-t", "-k", "-h", "127.0.0.1", "-p", String(server.port), "-P", "/plaintext", "-o", "5"], seconds: 300)
        let summary = result.output.split(separator: "\n").last { $0.contains("tests,") }.map(String.init) ?? "no summary"
        print("h2spec over TLS on \(kind.testDescription): \(summary)")
        #expect(summary.hasSuffix("0 failed"), "\(result.output.suffix(3000))")
        #expect(summary.contains("146 passed"))
        await server.stop()
    }
}
