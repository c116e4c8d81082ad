import Foundation
import HostctlCore
import HostctlHPACK
import HostctlTestSupport
@testable import HostctlHTTP2
import Testing

/// An independent HTTP/2 client, Python's `h2` package, talks to the state machine through a
/// pipe (no sockets): its frames and HPACK must read as it meant them, and ours must satisfy its
/// own state machine, which raises on anything RFC 9113 forbids. The exchange goes in lockstep:
/// the client writes what it has as a hex line, we answer with ours, until both are done.
@Suite(.serialized) struct HTTP2PythonInteropTests {
    static let pythonH2Available = PythonModules.h2Available

    @Test(.enabled(if: pythonH2Available, "python3 with the h2 package is not installed (.ci/run installs it)"))
    func requestsAndResponsesWithPythonH2() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("hostctl-h2-client-\(UUID().uuidString.prefix(8)).py")
        try Self.client.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }

        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script.path]
        let toPython = Pipe()
        let fromPython = Pipe()
        let errors = Pipe()
        python.standardInput = toPython
        python.standardOutput = fromPython
        python.standardError = errors
        try python.run()
        defer { if python.isRunning { python.terminate() } }

        let machine = HTTP2ConnectionStateMachine(limits: HTTP2Limits(), transportScheme: "https")
        let input = ByteBuffer()
        let output = ByteBuffer()
        machine.start(now: 0, output: output)
        var lines = LineReader(fromPython.fileHandleForReading)
        var bodies: [HTTP2StreamID: Int] = [:]
        var neverIndexed: [String] = []
        var paths: [String] = []
        var summary: String?

        // Lockstep, bounded: the client gives up after 20 s by itself (signal.alarm).
        for _ in 0..<200 {
            guard let line = lines.next() else { break }
            if line.hasPrefix("DONE ") {
                summary = String(line.dropFirst(5))
                break
            }
            input.append(hexBytes(line))
            while let event = machine.nextEvent(from: input, output: output) {
                switch event {
                case .requestHead(let id, let head, let endStream):
                    paths.append(head.string(head.target) ?? "")
                    for index in 0..<head.headerCount where head.headerIsNeverIndexed(at: index) {
                        neverIndexed.append(head.withHeader(at: index) { name, _ in String(decoding: name, as: UTF8.self) })
                    }
                    bodies[id] = 0
                    if endStream { try respond(machine, id, received: 0, output: output) }
                case .data(let id, let bytes, let endStream):
                    bodies[id, default: 0] += bytes.count
                    machine.dataConsumed(bytes.count, stream: id, output: output)
                    if endStream { try respond(machine, id, received: bodies[id] ?? 0, output: output) }
                case .connectionError(let error):
                    Issue.record("connection error: \(error)")
                default:
                    break
                }
            }
            input.compact()
            toPython.fileHandleForWriting.write(Data((hexString(output.readableArray) + "\n").utf8))
            output.clear()
        }
        try? toPython.fileHandleForWriting.close()
        python.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(python.terminationStatus == 0, "h2 client failed: \(stderr)")

        #expect(paths == ["/hello?x=1", "/upload"])
        #expect(neverIndexed == ["authorization"], "a never-indexed literal is reported as such")
        #expect(bodies[3] == 204_800)
        let result = try #require(summary)
        let decoded = try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: [String: Any]]
        let hello = try #require(decoded?["1"])
        let upload = try #require(decoded?["3"])
        #expect(hello["status"] as? String == "200")
        #expect(hello["body"] as? String == "hello from swift, 0 bytes received")
        #expect(hello["ended"] as? Bool == true)
        #expect(upload["body"] as? String == "hello from swift, 204800 bytes received")
        #expect(upload["trailers"] as? [[String]] == [["x-received", "204800"]])
        #expect(upload["ended"] as? Bool == true)
        #expect((upload["headers"] as? [[String]])?.contains(["content-type", "text/plain"]) == true)
    }

    private func respond(_ machine: HTTP2ConnectionStateMachine, _ id: HTTP2StreamID, received: Int, output: ByteBuffer) throws {
        let body = Array("hello from swift, \(received) bytes received".utf8)
        try machine.writeHeaders(id, status: 200, fields: HTTPFields([("Content-Type", "text/plain"), ("Server", "hostctl")]), endStream: false, output: output)
        #expect(body.withUnsafeBytes { machine.writeData($0, stream: id, endStream: received == 0, output: output) } == body.count)
        if received > 0 { try machine.writeTrailers(id, fields: HTTPFields([("x-received", String(received))]), output: output) }
        machine.streamFinished(id, output: output)
    }

    /// Two requests: a GET with a never-indexed header, and a POST whose 200 KB body needs the
    /// windows we open (its first 64 KiB go before our SETTINGS arrive).
    static let client = #"""
    import json, signal, sys
    import h2.config, h2.connection, h2.events
    from hpack import NeverIndexedHeaderTuple

    signal.alarm(20)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/hello?x=1"),
                          ("user-agent", "python-h2"), NeverIndexedHeaderTuple("authorization", "secret")], end_stream=True)
    body = bytes(range(256)) * 800
    conn.send_headers(3, [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"), (":path", "/upload"),
                          ("content-length", str(len(body)))], end_stream=False)
    pending = {3: body}
    responses = {}

    def send_body():
        for stream, rest in list(pending.items()):
            while rest:
                size = min(conn.local_flow_control_window(stream), conn.max_outbound_frame_size, len(rest))
                if size <= 0:
                    break
                conn.send_data(stream, rest[:size], end_stream=size == len(rest))
                rest = rest[size:]
            if rest:
                pending[stream] = rest
            else:
                del pending[stream]

    send_body()
    for _ in range(100):
        sys.stdout.write(conn.data_to_send().hex() + "\n")
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            break
        for event in conn.receive_data(bytes.fromhex(line.strip())):
            if isinstance(event, h2.events.ResponseReceived):
                headers = [[n, v] for n, v in event.headers]
                responses[event.stream_id] = {"headers": headers, "status": dict(event.headers)[":status"], "body": b""}
            elif isinstance(event, h2.events.DataReceived):
                responses[event.stream_id]["body"] += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.TrailersReceived):
                responses[event.stream_id]["trailers"] = [[n, v] for n, v in event.headers]
            elif isinstance(event, h2.events.StreamEnded):
                responses[event.stream_id]["ended"] = True
            elif isinstance(event, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                raise SystemExit("unexpected %r" % event)
        send_body()
        if not pending and all(responses.get(s, {}).get("ended") for s in (1, 3)):
            break
    for value in responses.values():
        value["body"] = value["body"].decode()
    sys.stdout.write("DONE " + json.dumps({str(k): v for k, v in responses.items()}) + "\n")
    sys.stdout.flush()
    """#
}

/// Lines from a pipe, without waiting for more than a line needs.
struct LineReader {
    let handle: FileHandle
    var pending = Data()

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> String? {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                return line
            }
            let more = handle.availableData
            if more.isEmpty { return nil }
            pending.append(more)
        }
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count / 2)
    var high: UInt8?
    for character in text.utf8 {
        let value: UInt8
        switch character {
        case 0x30...0x39: value = character - 0x30
        case 0x61...0x66: value = character - 0x57
        default: continue
        }
        if let first = high {
            bytes.append(first << 4 | value)
            high = nil
        } else {
            high = value
        }
    }
    return bytes
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
}
