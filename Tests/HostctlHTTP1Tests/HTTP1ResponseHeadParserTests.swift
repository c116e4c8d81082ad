import HostctlCore
import HostctlHTTP1
import Testing

/// What parsing response bytes came to: the heads found (interim ones first), then the final
/// one, or the error.
private struct ResponseOutcome: Equatable, CustomStringConvertible {
    var interim: [Int] = []
    var head: HTTP1ResponseHead?
    /// Offset of the final head's first byte in the input.
    var finalStart = 0
    var error: HTTP1ResponseParseError.Reason?

    var description: String {
        "interim \(interim), head \(head.map { "\($0.status) length \($0.length)" } ?? "none"), error \(String(describing: error))"
    }
}

/// Parses `input` as a client would, skipping interim heads, fed whole, split in two at every
/// offset, and one byte at a time; expects the same outcome every way and returns it.
@discardableResult
private func parseResponse(
    _ input: [UInt8], limits: HTTP1ResponseLimits = HTTP1ResponseLimits(), sourceLocation: SourceLocation = #_sourceLocation
) -> ResponseOutcome {
    func run(_ ends: [Int]) -> ResponseOutcome {
        var parser = HTTP1ResponseHeadParser(limits: limits)
        var head = HTTP1ResponseHead()
        var outcome = ResponseOutcome()
        var start = 0
        for end in ends {
            while true {
                let progress: Result<HTTP1ResponseHeadParser.Progress, HTTP1ResponseParseError> = input.withUnsafeBytes { all in
                    Result { () throws(HTTP1ResponseParseError) in
                        try parser.parse(UnsafeRawBufferPointer(rebasing: all[start..<max(start, end)]), into: &head)
                    }
                }
                switch progress {
                case .failure(let error):
                    outcome.error = error.reason
                    return outcome
                case .success(.needMore):
                    break
                case .success(.interim):
                    outcome.interim.append(head.status)
                    start += head.length
                    parser.reset()
                    continue
                case .success(.complete):
                    outcome.head = head
                    outcome.finalStart = start
                    return outcome
                }
                break
            }
        }
        return outcome
    }
    let whole = run([input.count])
    for offset in 0...input.count {
        let split = run([offset, input.count])
        if split != whole {
            Issue.record("split at \(offset): \(split), whole: \(whole)", sourceLocation: sourceLocation)
            break
        }
    }
    #expect(run(Array(0...input.count)) == whole, "one byte at a time", sourceLocation: sourceLocation)
    return whole
}

private func text(_ input: String, _ range: Range<Int>, from start: Int = 0) -> String {
    String(decoding: Array(input.utf8)[(start + range.lowerBound)..<(start + range.upperBound)], as: UTF8.self)
}

