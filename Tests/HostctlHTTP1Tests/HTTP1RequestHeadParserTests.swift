import HostctlCore
import HostctlHTTP1
import Testing

/// Line finding, limits, resumability and the head as a whole (RFC 9112 §2–§5).
@Suite struct HTTP1RequestHeadParserTests {
    @Test func plaintextRequest() throws {
        let request = "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"
        let parsed = try #require(expectHead(request))
        #expect(parsed.head.length == request.utf8.count)
        #expect(parsed.head.method == .get)
        #expect(parsed.target == "/plaintext")
        #expect(parsed.head.targetForm == .origin)
        #expect(parsed.path == "/plaintext")
        #expect(parsed.query == nil)
        #expect(parsed.authority == nil)
        #expect(parsed.head.version == .http1_1)
        #expect(parsed.fields == ["Host: x"])
        #expect(parsed.host == "x")
        #expect(parsed.head.framing == HTTP1BodyFraming.none)
        #expect(!parsed.head.hadContentLengthAndTransferEncoding)
        #expect(!parsed.head.connectionClose && !parsed.head.connectionKeepAlive && !parsed.head.connectionUpgrade)
        #expect(!parsed.head.expectsContinue)
        #expect(parsed.head.wantsKeepAlive)
    }

    @Test func fieldsKeepOrderAndDuplicates() throws {
        let parsed = try #require(expectHead("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX-Dup: 1\r\nx-dup: 2\r\nCookie: a=b; c=d\r\n\r\n"))
        #expect(parsed.fields == ["Host: a", "Accept: */*", "X-Dup: 1", "x-dup: 2", "Cookie: a=b; c=d"])
    }

    @Test func incompleteHeadsNeedMoreBytes() {
        let request = "GET /a HTTP/1.1\r\nHost: x\r\nAccept: y\r\n\r\n"
        for count in 0..<request.utf8.count {
            let prefix = String(request.utf8.prefix(count))!
            #expect(parseHead(prefix) == .incomplete, "prefix of \(count) bytes")
        }
    }

    @Test func bytesAfterTheHeadAreLeftAlone() throws {
        let head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
        let parsed = try #require(expectHead(head + "hello"))
        #expect(parsed.head.length == head.utf8.count)
        #expect(parsed.head.framing == .contentLength(5))
    }

    @Test func pipelinedRequests() throws {
        let first = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
        let second = "POST /two?q HTTP/1.1\r\nHost: y\r\nContent-Length: 2\r\n\r\nhi"
        let bytes = Array(first + second)
        var parser = HTTP1RequestHeadParser()
        var head = HTTP1RequestHead()
        let fieldsCapacity = try bytes.withUnsafeBytes { (all) throws -> Int in
            #expect(try parser.parse(all, into: &head))
            #expect(head.length == first.utf8.count)
            #expect(head.method == .get)
            let capacity = head.fields.capacity
            parser.reset()
            let rest = UnsafeRawBufferPointer(rebasing: all[head.length...])
            #expect(try parser.parse(rest, into: &head))
            return capacity
        }
        let parsed = ParsedHead(head: head, bytes: Array(bytes[first.utf8.count...]))
        #expect(head.method == .post)
        #expect(parsed.path == "/two" && parsed.query == "q")
        #expect(parsed.host == "y")
        #expect(head.framing == .contentLength(2))
        #expect(head.length == second.utf8.count - 2)
        #expect(head.fields.capacity >= fieldsCapacity, "the fields array is reused")
    }

