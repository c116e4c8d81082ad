import HostctlCore
import HostctlHTTP1
import Testing

/// The fields that shape message handling: Host, Content-Length, Transfer-Encoding,
/// Connection, Expect (RFC 9112 §3.2, §6, §9.6; RFC 9110 §10.1.1).
@Suite struct HTTP1FieldSummaryTests {
    // MARK: Host

    @Test func hostIsRequiredInHTTP11() {
        expectFailure("GET / HTTP/1.1\r\n\r\n", .missingHostHeader)
        expectFailure("GET http://x/ HTTP/1.1\r\n\r\n", .missingHostHeader)
        #expect(expectHead("GET / HTTP/1.0\r\n\r\n")?.host == nil)
    }

    @Test func hostNamesMatchWithoutRegardToCase() {
        for name in ["host", "HOST", "hOsT"] {
            #expect(expectHead("GET / HTTP/1.1\r\n\(name): a.example\r\n\r\n")?.host == "a.example")
        }
    }

    @Test func onlyOneHost() {
        expectFailure("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .multipleHostHeaders)
        expectFailure("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", .multipleHostHeaders)
    }

    @Test(arguments: ["example.com", "example.com:8080", "[::1]:8080", "[v1.fe80::a+en1]", "127.0.0.1", "a-b_c~d!$&'()*+,;=%20", ""])
    func hostValuesMayHoldAuthorityCharacters(_ value: String) {
        #expect(expectHead("GET / HTTP/1.1\r\nHost: \(value)\r\n\r\n")?.host == value)
    }

    @Test(arguments: ["a b", "a/b", "a@b", "a?b", "a#b", "a\"b", "a<b>", "a\\b", "a{b}", "a^b", "a|b", "é"])
    func hostValuesWithOtherBytesAreRejected(_ value: String) {
        expectFailure("GET / HTTP/1.1\r\nHost: \(value)\r\n\r\n", .invalidHostHeader)
    }

    @Test(arguments: [
        ("http://example.com/", "example.com"), ("http://EXAMPLE.com/", "example.COM"),
        ("http://example.com:80/", "example.com"), ("http://example.com/", "example.com:80"),
        ("https://example.com:443/", "example.com"), ("https://example.com/", "example.com:443"),
        ("http://example.com:8080/", "example.com:8080"), ("ftp://example.com/", "example.com"),
        ("http://[::1]/", "[::1]:80"),
    ])
    func absoluteFormAuthorityMustMatchHost(_ target: String, _ host: String) {
        #expect(expectHead("GET \(target) HTTP/1.1\r\nHost: \(host)\r\n\r\n") != nil)
    }

    @Test(arguments: [
        ("http://example.com/", "other.com"), ("http://example.com:8080/", "example.com"),
        ("http://example.com/", "example.com:8080"), ("https://example.com:80/", "example.com"),
        ("http://example.com:443/", "example.com"), ("ftp://example.com:80/", "example.com"),
        ("http://example.com/", ""), ("http://example.com/", "example.co"),
    ])
    func absoluteFormAuthorityDifferentFromHostIsRejected(_ target: String, _ host: String) {
        expectFailure("GET \(target) HTTP/1.1\r\nHost: \(host)\r\n\r\n", .invalidHostHeader)
    }

    // MARK: Content-Length

    @Test(arguments: [("0", 0), ("5", 5), ("007", 7), (" 12 ", 12), ("9223372036854775807", Int.max)])
    func contentLength(_ value: String, _ length: Int) {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\(value)\r\n\r\n")?.head.framing == .contentLength(length))
    }

    @Test(arguments: ["", "+5", "-5", "5 5", "5,5", "5, 5", "0x5", "5a", "abc", "1e3", "5.0", "9223372036854775808", "99999999999999999999999"])
    func invalidContentLengths(_ value: String) {
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(value)\r\n\r\n", .invalidContentLength)
    }

    @Test func onlyOneContentLength() {
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", .multipleContentLengths)
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\nCONTENT-LENGTH: 6\r\n\r\n", .multipleContentLengths)
    }

    // MARK: Transfer-Encoding

    @Test(arguments: ["chunked", "CHUNKED", "Chunked", "gzip, chunked", "gzip,chunked", "gzip , chunked ,", "deflate,, chunked"])
    func chunkedLast(_ value: String) {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(value)\r\n\r\n")?.head.framing == .chunked)
    }

    @Test(arguments: ["chunked, gzip", "gzip", "identity", "", "chunked;q=1", "chunkedx", "\"chunked\""])
    func finalCodingNotChunkedIsRejected(_ value: String) {
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(value)\r\n\r\n", .finalTransferCodingNotChunked)
    }

    @Test func codingsAddUpAcrossFields() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n")?.head.framing == .chunked)
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", .finalTransferCodingNotChunked)
    }

