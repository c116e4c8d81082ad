import Foundation
import HostctlTestSupport
import Hostctl
import HostctlFront
import HostctlTLS
import Testing

/// WebSockets over HTTP/2 (RFC 8441) at the front's edge: an independent client, Python's h2
/// package, sees SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, opens an extended CONNECT, and the
/// front turns it into the HTTP/1.1 upgrade (RFC 6455) to the app, then tunnels WebSocket
/// frames both ways in DATA. Over h2c, and once over TLS (ALPN h2) at an https URL.
@Suite struct FrontExtendedConnectTests {
    static let pythonH2Available = PythonModules.h2Available
    static let needsH2 = Testing.ConditionTrait.enabled(if: pythonH2Available, "python3 with the h2 package is not installed (.ci/run installs it)")

    private static func front(
        _ server: FrontServer, appPort: Int, options: ForwardingOptions = ForwardingOptions(), serverOptions: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> TestFront {
        try await TestFront(
            server, source: TestEndpointSource(AppEndpoint(port: UInt16(appPort), token: "t", generation: 1)), options: options, serverOptions: serverOptions
        )
    }

    @Test(needsH2, arguments: FrontServer.allCases) func webSocketFramesEchoThroughAnExtendedConnect(_ server: FrontServer) async throws {
        try await Self.withScenario("echo", server, app: UpgradingApp(speaksWebSocket: true)) { result, app in
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
        }
    }

    /// h2 over TLS (ALPN) at the front's https URL: the same tunnel, `X-Forwarded-Proto: https`.
    @Test(needsH2, arguments: FrontServer.allCases) func webSocketFramesEchoOverTLS(_ server: FrontServer) async throws {
        let folder = try TemporaryFolder("front-h2-websocket")
        let certificate = try DevelopmentCertificate.make()
        let certificatePath = try folder.write("cert.pem", certificate.certificatePEM)
        let keyPath = try folder.write("key.pem", certificate.privateKeyPEM(password: nil))
        let app = try UpgradingApp(speaksWebSocket: true)
        let front = try await TestFront(
            server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)), urls: "https://127.0.0.1:0"
        ) {
            $0.httpsDefaults.certificate = CertificateConfiguration(path: certificatePath, keyPath: keyPath)
        }
        let result = try await Self.runClient("echo", frontPort: front.port, appPort: app.port, trusting: certificatePath)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.hasPrefix("settings ENABLE_CONNECT_PROTOCOL=1\nstatus 200 protocol chat\necho text hello 0\n"), "\(result.errors)")
        #expect(result.output.hasSuffix("echo close 1000\nended\n"), "\(result.output) \(result.errors)")
        #expect(app.heads.first?.contains("\r\nX-Forwarded-Proto: https") == true, "\(app.heads)")
        await front.stop()
        app.stop()
    }

    @Test(needsH2, arguments: FrontServer.allCases) func anUpgradeTheAppRefusesIsRelayedAsItsResponse(_ server: FrontServer) async throws {
        try await Self.withScenario("refused", server, app: UpgradingApp(refuses: true)) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 400 body refused\n", "\(result.errors)")
            #expect(app.heads.count == 1)
        }
    }

    @Test(needsH2, arguments: FrontServer.allCases) func anotherProtocolIsRefusedWithoutAskingTheApp(_ server: FrontServer) async throws {
        try await Self.withScenario("unknown", server, app: UpgradingApp(speaksWebSocket: true)) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 501\n", "\(result.errors)")
            #expect(app.heads.isEmpty, "the app was not contacted")
        }
    }

    @Test(needsH2, arguments: FrontServer.allCases) func theClientsEndStreamEndsTheTunnel(_ server: FrontServer) async throws {
        try await Self.withScenario("endstream", server, app: UpgradingApp(speaksWebSocket: true)) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 200 protocol chat\necho text hello 0\nended\n", "\(result.errors)")
            #expect(await eventually { app.openConnections == 0 }, "the app's connection was closed")
        }
    }

    /// 2.4 MB of frames each way at once, far beyond the stream's windows and the front's
    /// buffers: the windows are credited as the tunnel moves bytes, and each side waits.
    @Test(needsH2, arguments: FrontServer.allCases) func aLargeEchoFlowsWithinTheWindows(_ server: FrontServer) async throws {
        try await Self.withScenario("large", server, app: UpgradingApp(speaksWebSocket: true)) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 200 protocol chat\nechoed 40 frames of 60000 octets\nended\n", "\(result.errors)")
        }
    }

    /// No byte either way for the idle limit ends the tunnel, and its app connection.
    @Test(needsH2, arguments: FrontServer.allCases) func anIdleTunnelEndsAtTheIdleLimit(_ server: FrontServer) async throws {
        var options = ForwardingOptions()
        options.tunnelIdleTimeout = .seconds(1)
        try await Self.withScenario("idle", server, app: UpgradingApp(speaksWebSocket: true), options: options) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 200 protocol chat\necho text hello 0\nquiet\nended\n", "\(result.errors)")
            #expect(await eventually { app.openConnections == 0 }, "the app's connection was closed")
        }
    }

    /// A graceful stop lets an open tunnel go on until the shutdown timeout, then ends it and
    /// its app connection.
    @Test(needsH2, arguments: FrontServer.allCases) func stoppingTheFrontEndsTunnelsAtTheShutdownTimeout(_ server: FrontServer) async throws {
        let app = try UpgradingApp(speaksWebSocket: true)
        let front = try await Self.front(server, appPort: app.port, serverOptions: { $0.shutdownTimeout = .seconds(1) })
        let client = try RunningClient("stop", frontPort: front.port, appPort: app.port)
        #expect(try await client.readLine() == "settings ENABLE_CONNECT_PROTOCOL=1")
        #expect(try await client.readLine() == "status 200 protocol chat")
        #expect(try await client.readLine() == "echo text hello 0")
        #expect(try await client.readLine() == "open")
        async let stopped: Void = front.stop()
        #expect(try await client.readLine() == "goaway", "the front is stopping")
        #expect(try await client.readLine() == "echo text while stopping", "the tunnel works while the front drains")
        #expect(try await client.readLine() == "closed", "then the shutdown timeout ends it")
        await stopped
        let result = try await client.finish()
        #expect(result.status == 0, "\(result.errors)")
        #expect(await eventually { app.openConnections == 0 }, "and the app's side of it")
        app.stop()
    }

    /// The app's 101 without the accept for the front's key (this app never sends one).
    @Test(needsH2, arguments: FrontServer.allCases) func a101WithoutTheRightAcceptIs502(_ server: FrontServer) async throws {
        try await Self.withScenario("badaccept", server, app: UpgradingApp()) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "settings ENABLE_CONNECT_PROTOCOL=1\nstatus 502\n", "\(result.errors)")
        }
    }

    /// RST_STREAM on the tunnel: the front closes the app's connection while the client's
    /// HTTP/2 connection stays open (the client watches /proc/net/tcp for it, then PINGs).
    @Test(needsH2, arguments: FrontServer.allCases) func resettingTheStreamClosesTheAppsConnection(_ server: FrontServer) async throws {
        try await Self.withScenario("reset", server, app: UpgradingApp(speaksWebSocket: true)) { result, app in
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == """
                settings ENABLE_CONNECT_PROTOCOL=1
                status 200 protocol chat
                echo text before the reset
                app connection closed
                ping answered

                """, "\(result.errors)")
            #expect(await eventually { app.openConnections == 0 }, "the app saw its connection end")
        }
    }

    // MARK: The client

    struct ClientResult: Sendable {
        let status: Int32
        let output: String
        let errors: String
    }

    /// The client script running, for a test that acts between its lines (it bounds itself:
    /// signal.alarm, so every read here ends).
    final class RunningClient: @unchecked Sendable {
        private let process = Process()
        private let output = Pipe()
        private let errors = Pipe()
        private var buffered: [UInt8] = []

        init(_ scenario: String, frontPort: Int, appPort: Int) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", FrontExtendedConnectTests.client, scenario, String(frontPort), String(appPort)]
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// The next line it prints; nil once it has ended.
        func readLine() async throws -> String? {
            try await offThePool { [self] in
                while true {
                    if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                        defer { buffered.removeFirst(newline + 1) }
                        return String(decoding: buffered[..<newline], as: UTF8.self)
                    }
                    let more = output.fileHandleForReading.availableData
                    if more.isEmpty { return nil }
                    buffered += more
                }
            }
        }

        func finish() async throws -> ClientResult {
            try await offThePool { [self] in
                let rest = output.fileHandleForReading.readDataToEndOfFile()
                let err = errors.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return ClientResult(
                    status: process.terminationStatus, output: String(decoding: buffered + rest, as: UTF8.self), errors: String(decoding: err, as: UTF8.self)
                )
            }
        }
    }

    /// Runs the client script for `scenario`; it bounds itself (signal.alarm).
    /// Runs one client scenario against a front before `app`, then `check`, then stops both
    /// (the checks run while the front still holds its connections).
    static func withScenario(
        _ scenario: String, _ server: FrontServer, app: UpgradingApp, options: ForwardingOptions = ForwardingOptions(),
        _ check: (ClientResult, UpgradingApp) async throws -> Void
    ) async throws {
        let front = try await Self.front(server, appPort: app.port, options: options)
        let result = try await Self.runClient(scenario, frontPort: front.port, appPort: app.port)
        try await check(result, app)
        await front.stop()
        app.stop()
    }

    static func runClient(_ scenario: String, frontPort: Int, appPort: Int, trusting certificate: String? = nil) async throws -> ClientResult {
        try await offThePool {
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", client, scenario, String(frontPort), String(appPort)] + (certificate.map { [$0] } ?? [])
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
    cafile = sys.argv[4] if len(sys.argv) > 4 else None  # h2 over TLS, trusting this certificate
    sock = socket.create_connection(("127.0.0.1", front_port))
    if cafile:
        import ssl
        context = ssl.create_default_context(cafile=cafile)
        context.set_alpn_protocols(["h2"])
        sock = context.wrap_socket(sock, server_hostname="localhost")
        if sock.selected_alpn_protocol() != "h2":
            sys.exit("ALPN did not choose h2")
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
    conn.send_headers(stream, [(":method", "CONNECT"), (":protocol", protocol), (":scheme", "https" if cafile else "http"), (":authority", "localhost"),
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

    def whole_frame():
        if len(received) < 2:
            return None
        assert received[1] & 0x80 == 0, "a server's frames are not masked"
        length, offset = received[1] & 0x7F, 2
        if length == 126:
            if len(received) < 4:
                return None
            length, offset = struct.unpack("!H", received[2:4])[0], 4
        if len(received) < offset + length:
            return None
        opcode, payload = received[0] & 0x0F, bytes(received[offset:offset + length])
        del received[:offset + length]
        return opcode, payload

    def read_frame():
        while True:
            frame = whole_frame()
            if frame:
                return frame
            if ended:
                sys.exit("the stream ended before a whole frame")
            pump()

    if scenario == "large":
        # 40 frames of 60,000 octets (a zero mask, which RFC 6455 allows, spares masking them
        # in Python), sent within the stream's window while the echo is read as it comes: far
        # more than any window or buffer on the way, so every hop must wait for the next.
        payload = bytes(range(256)) * 234 + bytes(96)
        frame = bytes([0x82, 0x80 | 126]) + struct.pack("!H", len(payload)) + bytes(4) + payload
        pending = frame * 40
        echoed = 0
        while pending or echoed < 40:
            room = min(conn.local_flow_control_window(stream), conn.max_outbound_frame_size, len(pending))
            if room > 0:
                conn.send_data(stream, pending[:room])
                pending = pending[room:]
                sock.sendall(conn.data_to_send())
                continue
            pump()
            while (found := whole_frame()) is not None:
                if found != (2, payload):
                    sys.exit("an echoed frame differs")
                echoed += 1
        print(f"echoed {echoed} frames of {len(payload)} octets")
        conn.end_stream(stream)
        sock.sendall(conn.data_to_send())
        while not ended:
            pump()
        print("ended")
        sys.exit(0)

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
    elif scenario == "endstream":
        # END_STREAM ends what the client sends; the front ends the app's connection after it.
        conn.end_stream(stream)
        sock.sendall(conn.data_to_send())
    elif scenario == "stop":
        # The test stops the front now. The h2 package ends a connection at the first GOAWAY,
        # so from here frames are read and written by hand: at the GOAWAY, a frame goes through
        # the tunnel and its echo comes back while the front drains, until the shutdown
        # timeout closes the connection.
        print("open")
        sys.stdout.flush()
        raw, tunnel, goaway = bytearray(), bytearray(), False
        while True:
            data = sock.recv(65536)
            if not data:
                print("closed")
                sys.exit(0)
            raw.extend(data)
            while len(raw) >= 9 and len(raw) >= 9 + int.from_bytes(raw[0:3], "big"):
                length, kind, flags = int.from_bytes(raw[0:3], "big"), raw[3], raw[4]
                sid = int.from_bytes(raw[5:9], "big") & 0x7FFFFFFF
                payload = bytes(raw[9:9 + length])
                del raw[:9 + length]
                if kind == 0x7 and not goaway:
                    goaway = True
                    print("goaway")
                    text = b"while stopping"
                    frame = bytes([0x81, 0x80 | len(text)]) + bytes(4) + text  # a zero mask
                    sock.sendall(len(frame).to_bytes(3, "big") + bytes([0x0, 0x0]) + stream.to_bytes(4, "big") + frame)
                elif kind == 0x0 and sid == stream:
                    tunnel.extend(payload)
                    if len(tunnel) >= 2 and len(tunnel) >= 2 + tunnel[1]:
                        print(f"echo text {bytes(tunnel[2:2 + tunnel[1]]).decode()}")
                        sys.stdout.flush()
                        del tunnel[:2 + tunnel[1]]
    else:
        # Quiet from here: the front ends the tunnel at its idle limit.
        print("quiet")
        sys.stdout.flush()
    while not ended:
        pump()
    print("ended")
    """#
}
