import HostctlTestSupport
import Glibc
import Hostctl
import HostctlFront
import HostctlSystem
import Synchronization
import Testing

/// Bodies both ways through the front: each framing, trailers, 100-continue, and large
/// transfers streamed in bounded memory. One test at a time, so the memory test measures only itself.
@Suite(.serialized) struct ForwardedBodyTests {
    @Test(arguments: FrontServer.allCases) func contentLengthAndChunkedUploads(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        let sized = try client.readResponse()
        #expect(sized.text == "hello world" && sized.headers["x-request-framing"] == "length 11")
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n")
        let chunked = try client.readResponse()
        #expect(chunked.text == "hello world")
        #expect(chunked.headers["x-request-framing"] == "chunked", "the app got a chunked body")
        #expect(chunked.headers["x-request-trailers"] == "X-Sum=11", "request trailers reach the app")
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func contentLengthChunkedAndTrailersDownloads(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let declared = try front.get("/declared")
        #expect(declared.text == "12345" && declared.headers["content-length"] == "5")
        let streamed = try front.get("/streamed")
        #expect(streamed.text == "part one, part two")
        let trailers = try front.get("/trailers")
        #expect(trailers.text == "body" && trailers.trailers["x-checksum"] == "abc")
        let empty = try front.get("/nothing")
        #expect(empty.status == 204 && empty.body.isEmpty)
        let client = try front.client()
        try client.send("HEAD /declared HTTP/1.1\r\nHost: a\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200 && head.headers["content-length"] == "5", "HEAD keeps the GET's length")
        try client.send("GET /declared HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "12345", "the connection is still in step after HEAD")
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func closeDelimitedAndChunkedResponsesFromARawApp(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { head, send in
            if head.hasPrefix("GET /close") {
                send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
                return .close
            }
            send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\nX-Sum: 6\r\n\r\n")
            return .keepOpen
        }
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)))
        let closing = try front.get("/close")
        #expect(closing.status == 200 && closing.text == "until the end")
        let chunked = try front.get("/chunked")
        #expect(chunked.text == "abcdef" && chunked.trailers["x-sum"] == "6")
        await front.stop()
        scripted.stop()
    }

    /// The app decides whether the body is wanted (it sends its 100 when it starts reading), and
    /// its 100 reaches the client through the front.
    @Test(arguments: FrontServer.allCases) func expectContinueIsAnsweredByTheApp(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("hello")
        let response = try client.readResponse()
        #expect(response.status == 200 && response.text == "hello")
        #expect(app.seen.lastHeaders.contains("expect: 100-continue"), "Expect is forwarded")
        await front.stop()
        await app.stop()
    }

    /// 256 MB up and 256 MB down through the front: its memory must not grow with the body.
    @Test(.serialized, arguments: FrontServer.allCases) func largeBodiesStreamInBoundedMemory(_ server: FrontServer) async throws {
        let app = try await TestApp(options: { $0.maxRequestBodySize = nil })
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint), serverOptions: { $0.maxRequestBodySize = nil })
        let size = 256 * 1024 * 1024
        let port = front.port
        let before = residentBytes()
        let sampler = MemorySampler(start: before)
        let (uploaded, downloaded) = try await offThePool {
            let client = try TestClient(port: port)
            client.timeout = 60
            try client.send("POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n")
            let block = [UInt8](repeating: UInt8(ascii: "u"), count: 256 * 1024)
            for _ in 0..<(size / block.count) { try client.send(block) }
            let uploaded = Int(try client.readResponse().text) ?? -1
            try client.send("GET /source/\(size) HTTP/1.1\r\nHost: a\r\n\r\n")
            let downloaded = try client.countResponseBody()
            return (uploaded, downloaded)
        }
        let growth = sampler.stop() - before
        #expect(uploaded == size)
        #expect(downloaded == size)
        // Client, front and app share this process: all three must stay far below one body.
        // (On io_uring a send always completes later, so the forwarder leaves part of a body
        // chunk pending while more arrives: the server must reclaim the consumed bytes before it.)
        #expect(growth < 96 * 1024 * 1024, "resident memory grew by \(growth / 1_048_576) MB")
        await front.stop()
        await app.stop()
    }
}

