import HostctlCore
import HostctlHTTP1
import Testing

/// Content-Length and chunked bodies (RFC 9112 §6.3, §7.1), fed in every split.
@Suite struct HTTP1BodyDecoderTests {
    // MARK: Content-Length

    @Test func contentLengthBody() {
        let outcome = decodeBody("hello world", framing: .contentLength(11))
        #expect(outcome.text == "hello world")
        #expect(outcome.isComplete && outcome.consumed == 11 && outcome.error == nil)
    }

    @Test func contentLengthLeavesTheNextRequestAlone() {
        let outcome = decodeBody("helloGET / HTTP/1.1\r\n", framing: .contentLength(5))
        #expect(outcome.text == "hello" && outcome.consumed == 5 && outcome.isComplete)
    }

    @Test func contentLengthWaitsForTheRest() {
        let outcome = decodeBody("hel", framing: .contentLength(5))
        #expect(outcome.text == "hel" && !outcome.isComplete && outcome.consumed == 3)
    }

    @Test func remainingContentLengthCountsDown() throws {
        var decoder = HTTP1BodyDecoder(framing: .contentLength(10))
        #expect(decoder.remainingContentLength == 10 && !decoder.isComplete)
        let step = try decodeStep(&decoder, Array("abcd"))
        #expect(step == HTTP1BodyDecoder.Step(consumed: 4, data: 0..<4, isComplete: false))
        #expect(decoder.remainingContentLength == 6)
        let needMore = try decodeStep(&decoder, [])
        #expect(needMore == HTTP1BodyDecoder.Step(consumed: 0, data: nil, isComplete: false))
        let last = try decodeStep(&decoder, Array("efghijXYZ"))
        #expect(last == HTTP1BodyDecoder.Step(consumed: 6, data: 0..<6, isComplete: true))
        #expect(decoder.remainingContentLength == 0 && decoder.isComplete)
        #expect(HTTP1BodyDecoder(framing: .chunked).remainingContentLength == nil)
    }

    @Test func emptyBodiesAreCompleteAtOnce() throws {
        for framing in [HTTP1BodyFraming.none, .contentLength(0)] {
            var decoder = HTTP1BodyDecoder(framing: framing)
            #expect(decoder.isComplete)
            let step = try decodeStep(&decoder, Array("GET"))
            #expect(step == HTTP1BodyDecoder.Step(consumed: 0, data: nil, isComplete: true))
        }
    }

    // MARK: Chunked

    @Test func chunkedBody() {
        let body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        let outcome = decodeBody(body)
        #expect(outcome.text == "hello world")
        #expect(outcome.isComplete && outcome.error == nil && outcome.trailers.isEmpty)
        #expect(outcome.consumed == body.utf8.count)
    }

    @Test func chunkedBodyLeavesTheNextRequestAlone() {
        let body = "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"
        let outcome = decodeBody(body + "GET / HTTP/1.1\r\n")
        #expect(outcome.text == "abcdefghijklmnopqrstuvwxyz")
        #expect(outcome.consumed == body.utf8.count)
    }

    @Test func chunkSizesAreHexInAnyCase() {
        let data = String(repeating: "x", count: 0xAB)
        #expect(decodeBody("aB\r\n\(data)\r\n00000000\r\n\r\n").text == data)
        #expect(decodeBody("0000000A\r\n0123456789\r\n0\r\n\r\n").text == "0123456789")
    }

    @Test func largestChunkSizeIsAccepted() {
        let outcome = decodeBody("7FFFFFFF\r\nabc")
        #expect(outcome.error == nil && outcome.text == "abc" && !outcome.isComplete)
    }

    @Test(arguments: ["80000000\r\n", "FFFFFFFF\r\n", "000000001\r\n", "100000000\r\n", "\r\n", ";ext\r\n", "g\r\n", "-1\r\n", "+1\r\n", "0x5\r\n", "5g\r\n", " 5\r\n", "5 \r\n", "5\r5\r\n"])
    func badChunkSizes(_ line: String) {
        #expect(decodeBody(line + "hello\r\n0\r\n\r\n").error == .badChunkSizeData)
    }

    @Test func chunkLinesNeedCRLFEvenWhenBareLineFeedsAreAllowed() {
        #expect(decodeBody("5\nhello\r\n0\r\n\r\n").error == .badChunkSizeData)
        #expect(decodeBody("5\nhello\r\n0\r\n\r\n", limits: limits { $0.allowsBareLineFeed = true }).error == .badChunkSizeData)
        #expect(decodeBody("5\r\nhello\r\n0\n\r\n").error == .badChunkSizeData)
    }

    @Test(arguments: ["5;a\r\n", "5;a=b\r\n", "5;a=\"b c;d\"\r\n", "5 ;a\r\n", "5\t; a = b ; c\r\n", "5;a=b;c=d\r\n", "5;\r\n", "5;a=\u{80}\r\n"])
    func chunkExtensionsAreSkipped(_ line: String) {
        let outcome = decodeBody(line + "hello\r\n0;last=yes\r\n\r\n")
        #expect(outcome.error == nil && outcome.text == "hello" && outcome.isComplete)
    }

