import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import Testing

/// The connection driver without sockets: bytes in, bytes out, time moved by hand.
@Suite struct HTTP1ConnectionTests {
    static let get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

    @Test func pipelinedRequestsAreAnsweredInOrderWithOneSend() {
        let harness = Harness { context in try await context.response.write("path=\(context.request.path)") }
        defer { harness.finish() }
        harness.feed("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\nGET /three HTTP/1.1\r\nHost: a\r\n\r\n")
        let sent = harness.transport.takeSent()
        #expect(sent.count(of: "HTTP/1.1 200 OK") == 3)
        let one = sent.firstRange(of: "path=/one")!, two = sent.firstRange(of: "path=/two")!, three = sent.firstRange(of: "path=/three")!
        #expect(one.lowerBound < two.lowerBound && two.lowerBound < three.lowerBound)
        #expect(!harness.transport.closed)
    }

    @Test func aHeadSplitAcrossReadsIsParsedOnceWhole() {
        let harness = Harness { context in try await context.response.write("ok") }
        defer { harness.finish() }
        let request = "GET /split HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "v", count: 100) + "\r\n\r\n"
        for character in request { harness.feed(String(character)) }
        #expect(harness.transport.takeSent().hasSuffix("\r\n\r\nok"))
    }

    @Test func keepAliveTimeoutClosesAnIdleConnection() {
        let harness = Harness(options: { $0.keepAliveTimeout = .seconds(10) }) { context in try await context.response.write("ok") }
        defer { harness.finish() }
        harness.feed(Self.get)
        #expect(harness.transport.takeSent().hasSuffix("ok"))
        harness.heartbeat(after: 5)
        #expect(!harness.transport.closed)
        harness.heartbeat(after: 6)
        #expect(harness.transport.closed)
        #expect(harness.transport.takeSent().isEmpty, "closed silently")
    }

    @Test func headersTimeoutAnswers408() {
        let harness = Harness(options: { $0.requestHeadersTimeout = .seconds(30) }) { _ in }
        defer { harness.finish() }
        harness.feed("GET / HTTP/1.1\r\nHo")
        harness.heartbeat(after: 29)
        #expect(!harness.transport.closed)
        harness.heartbeat(after: 2)
        #expect(harness.transport.takeSent().hasPrefix("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n"))
        #expect(harness.transport.closed)
    }

    @Test func anIdleTaskRetiresAndTheNextRequestStartsAnother() {
        let harness = Harness { context in try await context.response.write("n=\(context.traceIdentifier.suffix(2))") }
        defer { harness.finish() }
        harness.feed(Self.get)
        #expect(harness.connection.task != nil)
        harness.heartbeat(after: 1.5)
        #expect(harness.connection.task == nil, "no task while idle")
        #expect(harness.connection.inbound == nil, "and no receive buffer")
        harness.feed(Self.get)
        let sent = harness.transport.takeSent()
        #expect(sent.contains("n=01") && sent.hasSuffix("n=02"), "the request count carries on: \(sent)")
    }

    @Test func anUnreadBodyIsDrainedBeforeTheNextRequest() {
        let harness = Harness { context in try await context.response.write("path=\(context.request.path)") }
        defer { harness.finish() }
        harness.feed("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234")
        #expect(harness.transport.takeSent().hasSuffix("path=/upload"))
        harness.feed("56789GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(harness.transport.takeSent().hasSuffix("path=/next"))
        #expect(!harness.transport.closed)
    }

    @Test func writesWaitWhenTheClientDoesNotRead() {
        let harness = Harness(options: { $0.maxResponseBufferSize = 64 * 1024 }) { context in
            let chunk = [UInt8](repeating: 0x61, count: 32 * 1024)
            for _ in 0..<8 { try await context.response.write(chunk) }
            context.items["done"] = true
        }
        defer { harness.finish() }
        harness.transport.holdsSends = true
        harness.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(harness.connection.pendingOutput <= 128 * 1024, "bounded: the handler is waiting")
        #expect(harness.connection.waitingFor == .writable)
        for _ in 0..<20 where harness.transport.held != nil {
            harness.transport.releaseHeldSend()
            harness.loop.runUntilIdle()
        }
        let sent = harness.transport.takeSent()
        #expect(sent.hasSuffix("0\r\n\r\n"), "the whole chunked response went out")
        #expect(sent.count(of: "a") >= 8 * 32 * 1024)
    }

    @Test func theReceiveBufferIsBoundedAndReadingResumes() {
        let harness = Harness(options: { $0.maxRequestBufferSize = 64 * 1024 }) { context in
            context.items["started"] = true
            _ = try await context.request.body.drain()
            try await context.response.write("read all")
        }
        defer { harness.finish() }
        // Fill beyond the limit before the app reads: the handler refuses more input.
        var accepted = harness.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n")
        var sentBody = 0
        while accepted, sentBody < 200_000 {
            accepted = harness.feed(String(repeating: "b", count: 1000))
            sentBody += 1000
        }
        #expect(harness.transport.takeSent().hasSuffix("read all") || sentBody == 200_000)
    }

    @Test func drainingClosesIdleConnectionsAndMarksBusyOnes() {
        let harness = Harness { context in try await context.response.write("ok") }
        defer { harness.finish() }
        harness.feed(Self.get)
        _ = harness.transport.takeSent()
        harness.connection.beginDraining()
        harness.loop.runUntilIdle()
        #expect(harness.transport.closed, "an idle connection closes when the server drains")
    }

    @Test func aClientFinWhileTheAppRunsAbortsTheRequest() {
        let harness = Harness { context in
            context.items["aborted"] = false
            try await context.request.body.drain()
        }
        defer { harness.finish() }
        harness.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")
        harness.connection.inputClosed()
        harness.loop.runUntilIdle()
        #expect(harness.transport.closed)
        #expect(harness.connection.task == nil, "the task ended")
    }
}