/// Both directions at once through the front.
@Suite struct ForwardedDuplexTests {
    /// An app that echoes as it reads, with a client that sends and reads at once: the front
    /// relays the response while the upload goes on, so neither side waits for the other forever.
    /// Several at once (in parallel): a wait chosen from a stale look at the client once hung this
    /// only under load.
    @Test(arguments: FrontServer.allCases, 0..<6) func aStreamingEchoFlowsBothWaysAtOnce(_ server: FrontServer, _ copy: Int) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        client.timeout = 60
        let blocks = 256  // 16 MB in 64 KiB chunks: far more than every buffer on the way holds
        let writer = NativeThread(name: "echo-writer") {
            try? client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            let block = [UInt8](repeating: UInt8(ascii: "e"), count: 64 * 1024)
            for _ in 0..<blocks { try? client.send(Array("10000\r\n".utf8) + block + Array("\r\n".utf8)) }
            try? client.send("0\r\n\r\n")
        }
        let received = try await offThePool { try client.countChunkedResponseBody() }
        writer.join()
        #expect(received == blocks * 64 * 1024)
        await front.stop()
        await app.stop()
    }
}

/// Samples this process's resident memory every 20 ms on a thread of its own, keeping the peak.
final class MemorySampler: Sendable {
    private let peak: Atomic<Int>
    private let running = Atomic<Bool>(true)
    private let thread = Mutex<NativeThread?>(nil)

    init(start: Int) {
        peak = Atomic(start)
        let started = NativeThread(name: "rss-sampler") { [self] in
            while running.load(ordering: .relaxed) {
                let now = residentBytes()
                if now > peak.load(ordering: .relaxed) { peak.store(now, ordering: .relaxed) }
                usleep(20_000)
            }
        }
        thread.withLock { $0 = started }
    }

    /// Stops sampling; returns the peak.
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        thread.withLock { $0.take() }?.join()
        return peak.load(ordering: .relaxed)
    }
}

extension TestClient {
    /// Reads a response head byte by byte (so nothing after it is read).
    private func readHeadOnly() throws -> TestResponse {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !(head.count >= 4 && head.suffix(4).elementsEqual("\r\n\r\n".utf8)) {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw TestFailure("timed out in the head") }
            guard recv(fd, &byte, 1, 0) == 1 else { throw TestFailure("closed before the head ended") }
            head.append(byte)
        }
        return TestResponse(head: String(decoding: head, as: UTF8.self))
    }

    /// Reads one 200 response with a chunked body, counting the body's bytes without keeping them.
    func countChunkedResponseBody() throws -> Int {
        let response = try readHeadOnly()
        guard response.status == 200, response.headers["transfer-encoding"] == "chunked" else { throw TestFailure("not a chunked 200: \(response)") }
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        func readLine() throws -> String {
            line.removeAll(keepingCapacity: true)
            while !(line.count >= 2 && line.suffix(2).elementsEqual("\r\n".utf8)) {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw TestFailure("timed out after \(total) bytes") }
                guard recv(fd, &byte, 1, 0) == 1 else { throw TestFailure("closed after \(total) bytes") }
                line.append(byte)
            }
            return String(decoding: line.dropLast(2), as: UTF8.self)
        }
        while true {
            guard let size = Int(try readLine().split(separator: ";")[0], radix: 16) else { throw TestFailure("bad chunk size") }
            if size == 0 {
                while try !readLine().isEmpty {}  // trailers
                return total
            }
            var left = size
            while left > 0 {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw TestFailure("timed out after \(total) bytes") }
                let count = recv(fd, &chunk, min(chunk.count, left), 0)
                guard count > 0 else { throw TestFailure("closed after \(total) bytes") }
                left -= count
                total += count
            }
            _ = try readLine()
        }
    }

    /// Reads one Content-Length response, counting its body without keeping it.
    func countResponseBody() throws -> Int {
        let response = try readHeadOnly()
        guard let length = response.headers["content-length"].flatMap({ Int($0) }) else { throw TestFailure("no length: \(response)") }
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var total = 0
        while total < length {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw TestFailure("timed out after \(total) bytes") }
            let count = recv(fd, &chunk, min(chunk.count, length - total), 0)
            guard count > 0 else { throw TestFailure("closed after \(total) bytes") }
            total += count
        }
        return total
    }
}
