import Foundation
import HostctlSystem
import Testing

/// `hostctl run -lp https` on the sample's ASP.NET-style profile, end to end in a temporary
/// home: the developer certificate made and trusted by `hostctl dev-certs https --trust`
/// (trust checked through an OpenSSL directory the client is pointed at, never the machine's
/// store), then a client that verifies; and without a certificate, the command that fixes it.
@Suite struct HTTPSRunTests {
    /// A client that verifies the server (Python's default context: SSL_CERT_DIR's roots).
    static let verifyingClient = """
        import socket, ssl, sys
        context = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
                print(tls.version(), data.decode().split("\\r\\n")[0])
                print(data.decode().split("\\r\\n\\r\\n", 1)[1])
        """

    @Test func devCertsTrustThenTheHTTPSProfileServesAVerifyingClient() async throws {
        try await offThePool {
            let home = try DevCertsTests.Home()
            defer { home.remove() }
            let trusted = try home.run(["https", "--trust"])
            #expect(trusted.exitCode == 0, "\(trusted)")
            var environment = home.environment
            environment["SSL_CERT_DIR"] = home.trustDirectory
            var answers: [String] = []
            let result = try Hostctl.serving(
                ["run", "--no-build", "-lp", "https", "-e", "HOSTCTL_URLS=https://127.0.0.1:0;http://127.0.0.1:0"],
                in: SampleAppTests.repositoryRoot, environment: environment, timeout: 60
            ) { base in
                #expect(base.hasPrefix("https://127.0.0.1:"), "\(base)")
                let port = String(base.split(separator: ":").last ?? "")
                let client = try Hostctl.runTool("/usr/bin/env", ["python3", "-c", Self.verifyingClient, port], environment: environment, timeout: 30)
                answers.append("\(client)")
                #expect(client.status.isSuccess, "\(client)")
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.contains("Now listening on: https://127.0.0.1:"), "\(result)")
            #expect(result.stdout.contains("Now listening on: http://127.0.0.1:"), "\(result)")
            #expect(answers.first?.contains("TLSv1.3 HTTP/1.1 200 OK") == true, "\(answers)")
            #expect(answers.first?.contains("Hello from hostctl! (Development)") == true, "\(answers)")
        }
    }

    @Test func withoutACertificateTheRunSaysWhichCommandFixesIt() async throws {
        try await offThePool {
            let home = try DevCertsTests.Home()
            defer { home.remove() }
            let result = try Hostctl.run(
                ["run", "--no-build", "-lp", "https", "-e", "HOSTCTL_URLS=https://127.0.0.1:0"],
                in: SampleAppTests.repositoryRoot, environment: home.environment, timeout: 60
            )
            #expect(result.exitCode == 1, "\(result)")
            let output = result.stdout + result.stderr
            #expect(output.contains("Unable to configure HTTPS endpoint. No server certificate was specified"), "\(result)")
            #expect(output.contains("To generate a developer certificate run 'hostctl dev-certs https'."), "\(result)")
        }
    }
}
