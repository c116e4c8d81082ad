import HostctlTestSupport
import Hostctl
import Testing

/// RFC 8441 on the servers: with `http2.enableExtendedConnect` an app sees an extended CONNECT
/// through `HTTPExtendedConnectFeature` and answers it as a tunnel, its body the client's DATA
/// and its response DATA back, both at once; without it the request is malformed. The client
/// is Python's h2 package, which checks every frame the server sends.
@Suite(.serialized) struct HTTP2ExtendedConnectTests {
    static let needsH2 = Testing.ConditionTrait.enabled(if: ClientTool.pythonWithH2 != nil, "python3 with the h2 package is not installed (.ci/run installs it)")

    /// A tunnel app: an extended CONNECT is answered 200 with its protocol in a header, then
    /// every chunk of its body is echoed at once; other requests say what the feature said.
    static func server(_ kind: ServerUnderTest, enabled: Bool) async throws -> TestServer {
        try await HTTP2ServingTests.server(kind, options: { $0.http2.enableExtendedConnect = enabled }) { app in
            app.use { context, next in
                guard let connect = context.features[HTTPExtendedConnectFeature.self] else { throw TestFailure("no HTTPExtendedConnectFeature") }
                guard connect.isExtendedConnect else {
                    context.response.headers["x-extended-connect"] = "no"
                    return try await next(context)
                }
                context.response.status = 200
                context.response.headers["x-protocol"] = connect.protocol ?? "-"
                try await context.response.flush()
                for try await chunk in context.request.body {
                    try await context.response.write(chunk)
                    try await context.response.flush()
                }
            }
        }
    }

    @Test(needsH2, arguments: ServerUnderTest.allCases) func aTunnelEchoesBothWaysWithFlowControl(_ kind: ServerUnderTest) async throws {
        let python = try #require(ClientTool.pythonWithH2)
        let server = try await Self.server(kind, enabled: true)
        let result = try await python.run(["-c", Self.client, String(server.port), "tunnel"], seconds: 60)
        #expect(result.succeeded, "\(result.errors)")
        #expect(result.output == """
            settings 1
            plain 200 no
            tunnel 200 websocket
            echo hello
            echo 3000000 octets
            ended

            """, "\(result.errors)")
        await server.stop()
    }

    @Test(needsH2, arguments: [ServerUnderTest.allCases[0]]) func withoutTheOptionProtocolIsMalformed(_ kind: ServerUnderTest) async throws {
        let python = try #require(ClientTool.pythonWithH2)
        let server = try await Self.server(kind, enabled: false)
        let result = try await python.run(["-c", Self.client, String(server.port), "disabled"], seconds: 60)
        #expect(result.succeeded, "\(result.errors)")
        #expect(result.output == "settings 0\nreset 1\n", "\(result.errors)")
        await server.stop()
    }

    /// The client: SETTINGS, an ordinary GET, then the extended CONNECT; "hello", then 3 MB
    /// sent within the windows the server grants (four times its initial stream window, so
    /// the server must credit it as the app reads) while the echo is read through a 16 KB
    /// window the client reopens as it reads; END_STREAM, and the response's end.
    static let client = #"""
    import signal, socket, sys
    import h2.config, h2.connection, h2.events, h2.settings

    signal.alarm(50)
    port, scenario = int(sys.argv[1]), sys.argv[2]
    sock = socket.create_connection(("127.0.0.1", port))
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 16384})
    sock.sendall(conn.data_to_send())
    state = {"headers": {}, "body": {}, "ended": set(), "reset": {}, "settings": None}

    def pump():
        data = sock.recv(65536)
        if not data:
            sys.exit("the server closed the connection")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.RemoteSettingsChanged) and state["settings"] is None:
                state["settings"] = conn.remote_settings.enable_connect_protocol
            elif isinstance(event, h2.events.ResponseReceived):
                state["headers"][event.stream_id] = dict(event.headers)
            elif isinstance(event, h2.events.DataReceived):
                state["body"].setdefault(event.stream_id, bytearray()).extend(event.data)
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                state["ended"].add(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                state["reset"][event.stream_id] = event.error_code
                state["ended"].add(event.stream_id)
        sock.sendall(conn.data_to_send())

    while state["settings"] is None:
        pump()
    print(f"settings {state['settings']}")

    def connect():
        sid = conn.get_next_available_stream_id()
        conn.send_headers(sid, [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"), (":authority", "localhost"),
                                (":path", "/tunnel"), ("sec-websocket-version", "13")])
        sock.sendall(conn.data_to_send())
        return sid

    if scenario == "disabled":
        sid = connect()
        while sid not in state["ended"]:
            pump()
        print(f"reset {int(state['reset'].get(sid, -1))}")  # PROTOCOL_ERROR
        sys.exit(0)

    plain = conn.get_next_available_stream_id()
    conn.send_headers(plain, [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/plaintext")], end_stream=True)
    sock.sendall(conn.data_to_send())
    while plain not in state["ended"]:
        pump()
    print(f"plain {state['headers'][plain][':status']} {state['headers'][plain].get('x-extended-connect')}")

    sid = connect()
    while sid not in state["headers"]:
        pump()
    print(f"tunnel {state['headers'][sid][':status']} {state['headers'][sid].get('x-protocol')}")

    def echoed():
        return len(state["body"].get(sid, b""))

    conn.send_data(sid, b"hello")
    sock.sendall(conn.data_to_send())
    while echoed() < 5:
        pump()
    print(f"echo {bytes(state['body'][sid][:5]).decode()}")

    total = 3000000
    block = bytes(range(256)) * 64
    sent = 0
    while sent < total:
        room = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size, total - sent)
        if room <= 0:
            pump()  # the server reopens the window as its app reads
            continue
        offset = sent % len(block)
        piece = (block[offset:] + block)[:room]
        conn.send_data(sid, piece)
        sock.sendall(conn.data_to_send())
        sent += room
    while echoed() < 5 + total:
        pump()
    expected = (block * (total // len(block) + 2))[:total]
    if bytes(state["body"][sid][5:]) != expected:
        sys.exit("the echo differs from what was sent")
    print(f"echo {total} octets")
    conn.end_stream(sid)
    sock.sendall(conn.data_to_send())
    while sid not in state["ended"]:
        pump()
    print("ended")
    """#
}
