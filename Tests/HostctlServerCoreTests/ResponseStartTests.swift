import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import Testing

/// `HTTPResponse.start()` (ASP.NET's `StartAsync`): the head is fixed and put in the output,
/// nothing is sent until the handler ends, and the body follows it without buffering.
@Suite struct ResponseStartTests {
    /// One GET through `handler`: what was sent, and in how many sends.
    static func respond(_ handler: @escaping RequestHandler) -> (response: String, sends: [Int]) {
        let harness = Harness(handler: handler)
        defer { harness.finish() }
        harness.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        return (harness.transport.takeSent(), harness.transport.sendSizes)
    }

    @Test func startFixesTheHeadAndTheBodyFollowsInOneSend() throws {
        let (response, sends) = Self.respond { context in
            context.response.contentLength = 5
            context.response.headers["X-Before"] = "kept"
            #expect(!context.response.hasStarted)
            try context.response.start()
            #expect(context.response.hasStarted)
            context.response.headers["X-After"] = "too late"
            context.response.status = 500
            try await context.response.write("hello")
        }
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"), "the status as it was at start")
        #expect(response.headerValues("X-Before") == ["kept"] && response.headerValues("X-After").isEmpty)
        #expect(response.headerValues("Content-Length") == ["5"] && response.responseBody == "hello")
        #expect(sends.count == 1, "started, not sent: \(sends)")
    }

    @Test func startWithoutALengthStreams() throws {
        let (response, _) = Self.respond { context in
            try context.response.start()
            try await context.response.write("abc")
        }
        #expect(response.headerValues("Transfer-Encoding") == ["chunked"])
        #expect(response.hasSuffix("\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), "\(response)")
    }

    @Test func startTwiceAndAfterWritingIsHarmless() throws {
        let (response, _) = Self.respond { context in
            try await context.response.write("ab")
            try context.response.start()
            try context.response.start()
            try await context.response.write("c")
        }
        #expect(response.headerValues("Transfer-Encoding") == ["chunked"])
        #expect(response.hasSuffix("\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"), "what was buffered is the first chunk: \(response)")
    }
}
