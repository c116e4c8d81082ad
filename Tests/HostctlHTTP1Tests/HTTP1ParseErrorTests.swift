import HostctlHTTP1
import Testing

/// Error messages, details and statuses.
@Suite struct HTTP1ParseErrorTests {
    @Test func descriptionIncludesTheDetail() {
        #expect(HTTP1ParseError(.invalidRequestLine, detail: "GET /\\x0D").description == "Invalid request line: 'GET /\\x0D'")
        #expect(HTTP1ParseError(.missingHostHeader).description == "Request is missing Host header")
    }

    @Test(arguments: [
        (HTTP1ParseError.Reason.requestLineTooLong, 414), (.unrecognizedHTTPVersion, 505), (.headersExceedMaxTotalSize, 431),
        (.tooManyHeaders, 431), (.optionsMethodRequired, 405), (.connectMethodRequired, 405), (.lengthRequiredHTTP10, 411),
        (.invalidRequestLine, 400), (.invalidHostHeader, 400), (.badChunkSizeData, 400), (.tlsHandshakeOnPlainPort, 400),
    ])
    func statuses(_ reason: HTTP1ParseError.Reason, _ status: Int) {
        #expect(HTTP1ParseError(reason).status == status)
    }

    @Test func detailsEscapeAndTruncate() throws {
        let line = try #require(parseError("GET / HTTP/1.1\r\nX-A\\b\u{1B}: v\r\n\r\n"))
        #expect(line.detail == "X-A\\x5Cb\\x1B: v")
        let long = try #require(parseError("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100) + "\u{1}\r\n\r\n"))
        let detail = try #require(long.detail)
        #expect(detail.count == 64 && detail.hasSuffix("...") && detail.hasPrefix("X: aaa"))
        let exact = try #require(parseError("GET / HTTP/1.1\r\n" + String(repeating: "b", count: 64) + "\r\n\r\n"))
        #expect(exact.detail == String(repeating: "b", count: 64), "64 characters fit without an ellipsis")
    }

    @Test func everyReasonHasAMessage() {
        let reasons: [HTTP1ParseError.Reason] = [
            .tlsHandshakeOnPlainPort, .invalidRequestLine, .invalidRequestTarget, .unrecognizedHTTPVersion, .requestLineTooLong,
            .invalidRequestHeader, .invalidCharactersInHeaderName, .headersExceedMaxTotalSize, .tooManyHeaders,
            .invalidContentLength, .multipleContentLengths, .finalTransferCodingNotChunked, .missingHostHeader,
            .multipleHostHeaders, .invalidHostHeader, .optionsMethodRequired, .connectMethodRequired, .lengthRequiredHTTP10,
            .badChunkSizeData, .badChunkExtension, .badChunkSuffix, .invalidTrailer, .trailersTooLarge,
        ]
        #expect(Set(reasons.map { HTTP1ParseError($0).message }).count == reasons.count)
    }
}