@Suite struct HTTP1ResponseHeadParserTests {
    @Test func statusLineFieldsAndLength() throws {
        let input = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\nhello"
        let outcome = parseResponse(Array(input.utf8))
        let head = try #require(outcome.head)
        #expect(head.status == 200 && head.version == .http1_1)
        #expect(text(input, head.reason) == "OK")
        #expect(head.length == input.utf8.count - 5)
        #expect(head.fields.map { "\(text(input, $0.name)): \(text(input, $0.value))" }
            == ["Content-Type: text/plain", "Set-Cookie: a=1", "Set-Cookie: b=2", "Content-Length: 5"])
        #expect(head.contentLength == 5)
        #expect(head.bodyFraming(requestMethod: .get) == .contentLength(5))
        #expect(head.keepsConnection(framing: .contentLength(5)))
    }

    @Test func reasonPhrasesMayBeEmptyOrMissingOrUnusual() throws {
        for (input, reason) in [("HTTP/1.1 204 \r\n\r\n", ""), ("HTTP/1.1 204\r\n\r\n", ""), ("HTTP/1.1 299 Très bien\t!\r\n\r\n", "Très bien\t!")] {
            let head = try #require(parseResponse(Array(input.utf8)).head)
            #expect(text(input, head.reason) == reason)
        }
    }

    @Test func http10ResponsesKeepTheConnectionOnlyWhenAsked() throws {
        let plain = try #require(parseResponse(Array("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)).head)
        #expect(plain.version == .http1_0 && !plain.keepsConnection(framing: .contentLength(0)))
        let kept = try #require(parseResponse(Array("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n".utf8)).head)
        #expect(kept.keepsConnection(framing: .contentLength(0)))
        let closed = try #require(parseResponse(Array("HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n".utf8)).head)
        #expect(closed.connectionClose && !closed.keepsConnection(framing: .contentLength(0)))
    }

    @Test func interimResponsesAreReportedAndSkipped() throws {
        let input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
        let outcome = parseResponse(Array(input.utf8))
        #expect(outcome.interim == [100, 103])
        #expect(outcome.head?.status == 201)
    }

    @Test func switchingProtocolsIsFinal() throws {
        let outcome = parseResponse(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8))
        #expect(outcome.interim.isEmpty && outcome.head?.status == 101)
        #expect(outcome.head?.bodyFraming(requestMethod: .get) == HTTP1ResponseBodyFraming.none)
    }

    @Test func framingFollowsRFC9112Section6_3() throws {
        func head(_ fields: String, status: Int = 200) throws -> HTTP1ResponseHead {
            try #require(parseResponse(Array("HTTP/1.1 \(status) X\r\n\(fields)\r\n".utf8)).head)
        }
        #expect(try head("Transfer-Encoding: chunked\r\n").bodyFraming(requestMethod: .get) == .chunked)
        #expect(try head("Transfer-Encoding: gzip, chunked\r\n").bodyFraming(requestMethod: .get) == .chunked)
        #expect(try head("Transfer-Encoding: chunked, gzip\r\n").bodyFraming(requestMethod: .get) == .untilClose)
        #expect(try head("").bodyFraming(requestMethod: .get) == .untilClose)
        #expect(try !head("").keepsConnection(framing: .untilClose))
        #expect(try head("Content-Length: 7\r\n").bodyFraming(requestMethod: .head) == HTTP1ResponseBodyFraming.none)
        for status in [204, 304] {
            #expect(try head("Content-Length: 7\r\n", status: status).bodyFraming(requestMethod: .get) == HTTP1ResponseBodyFraming.none)
        }
        // Transfer-Encoding wins over Content-Length, and such a connection is not reused.
        let both = try head("Content-Length: 7\r\nTransfer-Encoding: chunked\r\n")
        #expect(both.bodyFraming(requestMethod: .get) == .chunked && !both.keepsConnection(framing: .chunked))
        // The same length repeated is one length.
        #expect(try head("Content-Length: 7\r\nContent-Length: 7\r\n").contentLength == 7)
    }

    @Test func malformedStatusLines() {
        let cases: [(String, HTTP1ResponseParseError.Reason)] = [
            ("HTTP/1.1 20 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 2000 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 099 Low\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1  200 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 2x0 OK\r\n\r\n", .invalidStatusLine),
            ("http/1.1 200 OK\r\n\r\n", .invalidStatusLine),
            ("ICY 200 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/2 200\r\n\r\n", .unsupportedVersion),
            ("HTTP/1.2 200 OK\r\n\r\n", .unsupportedVersion),
            ("HTTP/1.1 200 O\u{0}K\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 O\rK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 OK\u{7F}\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 OK\n\r\n", .bareLineFeed),
        ]
        for (input, reason) in cases {
            #expect(parseResponse(Array(input.utf8)).error == reason, "\(input.debugDescription)")
        }
    }

    @Test func malformedFields() {
        let cases: [(String, HTTP1ResponseParseError.Reason)] = [
            ("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", .invalidField),
            ("HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", .invalidField),
            ("HTTP/1.1 200 OK\r\nA: x\ry\r\n\r\n", .invalidField),
            ("HTTP/1.1 200 OK\r\nA: x\u{0}y\r\n\r\n", .invalidField),
            ("HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", .invalidField),
            ("HTTP/1.1 200 OK\r\nA(b): 1\r\n\r\n", .invalidFieldName),
            ("HTTP/1.1 200 OK\r\nA: 1\n\r\n", .bareLineFeed),
            ("HTTP/1.1 200 OK\r\nA: 1\r\n\n", .bareLineFeed),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
        ]
        for (input, reason) in cases {
            #expect(parseResponse(Array(input.utf8)).error == reason, "\(input.debugDescription)")
        }
    }

    @Test func theHeadLimitCountsEveryByte() {
        var limits = HTTP1ResponseLimits()
        limits.maxHeadSize = 64
        let fitting = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 64 - 24) + "\r\n\r\n"
        #expect(fitting.utf8.count == 64)
        #expect(parseResponse(Array(fitting.utf8), limits: limits).head?.length == 64)
        let over = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 64 - 23) + "\r\n\r\n"
        #expect(parseResponse(Array(over.utf8), limits: limits).error == .headTooLarge)
        // Detected before the end arrives: a partial head already too long.
        let endless = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 200)
        #expect(parseResponse(Array(endless.utf8), limits: limits).error == .headTooLarge)
    }

    @Test func theDefaultLimitIsANCMs64KiB() {
        #expect(HTTP1ResponseLimits().maxHeadSize == 65536)
        let big = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: " + String(repeating: "f", count: 1000) + "\r\n", count: 70) + "\r\n"
        var parser = HTTP1ResponseHeadParser()
        var head = HTTP1ResponseHead()
        let result = Array(big.utf8).withUnsafeBytes { bytes in
            Result { () throws(HTTP1ResponseParseError) in try parser.parse(bytes, into: &head) }
        }
        #expect(throws: HTTP1ResponseParseError(.headTooLarge)) { try result.get() }
    }

    @Test func aReusedHeadForgetsTheLastResponse() throws {
        var parser = HTTP1ResponseHeadParser()
        var head = HTTP1ResponseHead()
        let first = Array("HTTP/1.0 500 Oops\r\nConnection: close, keep-alive\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let second = Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)
        #expect(try first.withUnsafeBytes { bytes throws(HTTP1ResponseParseError) in try parser.parse(bytes, into: &head) } == .complete)
        parser.reset()
        #expect(try second.withUnsafeBytes { bytes throws(HTTP1ResponseParseError) in try parser.parse(bytes, into: &head) } == .complete)
        #expect(head.status == 204 && head.version == .http1_1 && head.fields.isEmpty && head.contentLength == nil)
        #expect(!head.hasTransferEncoding && !head.isChunked && !head.connectionClose && !head.connectionKeepAlive)
        #expect(head.length == second.count)
    }

    @Test func errorsNameTheirBytes() {
        var parser = HTTP1ResponseHeadParser()
        var head = HTTP1ResponseHead()
        let result = Array("HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n".utf8).withUnsafeBytes { bytes in
            Result { () throws(HTTP1ResponseParseError) in try parser.parse(bytes, into: &head) }
        }
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.detail == "Bad Name: 1")
        #expect(error.description == "Invalid response header: 'Bad Name: 1'")
    }
}
