import HostctlCore
import HostctlHTTP1
import Testing

/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
@Suite struct HTTP1RequestLineParserTests {
    @Test(arguments: [
        ("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
        ("OPTIONS", .options), ("TRACE", .trace), ("PATCH", .patch), ("PURGE", .other("PURGE")),
        ("get", .other("get")), ("M-SEARCH", .other("M-SEARCH")), ("X!#$%&'*+.^_`|~1", .other("X!#$%&'*+.^_`|~1")),
    ])
    func methodsAreTokens(_ name: String, _ method: HTTPMethod) {
        #expect(expectHead("\(name) /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")?.head.method == method)
    }

    @Test(arguments: ["GE@T", "GE(T", "GÉT", "G\u{0}T", "\"GET\"", "GET\t"])
    func methodsWithNonTokenBytesAreRejected(_ method: String) {
        expectFailure("\(method) / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine)
    }

    @Test(arguments: [
        " / HTTP/1.1",          // empty method
        "GET  / HTTP/1.1",      // two SP before the target
        "GET /  HTTP/1.1",      // two SP before the version
        "GET / HTTP/1.1 ",      // SP after the version
        "GET\t/ HTTP/1.1",      // HTAB is not SP
        "GET /",                // HTTP/0.9 style, no version
        "GET / ",               // empty version
        "GET",
        "GET HTTP/1.1",
        "GET /a b HTTP/1.1",    // a space inside the target
    ])
    func exactlyOneSpaceBetweenThreeParts(_ line: String) {
        expectFailure("\(line)\r\nHost: x\r\n\r\n", .invalidRequestLine)
    }

    @Test func versions() {
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.head.version == .http1_1)
        #expect(expectHead("GET / HTTP/1.0\r\n\r\n")?.head.version == .http1_0)
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/1.10", "HTTP/1", "HTTP/", "HTTP/3", "HTTP/1.1x", "HTTP/11"])
    func otherHTTPVersionsAreUnrecognized(_ version: String) {
        expectFailure("GET / \(version)\r\nHost: x\r\n\r\n", .unrecognizedHTTPVersion)
    }

    @Test(arguments: ["http/1.1", "HTTPS/1.1", "Http/1.1", "HTTP", "FOO", "1.1", "HTTP/1.1\u{0}", "HTTP/1.\u{1}"])
    func versionsNotStartingWithHTTPSlashAreInvalid(_ version: String) {
        expectFailure("GET / \(version)\r\nHost: x\r\n\r\n", .invalidRequestLine)
    }

    @Test(arguments: [[0x00], [0x01], [0x09], [0x1F], [0x7F], [0x80], [0xC3, 0xA9], [0xFF]] as [[UInt8]])
    func targetBytesOutsideVCHARAreRejected(_ bytes: [UInt8]) {
        // Stricter than Kestrel, which lets control bytes other than NUL through.
        expectFailure(Array("GET /a") + bytes + Array("b HTTP/1.1\r\nHost: x\r\n\r\n"), .invalidRequestTarget)
    }

    @Test func everyVisibleASCIIByteIsAllowedInATarget() throws {
        let visible = (0x21...0x7E).map { UInt8($0) }.filter { $0 != UInt8(ascii: "?") }
        let input = Array("GET /") + visible + Array(" HTTP/1.1\r\nHost: x\r\n\r\n")
        let parsed = try #require(expectHead(input))
        #expect(Array(parsed.path.utf8) == [UInt8(ascii: "/")] + visible)
    }
}
