import Foundation
import HostctlTestSupport
import Hostctl
import Testing

/// Independent HTTP/2 implementations against both servers over h2c: nghttp and h2load
/// (nghttp2-client), Python's h2 package, and h2spec's conformance suite.
/// Serialized, and the heavy tools (h2load, h2spec) on the two servers without the test layer:
/// each runs for seconds at full speed, and the suite shares two cores with every other test.
@Suite(.serialized) struct HTTP2ClientToolTests {
    static func server(_ kind: ServerUnderTest, arguments: [String] = []) async throws -> TestServer {
        try await HTTP2ServingTests.server(kind, arguments: arguments)
    }

    @Test(arguments: ServerUnderTest.allCases) func nghttp(_ kind: ServerUnderTest) async throws {
        let nghttp = try ClientTool.require("nghttp", installedBy: "nghttp2-client")
        let server = try await Self.server(kind)
        let base = "http://127.0.0.1:\(server.port)"
        let result = try await nghttp.run(["-nv", "-t", "10", base + "/plaintext", base + "/users/7"])
        #expect(result.succeeded, "\(result.errors)")
        #expect(result.output.components(separatedBy: ":status: 200").count == 3, "both requests answered: \(result.output)")
        let upload = try await nghttp.run(["-t", "10", "-d", "-", base + "/echo"], input: String(repeating: "0123456789", count: 20_000))
        #expect(upload.output == String(repeating: "0123456789", count: 20_000))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.direct) func h2load(_ kind: ServerUnderTest) async throws {
        let h2load = try ClientTool.require("h2load", installedBy: "nghttp2-client")
        let server = try await Self.server(kind)
        // Bounded: 4000 requests, 4 connections of 25 streams each.
        let result = try await h2load.run(["-n", "4000", "-c", "4", "-m", "25", "-t", "1", "http://127.0.0.1:\(server.port)/plaintext"], seconds: 60)
        #expect(result.succeeded, "\(result.errors)")
        #expect(result.output.contains("4000 succeeded, 0 failed"), "\(result.output)")
        #expect(result.output.contains("status codes: 4000 2xx"))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func pythonH2(_ kind: ServerUnderTest) async throws {
        guard let python = ClientTool.pythonWithH2 else {
            throw TestFailure("python3 with the h2 package is needed (.ci/run installs it)")
        }
        let server = try await Self.server(kind)
        let result = try await python.run(["-c", Self.pythonClient, String(server.port)], seconds: 60)
        #expect(result.succeeded, "\(result.errors)")
        #expect(result.output == "plaintext 200 Hello, World!\nsum 200 5 octets, checksum abc x-count=5\nbig 200 2097152\n", "\(result.output)")
        await server.stop()
    }

    /// Three streams at once over one connection: a GET, a POST with request trailers (the
    /// response has trailers too), and a 2 MB download read through a 16 KB window that the
    /// client opens as it reads (the h2 package checks every frame we send).
    static let pythonClient = #"""
    import signal, socket, sys
    import h2.config, h2.connection, h2.events, h2.settings

    signal.alarm(50)
    sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 16384})
    def request(method, path, end):
        sid = conn.get_next_available_stream_id()
        conn.send_headers(sid, [(":method", method), (":scheme", "http"), (":authority", "localhost"), (":path", path)], end_stream=end)
        return sid
    names = {request("GET", "/plaintext", True): "plaintext"}
    sum_id = request("POST", "/sum", False)
    names[sum_id] = "sum"
    conn.send_data(sum_id, b"hello")
    conn.send_headers(sum_id, [("x-checksum", "abc")], end_stream=True)
    names[request("GET", "/big", True)] = "big"
    sock.sendall(conn.data_to_send())
    results = {sid: {"status": None, "body": b"", "trailers": []} for sid in names}
    done = set()
    while len(done) < len(names):
        data = sock.recv(65536)
        if not data:
            sys.exit("the server closed the connection early")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                results[event.stream_id]["status"] = dict(event.headers)[":status"]
            elif isinstance(event, h2.events.DataReceived):
                results[event.stream_id]["body"] += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.TrailersReceived):
                results[event.stream_id]["trailers"] = ["%s=%s" % pair for pair in event.headers]
            elif isinstance(event, h2.events.StreamEnded):
                done.add(event.stream_id)
            elif isinstance(event, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                sys.exit("unexpected %r" % event)
        sock.sendall(conn.data_to_send())
    for sid, name in names.items():
        result = results[sid]
        body = result["body"]
        shown = str(len(body)) if name == "big" else body.decode()
        print(" ".join([name, result["status"], shown] + result["trailers"]))
    conn.close_connection()
    sock.sendall(conn.data_to_send())
    """#

    @Test(
        .enabled(if: ClientTool.find("h2spec") != nil, "h2spec is not on PATH: the conformance suite was skipped"),
        arguments: ServerUnderTest.direct
    )
    func h2spec(_ kind: ServerUnderTest) async throws {
        let h2spec = try #require(ClientTool.find("h2spec"))
        // An HTTP/2-only endpoint: on one for both versions, h2spec's invalid preface is an
        // HTTP/1.1 request (and gets HTTP/1.1's 400).
        let server = try await Self.server(kind, arguments: ["--Kestrel:EndpointDefaults:Protocols=Http2"])
        // A path whose response has a body: some cases need DATA held back by a closed window.
        let result = try await h2spec.run(["-h", "127.0.0.1", "-p", String(server.port), "-P", "/plaintext", "-o", "5"], seconds: 300)
        let summary = result.output.split(separator: "\n").last { $0.contains("tests,") }.map(String.init) ?? "no summary"
        print("h2spec on \(kind.testDescription): \(summary)")
        #expect(summary.hasSuffix("0 failed"), "\(result.output.suffix(3000))")
        #expect(summary.contains("146 passed"))
        await server.stop()
    }
}