    @Test func completeAndFailedAnswersAreSticky() throws {
        var parser = HTTP1RequestHeadParser()
        var head = HTTP1RequestHead()
        try Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n").withUnsafeBytes { (bytes) throws in
            #expect(try parser.parse(bytes, into: &head))
            #expect(try parser.parse(bytes, into: &head), "still complete until reset")
        }
        parser.reset()
        Array("GET / HTTP/1.1\r\nHost x\r\n").withUnsafeBytes { bytes in
            #expect(throws: HTTP1ParseError.self) { try parser.parse(bytes, into: &head) }
            #expect { try parser.parse(bytes, into: &head) } throws: { ($0 as? HTTP1ParseError)?.reason == .invalidRequestHeader }
        }
        parser.reset()
        try Array("GET /again HTTP/1.1\r\nHost: x\r\n\r\n").withUnsafeBytes { (bytes) throws in
            #expect(try parser.parse(bytes, into: &head), "reset forgets the failure")
        }
    }

    // MARK: Leading empty lines (RFC 9112 §2.2)

    @Test func leadingEmptyLinesAreSkipped() throws {
        let request = "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
        let parsed = try #require(expectHead(request))
        #expect(parsed.head.length == request.utf8.count)
        #expect(parsed.target == "/")
        #expect(parsed.head.target == 8..<9)
        #expect(expectHead(String(repeating: "\r\n", count: 4) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n") != nil)
        expectFailure(String(repeating: "\r\n", count: 5) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine)
    }

    @Test func leadingEmptyLinesCountPerLineTowardTheLimit() {
        let limits = limits { $0.maxRequestLineSize = 20 }
        #expect(expectHead("\r\n\r\n\r\nGET /0123 HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits) != nil)
    }

    @Test func leadingBareLineFeedsOnlyWhenAllowed() {
        let request = "\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
        expectFailure(request, .invalidRequestLine)
        #expect(expectHead(request, limits: limits { $0.allowsBareLineFeed = true })?.head.length == request.utf8.count)
    }

    // MARK: Line ends

    @Test func bareLineFeedIsRejectedByDefault() {
        expectFailure("GET / HTTP/1.1\nHost: x\r\n\r\n", .invalidRequestLine)
        expectFailure("GET / HTTP/1.1\r\nHost: x\n\r\n", .invalidRequestHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n\n", .invalidRequestHeader)
    }

    @Test func bareLineFeedIsAcceptedWhenAllowed() throws {
        let allowing = limits { $0.allowsBareLineFeed = true }
        let request = "GET /a HTTP/1.1\nHost: x\nAccept: y\r\n\n"
        let parsed = try #require(expectHead(request, limits: allowing))
        #expect(parsed.head.length == request.utf8.count)
        #expect(parsed.fields == ["Host: x", "Accept: y"])
        #expect(parsed.path == "/a")
    }

    @Test func bareCarriageReturnIsRejected() {
        expectFailure("GET / HTTP/1.1\r\r\nHost: x\r\n\r\n", .invalidRequestLine)
        expectFailure("GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine)
        expectFailure("GET\r/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", .invalidRequestHeader)
        expectFailure("GET / HTTP/1.1\r\nHo\rst: x\r\n\r\n", .invalidRequestHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n\rX\r\n\r\n", .invalidRequestHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n\r\r\n", .invalidRequestHeader)
        // Allowing bare LF does not make a bare CR acceptable.
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", .invalidRequestHeader, limits: limits { $0.allowsBareLineFeed = true })
    }

    // MARK: TLS on a plain port

    @Test func tlsClientHelloIsRecognised() {
        expectFailure([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03], .tlsHandshakeOnPlainPort)
        expectFailure([0x16, 0x03], .tlsHandshakeOnPlainPort)
        #expect(parseHead([0x16]) == .incomplete, "one byte is not enough to tell")
        expectFailure([0x16, 0x41, 0x20, 0x2F, 0x20, 0x0D, 0x0A], .invalidRequestLine)
    }

    // MARK: Limits, enforced before the head is complete

    @Test func requestLineLimit() {
        let limits = limits { $0.maxRequestLineSize = 32 }
        let exactly32 = "GET /" + String(repeating: "a", count: 16) + " HTTP/1.1\r\n"
        #expect(exactly32.utf8.count == 32)
        #expect(expectHead(exactly32 + "Host: x\r\n\r\n", limits: limits) != nil)
        expectFailure("GET /" + String(repeating: "a", count: 17) + " HTTP/1.1\r\nHost: x\r\n\r\n", .requestLineTooLong, limits: limits)
        // Detected before the line ends: 32 bytes without an LF can only become a longer line.
        expectFailure("GET /" + String(repeating: "a", count: 27), .requestLineTooLong, limits: limits)
        #expect(parseHead("GET /" + String(repeating: "a", count: 26), limits: limits) == .incomplete)
    }

    @Test func defaultRequestLineLimitIs8192() {
        let target = "/" + String(repeating: "a", count: 8192 - 16)
        #expect(expectHead("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n") != nil)
        expectFailure("GET \(target)a HTTP/1.1\r\nHost: x\r\n\r\n", .requestLineTooLong)
        expectFailure("GET " + String(repeating: "a", count: 9000), .requestLineTooLong)
    }

    @Test func headerTotalSizeLimit() {
        // "Host: x\r\n" is 9 bytes, "A: 1234567\r\n" is 12: 21 in all. The request line and
        // the final empty line do not count.
        let limits = limits { $0.maxRequestHeadersTotalSize = 21 }
        #expect(expectHead("GET /a-long-target-does-not-count HTTP/1.1\r\nHost: x\r\nA: 1234567\r\n\r\n", limits: limits) != nil)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: 12345678\r\n\r\n", .headersExceedMaxTotalSize, limits: limits)
        // Detected while the line is still arriving.
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: 1234567890", .headersExceedMaxTotalSize, limits: limits)
        #expect(parseHead("GET / HTTP/1.1\r\nHost: x\r\nA: 12345", limits: limits) == .incomplete)
    }

    @Test func defaultHeaderTotalSizeIs32K() {
        let big = "X: " + String(repeating: "v", count: 32768 - 9 - 5) + "\r\n"
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n") != nil)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nY" + big + "\r\n", .headersExceedMaxTotalSize)
    }

    @Test func headerCountLimit() {
        let limits = limits { $0.maxRequestHeaderCount = 3 }
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits) != nil)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", .tooManyHeaders, limits: limits)
        // The first byte of a fourth line is enough to know.
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC", .tooManyHeaders, limits: limits)
        // A lone CR may still be the final empty line.
        #expect(parseHead("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r", limits: limits) == .incomplete)
    }

    @Test func defaultHeaderCountIs100() {
        let fields = (0..<99).map { "X-\($0): v\r\n" }.joined()
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n")?.head.fields.count == 100)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n" + fields + "Y: z\r\n\r\n", .tooManyHeaders)
    }

    @Test func errorsCarryAnEscapedExcerpt() throws {
        let error = try #require(parseError("GET / HTTP/1.1\r\nBad\u{1}Name: x\r\n\r\n"))
        #expect(error.reason == .invalidCharactersInHeaderName)
        #expect(error.detail == "Bad\\x01Name: x")
        #expect(parseError("GET /\u{7F} HTTP/1.1\r\n")?.detail == "GET /\\x7F HTTP/1.1")
    }
}