    @Test func transferEncodingWinsOverContentLength() throws {
        for order in ["Content-Length: 5\r\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nContent-Length: 5"] {
            let parsed = try #require(expectHead("POST / HTTP/1.1\r\nHost: x\r\n\(order)\r\n\r\n"))
            #expect(parsed.head.framing == .chunked)
            #expect(parsed.head.hadContentLengthAndTransferEncoding)
            #expect(!parsed.head.wantsKeepAlive, "the connection closes after the response")
        }
        // An invalid Content-Length is still invalid beside Transfer-Encoding.
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n", .invalidContentLength)
    }

    @Test func noFramingFieldsMeanNoBody() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\n\r\n")?.head.framing == HTTP1BodyFraming.none)
    }

    @Test func http10PostAndPutNeedALength() {
        expectFailure("POST / HTTP/1.0\r\n\r\n", .lengthRequiredHTTP10)
        expectFailure("PUT / HTTP/1.0\r\nHost: x\r\n\r\n", .lengthRequiredHTTP10)
        #expect(expectHead("POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n")?.head.framing == .contentLength(0))
        #expect(expectHead("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")?.head.framing == .chunked)
        #expect(expectHead("GET / HTTP/1.0\r\n\r\n")?.head.framing == HTTP1BodyFraming.none)
        #expect(expectHead("DELETE / HTTP/1.0\r\n\r\n")?.head.framing == HTTP1BodyFraming.none)
    }

    // MARK: Connection and keep-alive

    @Test func http11KeepsAliveUnlessClose() throws {
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.head.wantsKeepAlive == true)
        let closing = try #require(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        #expect(closing.head.connectionClose && !closing.head.wantsKeepAlive)
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, CLOSE\r\n\r\n")?.head.wantsKeepAlive == false)
    }

    @Test func http10KeepsAliveOnlyWhenAsked() throws {
        #expect(expectHead("GET / HTTP/1.0\r\n\r\n")?.head.wantsKeepAlive == false)
        let asking = try #require(expectHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
        #expect(asking.head.connectionKeepAlive && asking.head.wantsKeepAlive)
        #expect(expectHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")?.head.wantsKeepAlive == false)
        // Transfer-Encoding in an HTTP/1.0 request: framing is suspect, close afterwards (RFC 9112 §6.1).
        #expect(expectHead("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n")?.head.wantsKeepAlive == false)
    }

    @Test func connectionIsATokenList() throws {
        let parsed = try #require(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive ,Upgrade\r\nconnection: , HTTP2-Settings\r\n\r\n"))
        #expect(parsed.head.connectionKeepAlive && parsed.head.connectionUpgrade && !parsed.head.connectionClose)
        let near = try #require(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: closed, keep-alive2, upgrades, \"close\"\r\n\r\n"))
        #expect(!near.head.connectionClose && !near.head.connectionKeepAlive && !near.head.connectionUpgrade)
        let otherField = try #require(expectHead("GET / HTTP/1.1\r\nHost: x\r\nX-Connection: close\r\n\r\n"))
        #expect(!otherField.head.connectionClose)
    }

    // MARK: Expect

    @Test func expectContinue() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n")?.head.expectsContinue == true)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nexpect:  100-Continue \r\n\r\n")?.head.expectsContinue == true)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\n")?.head.expectsContinue == false)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n")?.head.expectsContinue == false)
        // RFC 9110 §10.1.1: an HTTP/1.0 request's 100-continue is ignored.
        #expect(expectHead("POST / HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n")?.head.expectsContinue == false)
    }
}
