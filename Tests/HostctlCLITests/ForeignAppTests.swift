import Foundation
import Glibc
import HostctlSystem
import Testing

/// Apps that know nothing of hostctl behind the real front (ANCM's contract): they listen
/// on the port given in PORT and ASPNETCORE_PORT, or in place of `{port}` in their
/// arguments, and the front forwards to them once they accept a connection there.
@Suite struct ForeignAppTests {
    static var python: String { ExecutableSearch.find("python3", path: ProcessInfo.processInfo.environment["PATH"]) ?? "python3" }

    @Test func pythonsHTTPServerIsServedThroughTheFront() async throws {
        try await offThePool {
            let directory = try TemporaryDirectory.make("http-server")
            try write("a file served by python\n", to: FilePath.join(directory, "hello.txt"))
            var response = "", second = ""
            let result = try Hostctl.serving(
                ["proxy", "--urls", "http://127.0.0.1:0", "--", "python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1"],
                in: directory, timeout: 60
            ) { base in
                // The first request starts the app and waits until it accepts connections.
                response = try curl(["-s", "-i", base + "/hello.txt"])
                second = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/missing.txt"])
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.contains("Forwarding to: \(Self.python) -m http.server {port} --bind 127.0.0.1 (started on the first request)"), "\(result)")
            #expect(response.hasPrefix("HTTP/1.0 200") || response.hasPrefix("HTTP/1.1 200"), "\(response)")
            #expect(response.hasSuffix("\r\n\r\na file served by python\n"), "\(response)")
            #expect(second == "404", "\(second)")
            // http.server logs each request to stderr, which the front copies to its own.
            #expect(result.stderr.contains("\"GET /hello.txt HTTP/1.1\" 200"), "\(result)")
        }
    }

    /// The WebSocket echo fixture (Fixtures/Fronted/ws_echo.py, with ws_client.py) behind the
    /// front: started, found on its port, and its plain-HTTP answer forwarded; the client
    /// echoes through the app directly and through the front (the handshake forwarded, the
    /// 101 relayed, then the tunnel; the client's close ends it).
    @Test func aWebSocketEchoAppIsStartedBehindTheFront() async throws {
        try await offThePool {
            let directory = try Fixture.fronted.freshCopy()
            var plain = "", direct: RunResult?, throughTheFront: RunResult?
            let result = try Hostctl.run(
                ["proxy", "--urls", "http://127.0.0.1:0", "--start-mode", "always", "--", "python3", "ws_echo.py"], in: directory, timeout: 60
            ) { stdout, hostctl in
                guard direct == nil, let base = FrontTests.listeningURL(stdout),
                      let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("python3 | websocket echo pid=") }),
                      let port = line.split(separator: "=").last else { return }
                plain = (try? curl(["-s", "-i", base + "/"])) ?? "(curl failed)"
                direct = try? Hostctl.runTool(Self.python, ["ws_client.py", "ws://127.0.0.1:\(port)/", "5"], in: directory, timeout: 30)
                throughTheFront = try? Hostctl.runTool(Self.python, ["ws_client.py", "ws" + base.dropFirst("http".count) + "/", "5"], in: directory, timeout: 30)
                hostctl.send(SIGTERM)
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(plain.hasPrefix("HTTP/1.1 426"), "the app's own answer to a request that is no upgrade: \(plain)")
            #expect(direct?.stdout == "echoed 5\n", "\(direct.map(String.init(describing:)) ?? "not run")")
            #expect(throughTheFront?.stdout == "echoed 5\n", "\(throughTheFront.map(String.init(describing:)) ?? "not run")")
        }
    }
}