    @Test(arguments: ["5;a\rb\r\n", "5;a\nb\r\n", "5;a\n", "5;a\r\r\n", "5;a=\u{0}\r\n", "5;a=\u{1}\r\n", "5;a=\u{7F}\r\n", "5;a\rhello\r\n"])
    func loneCRorLFOrControlsInChunkExtensionsAreRejected(_ line: String) {
        #expect(decodeBody(line + "hello\r\n0\r\n\r\n").error == .badChunkExtension)
    }

    @Test func chunkExtensionsAreBounded() {
        let longest = "5;" + String(repeating: "a", count: 4096) + "\r\nhello\r\n0\r\n\r\n"
        #expect(decodeBody(longest).text == "hello")
        let tooLong = "5;" + String(repeating: "a", count: 4097) + "\r\nhello\r\n0\r\n\r\n"
        #expect(decodeBody(tooLong).error == .badChunkExtension)
        #expect(decodeBody("5;" + String(repeating: "a", count: 5000)).error == .badChunkExtension, "detected before the line ends")
    }

    @Test(arguments: ["5\r\nhelloX\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\r\nhello\rX0\r\n\r\n", "5\r\nhello 0\r\n\r\n", "5\r\nhello0\r\n\r\n", "3\r\nhello\r\n0\r\n\r\n"])
    func chunkDataMustEndWithCRLF(_ body: String) {
        #expect(decodeBody(body).error == .badChunkSuffix)
    }

    @Test func errorsAreSticky() throws {
        var decoder = HTTP1BodyDecoder(framing: .chunked)
        #expect { try decodeStep(&decoder, Array("zz\r\n")) } throws: { ($0 as? HTTP1ParseError)?.reason == .badChunkSizeData }
        #expect { try decodeStep(&decoder, Array("5\r\nhello\r\n")) } throws: { ($0 as? HTTP1ParseError)?.reason == .badChunkSizeData }
    }

    // MARK: Trailers

    @Test func trailersAreCopiedOut() {
        let input = "3\r\nabc\r\n0\r\nExpires: never\r\nx-checksum:  abc123 \t\r\nEmpty:\r\n\r\nNEXT"
        let outcome = decodeBody(input)
        #expect(outcome.text == "abc")
        #expect(outcome.trailers == ["Expires: never", "x-checksum: abc123", "Empty: "])
        #expect(outcome.isComplete && outcome.consumed == input.utf8.count - "NEXT".utf8.count)
    }

    @Test(arguments: [" folded: x", "No-Colon", "Space : x", ": x", "Bad@Name: x", "X: a\u{0}b", "X: a\rb", "X: \u{FF}"])
    func invalidTrailerLines(_ line: String) {
        let bytes = Array("0\r\n") + (line == "X: \u{FF}" ? Array("X: ") + [0xFF] : Array(line)) + Array("\r\n\r\n")
        #expect(decodeBody(bytes).error == .invalidTrailer)
    }

    @Test func trailerLinesNeedCRLF() {
        #expect(decodeBody("0\r\nA: b\n\r\n").error == .invalidTrailer)
        #expect(decodeBody("0\r\nA: b\r\n\n").error == .invalidTrailer)
        #expect(decodeBody("0\r\n\n", limits: limits { $0.allowsBareLineFeed = true }).error == .invalidTrailer)
    }

    @Test func trailerCountIsLimited() {
        let limits = limits { $0.maxRequestHeaderCount = 2 }
        #expect(decodeBody("0\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).trailers == ["A: 1", "B: 2"])
        #expect(decodeBody("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).error == .trailersTooLarge)
        #expect(decodeBody("0\r\nA: 1\r\nB: 2\r\nC", limits: limits).error == .trailersTooLarge, "detected before the line ends")
        #expect(decodeBody("0\r\nA: 1\r\nB: 2\r\n\r", limits: limits).error == nil)
    }

    @Test func trailerSizeIsLimited() {
        let limits = limits { $0.maxRequestHeadersTotalSize = 16 }  // "A: 1\r\n" is 6 bytes, "B: 123456\r\n" 11
        #expect(decodeBody("0\r\nA: 1\r\nB: 12345\r\n\r\n", limits: limits).trailers == ["A: 1", "B: 12345"])
        #expect(decodeBody("0\r\nA: 1\r\nB: 123456\r\n\r\n", limits: limits).error == .trailersTooLarge)
        #expect(decodeBody("0\r\nA: 1\r\nB: 12345678", limits: limits).error == .trailersTooLarge, "detected before the line ends")
    }

    @Test func writerOutputDecodes() throws {
        let buffer = ByteBuffer()
        let payload = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        payload.withUnsafeBytes { bytes in
            HTTP1ResponseWriter.writeChunk(into: buffer, UnsafeRawBufferPointer(rebasing: bytes[..<1000]))
            HTTP1ResponseWriter.writeChunk(into: buffer, UnsafeRawBufferPointer(rebasing: bytes[1000...]))
        }
        try HTTP1ResponseWriter.writeLastChunk(into: buffer, trailers: HTTPFields([("Digest", "sha-256=abc")]))
        let outcome = decodeBody(buffer.readableArray)
        #expect(outcome.data == payload)
        #expect(outcome.trailers == ["Digest: sha-256=abc"])
        #expect(outcome.consumed == buffer.readableCount)
    }
}
