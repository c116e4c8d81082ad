import Foundation
import HostctlTestSupport
import Hostctl
import HostctlFront
import Testing

/// WebSockets over HTTP/2 (RFC 8441) at the front's edge: an independent client, Python's h2
/// package, sees SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, opens an extended CONNECT, and the
/// front turns it into the HTTP/1.1 upgrade (RFC 6455) to the app, then tunnels WebSocket
/// frames both ways in DATA. h2c: the edge's TLS is the same driver underneath.
@Suite struct FrontExtendedConnectTests {
    static let pythonH2Available: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import h2, hpack"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()
    static let needsH2 = Testing.ConditionTrait.enabled(if: pythonH2Available, "python3 with the h2 package is not installed (.ci/run installs it)")

    private static func front(_ server: FrontServer, appPort: Int) async throws -> TestFront {
        try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(appPort), token: "t", generation: 1)))
    }

    @Test(needsH2, arguments: FrontServer.allCases) func webSocketFramesEchoThroughAnExtendedConnect(_ server: FrontServer) async throws {
        let app = try UpgradingApp(speaksWebSocket: true)
        let front = try await Self.front(server, appPort: app.port)
        let result = try await Self.runClient("echo", frontPort: front.port, appPort: app.port)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == """
            settings ENABLE_CONNECT_PROTOCOL=1
            status 200 protocol chat
            echo text hello 0
            echo text hello 1
            echo text hello 2
            echo close 1000
            ended

            """, "\(result.errors)")
        let head = app.heads.first ?? ""
        #expect(head.hasPrefix("GET /chat?room=1 HTTP/1.1\r\n"), "\(head)")
        for field in ["\r\nConnection: Upgrade", "\r\nUpgrade: websocket", "\r\nsec-websocket-version: 13", "\r\nsec-websocket-protocol: chat, superchat",
                      "\r\nX-Forwarded-Proto: http", "\r\nx-hostctl-token: t", "\r\nhost: localhost"] {
            #expect(head.contains(field), "\(field) in \(head)")
        }
        let key = head.split(separator: "\r\n").first { $0.hasPrefix("Sec-WebSocket-Key: ") }?.dropFirst(19) ?? ""
        #expect(Data(base64Encoded: String(key))?.count == 16, "a fresh key of 16 bytes: \(key)")
        #expect(await eventually { app.openConnections == 0 }, "the app's connection ended with the tunnel")
        await front.stop()
        app.stop()
    }

    @Test(needsH2, arguments: FrontServer.allCases) func anUpgradeTheAppRefusesIsRelayedAsItsResponse(_ server: FrontServer) async throws {
        let app = try UpgradingApp(refuses: true)
        let front = try await Self.front(server, appPort: app.port)
        let result = try await Self.runClient("refused", frontPort: front.port, appPort: app.port)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 400 body refused\n", "\(result.errors)")
        #expect(app.heads.count == 1)
        await front.stop()
        app.stop()
    }

    @Test(needsH2, arguments: FrontServer.allCases) func anotherProtocolIsRefusedWithoutAskingTheApp(_ server: FrontServer) async throws {
        let app = try UpgradingApp(speaksWebSocket: true)
        let front = try await Self.front(server, appPort: app.port)
        let result = try await Self.runClient("unknown", frontPort: front.port, appPort: app.port)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 501\n", "\(result.errors)")
        #expect(app.heads.isEmpty, "the app was not contacted")
        await front.stop()
        app.stop()
    }

    @Test(needsH2, arguments: FrontServer.allCases) func theClientsEndStreamEndsTheTunnel(_ server: FrontServer) async throws {
        let app = try UpgradingApp(speaksWebSocket: true)
        let front = try await Self.front(server, appPort: app.port)
        let result = try await Self.runClient("endstream", frontPort: front.port, appPort: app.port)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 200 protocol chat\necho text hello 0\nended\n", "\(result.errors)")
        #expect(await eventually { app.openConnections == 0 }, "the app's connection was closed")
        await front.stop()
        app.stop()
    }

    /// The app's 101 without the accept for the front's key (this app never sends one).
    @Test(needsH2, arguments: FrontServer.allCases) func a101WithoutTheRightAcceptIs502(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await Self.front(server, appPort: app.port)
        let result = try await Self.runClient("badaccept", frontPort: front.port, appPort: app.port)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 502\n", "\(result.errors)")
        await front.stop()
        app.stop()
    }

    /// RST_STREAM on the tunnel: the front closes the app's connection while the client's
    /// HTTP/2 connection stays open (the client watches /proc/net/tcp for it, then PINGs).
    @Test(needsH2, arguments: FrontServer.allCases) func resettingTheStreamClosesTheAppsConnection(_ server: FrontServer) async throws {
        let app = try UpgradingApp(speaksWebSocket: true)
        let front = try await Self.front(server, appPort: app.port)
        let result = try await Self.runClient("reset", frontPort: front.port, appPort: app.port)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == """
            settings ENABLE_CONNECT_PROTOCOL=1
            status 200 protocol chat
            echo text before the reset
            app connection closed
            ping answered

            """, "\(result.errors)")
        #expect(app.openConnections == 0)
        await front.stop()
        app.stop()
    }

    // MARK: The client

    struct ClientResult: Sendable {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs the client script for `scenario`; it bounds itself (signal.alarm).
    static func runClient(_ scenario: String, frontPort: Int, appPort: Int) async throws -> ClientResult {
        try await offThePool {
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", client, scenario, String(frontPort), String(appPort)]
            let output = Pipe()
            let errors = Pipe()
            python.standardOutput = output
            python.standardError = errors
            python.standardInput = FileHandle.nullDevice
            try python.run()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            python.waitUntilExit()
            return ClientResult(status: python.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
        }
    }

    static let client = #"""
    import os, signal, socket, struct, sys, time
    import h2.config, h2.connection, h2.events, h2.settings

    signal.alarm(30)
    scenario, front_port, app_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sock = socket.create_connection(("127.0.0.1", front_port))
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())

    def events():
        data = sock.recv(65536)
        if not data:
            sys.exit("the front closed the connection")
        found = conn.receive_data(data)
        sock.sendall(conn.data_to_send())
        return found

    # The server's SETTINGS first: extended CONNECT may be used only once it is announced.
    announced = None
    while announced is None:
        for event in events():
            if isinstance(event, h2.events.RemoteSettingsChanged):
                announced = conn.remote_settings.enable_connect_protocol
    print(f"settings ENABLE_CONNECT_PROTOCOL={announced}")

    protocol = "bytestream" if scenario == "unknown" else "websocket"
    stream = conn.get_next_available_stream_id()
    conn.send_headers(stream, [(":method", "CONNECT"), (":protocol", protocol), (":scheme", "http"), (":authority", "localhost"),
                               (":path", "/chat?room=1"), ("sec-websocket-version", "13"), ("sec-websocket-protocol", "chat, superchat")])
    sock.sendall(conn.data_to_send())

    received = bytearray()
    ended = False
    headers = None
    def pump():
        global ended, headers
        for event in events():
            if isinstance(event, h2.events.DataReceived):
                received.extend(event.data)
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                ended = True
            elif isinstance(event, h2.events.ResponseReceived):
                headers = dict(event.headers)
        sock.sendall(conn.data_to_send())

    while headers is None:
        pump()
    status = headers[":status"]
    if scenario in ("unknown", "badaccept"):
        print(f"status {status}")
        sys.exit(0)
    if scenario == "refused":
        while not ended:
            pump()
        print(f"status {status} body {received.decode()}")
        sys.exit(0)
    print(f"status {status} protocol {headers.get('sec-websocket-protocol')}")

    def send_frame(opcode, payload):
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        conn.send_data(stream, bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)
        sock.sendall(conn.data_to_send())

    def read_frame():
        while True:
            if len(received) >= 2 and len(received) >= 2 + (received[1] & 0x7F):
                assert received[1] & 0x80 == 0, "a server's frames are not masked"
                length = received[1] & 0x7F
                opcode, payload = received[0] & 0x0F, bytes(received[2:2 + length])
                del received[:2 + length]
                return opcode, payload
            if ended:
                sys.exit("the stream ended before a whole frame")
            pump()

    if scenario == "reset":
        send_frame(0x1, b"before the reset")
        opcode, payload = read_frame()
        print(f"echo text {payload.decode()}")
        conn.reset_stream(stream, error_code=8)  # CANCEL
        sock.sendall(conn.data_to_send())
        sys.stdout.flush()
        # The app's side of the tunnel closes while this connection stays open (bounded wait).
        suffix = ":%04X" % app_port
        for _ in range(500):
            with open("/proc/net/tcp") as table:
                rows = [line.split() for line in table.readlines()[1:]]
            if not any(row[3] == "01" and (row[1].endswith(suffix) or row[2].endswith(suffix)) for row in rows):
                print("app connection closed")
                break
            time.sleep(0.02)
        else:
            sys.exit("the app's connection is still open")
        conn.ping(b"alive?!!")
        sock.sendall(conn.data_to_send())
        answered = False
        while not answered:
            for event in events():
                if isinstance(event, h2.events.PingAckReceived):
                    answered = True
        print("ping answered")
        sys.exit(0)

    for round in range(3 if scenario == "echo" else 1):
        send_frame(0x1, f"hello {round}".encode())
        opcode, payload = read_frame()
        print(f"echo {'text' if opcode == 1 else opcode} {payload.decode()}")
    if scenario == "echo":
        # The closing handshake: the app answers and closes, which ends the stream.
        send_frame(0x8, struct.pack("!H", 1000))
        opcode, payload = read_frame()
        print(f"echo {'close' if opcode == 8 else opcode} {struct.unpack('!H', payload)[0]}")
    else:
        # END_STREAM ends what the client sends; the front ends the app's connection after it.
        conn.end_stream(stream)
        sock.sendall(conn.data_to_send())
    while not ended:
        pump()
    print("ended")
    """#
}
