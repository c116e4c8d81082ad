import HostctlCore
import HostctlHTTP1
import Testing

/// Response heads and chunked framing, byte for byte (RFC 9112 §4, §7.1).
@Suite struct HTTP1ResponseWriterTests {
    private func head(
        status: Int = 200, reason: String? = nil, fields: [(String, String)] = [], framing: HTTP1ResponseFraming = .contentLength(0),
        close: Bool = false, keepAlive: Bool = false, date: String? = nil, server: StaticString? = nil
    ) throws(HTTP1SerializationError) -> String {
        let buffer = ByteBuffer()
        let dateBytes = date.map { Array($0.utf8) }
        if let dateBytes {
            let result = dateBytes.withUnsafeBytes { bytes in
                Result { () throws(HTTP1SerializationError) in
                    try HTTP1ResponseWriter.writeHead(
                        into: buffer, status: status, reason: reason, fields: HTTPFields(fields), framing: framing,
                        closeConnection: close, keepAliveHeader: keepAlive, date: bytes, server: server)
                }
            }
            try result.get()
        } else {
            try HTTP1ResponseWriter.writeHead(
                into: buffer, status: status, reason: reason, fields: HTTPFields(fields), framing: framing,
                closeConnection: close, keepAliveHeader: keepAlive, date: nil, server: server)
        }
        return String(decoding: buffer.readableArray, as: UTF8.self)
    }

    @Test func fullHead() throws {
        let text = try head(
            fields: [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], framing: .contentLength(13),
            date: "Sun, 06 Nov 1994 08:49:37 GMT", server: "hostctl")
        #expect(text == """
            HTTP/1.1 200 OK\r
            Content-Type: text/plain\r
            Set-Cookie: a=1\r
            Set-Cookie: b=2\r
            Content-Length: 13\r
            Date: Sun, 06 Nov 1994 08:49:37 GMT\r
            Server: hostctl\r
            \r

            """)
    }

    @Test func framingHeaders() throws {
        #expect(try head(framing: .contentLength(0)) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(try head(framing: .chunked) == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(try head(status: 204, framing: .noBody) == "HTTP/1.1 204 No Content\r\n\r\n")
        #expect(try head(framing: .closeDelimited, close: true) == "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
    }

    @Test func connectionHeaders() throws {
        #expect(try head(close: true) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(try head(keepAlive: true) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try head(close: true, keepAlive: true) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func statusLines() throws {
        #expect(try head(status: 404, framing: .noBody) == "HTTP/1.1 404 Not Found\r\n\r\n")
        #expect(try head(status: 418, framing: .noBody) == "HTTP/1.1 418 I'm a teapot\r\n\r\n")
        #expect(try head(status: 299, framing: .noBody) == "HTTP/1.1 299 Unknown\r\n\r\n")
        #expect(try head(status: 200, reason: "Fine", framing: .noBody) == "HTTP/1.1 200 Fine\r\n\r\n")
        #expect(try head(status: 999, reason: "", framing: .noBody) == "HTTP/1.1 999 \r\n\r\n")
        #expect(try head(status: 100, framing: .noBody) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func precomputedStatusLinesMatchTheGenericOnes() throws {
        for status in 100...599 {
            let reason = HTTPStatus.reasonPhrase(status)
            #expect(try head(status: status, framing: .noBody) == head(status: status, reason: reason, framing: .noBody), "\(status)")
        }
    }

    @Test(arguments: [99, 0, -200, 1000, 10_000])
    func statusesOutsideThreeDigitsAreRejected(_ status: Int) {
        #expect(throws: HTTP1SerializationError(.invalidStatus(status))) { try head(status: status) }
    }

    @Test(arguments: ["OK\r\nX: y", "OK\n", "O\u{0}K"])
    func reasonPhrasesCannotSplitTheResponse(_ reason: String) {
        #expect(throws: HTTP1SerializationError(.invalidStatus(200))) { try head(reason: reason) }
    }

    @Test(arguments: ["", "Bad Name", "X:Y", "Café", "X\r\nY", "(x)", "a\tb"])
    func fieldNamesMustBeTokens(_ name: String) {
        #expect(throws: HTTP1SerializationError(.invalidFieldName(name))) { try head(fields: [("Good", "1"), (name, "v")]) }
    }

    @Test(arguments: ["a\r\nSet-Cookie: evil", "a\rb", "a\nb", "a\u{0}b"])
    func fieldValuesCannotHoldLineBreaksOrNUL(_ value: String) {
        #expect(throws: HTTP1SerializationError(.invalidFieldValue(name: "X"))) { try head(fields: [("X", value)]) }
    }

    @Test func otherValueBytesAreWrittenAsGiven() throws {
        #expect(try head(fields: [("X", "tab\there é ✓"), ("Y", "")], framing: .noBody) == "HTTP/1.1 200 OK\r\nX: tab\there é ✓\r\nY: \r\n\r\n")
    }

    @Test func largeHeadsAndNumbersFit() throws {
        let long = String(repeating: "v", count: 10_000)
        let fields = (0..<50).map { ("X-\($0)", long) }
        let text = try head(
            status: 599, reason: String(repeating: "r", count: 300), fields: fields, framing: .contentLength(Int.max),
            keepAlive: true, date: "Sun, 06 Nov 1994 08:49:37 GMT", server: "hostctl")
        let expected = "HTTP/1.1 599 " + String(repeating: "r", count: 300) + "\r\n"
            + fields.map { "\($0.0): \($0.1)\r\n" }.joined()
            + "Content-Length: 9223372036854775807\r\nConnection: keep-alive\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: hostctl\r\n\r\n"
        #expect(text == expected)
    }

    @Test func headsAppendAfterWhatIsThere() throws {
        let buffer = ByteBuffer()
        for status in [200, 404, 299] {
            try HTTP1ResponseWriter.writeHead(
                into: buffer, status: status, reason: nil, fields: HTTPFields(), framing: .noBody,
                closeConnection: false, keepAliveHeader: false, date: nil, server: nil)
        }
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\nHTTP/1.1 299 Unknown\r\n\r\n")
    }

    @Test func failuresWriteNothing() {
        let buffer = ByteBuffer()
        buffer.append("earlier response bytes")
        #expect(throws: HTTP1SerializationError.self) {
            try HTTP1ResponseWriter.writeHead(
                into: buffer, status: 200, reason: nil, fields: HTTPFields([("A", "1"), ("B", "x\ny")]), framing: .chunked,
                closeConnection: false, keepAliveHeader: false, date: nil, server: "s")
        }
        #expect(throws: HTTP1SerializationError.self) {
            try HTTP1ResponseWriter.writeHead(
                into: buffer, status: 200, reason: "a\r\n", fields: HTTPFields(), framing: .chunked,
                closeConnection: false, keepAliveHeader: false, date: nil, server: nil)
        }
        #expect(throws: HTTP1SerializationError(.invalidFieldName("Bad Name"))) {
            try HTTP1ResponseWriter.writeLastChunk(into: buffer, trailers: HTTPFields([("Ok", "1"), ("Bad Name", "2")]))
        }
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == "earlier response bytes")
    }

    @Test func chunks() {
        let buffer = ByteBuffer()
        Array("hello").withUnsafeBytes { HTTP1ResponseWriter.writeChunk(into: buffer, $0) }
        [UInt8]().withUnsafeBytes { HTTP1ResponseWriter.writeChunk(into: buffer, $0) }
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == "5\r\nhello\r\n", "an empty chunk writes nothing")
        buffer.clear()
        let big = [UInt8](repeating: 0x61, count: 255)
        big.withUnsafeBytes { HTTP1ResponseWriter.writeChunk(into: buffer, $0) }
        #expect(buffer.readableArray == Array("ff\r\n") + big + Array("\r\n"))
    }

    @Test func lastChunk() throws {
        let buffer = ByteBuffer()
        try HTTP1ResponseWriter.writeLastChunk(into: buffer, trailers: HTTPFields())
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == "0\r\n\r\n")
        buffer.clear()
        try HTTP1ResponseWriter.writeLastChunk(into: buffer, trailers: HTTPFields([("Expires", "never"), ("X-Sum", "1")]))
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == "0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n")
        #expect(throws: HTTP1SerializationError(.invalidFieldValue(name: "X"))) {
            try HTTP1ResponseWriter.writeLastChunk(into: buffer, trailers: HTTPFields([("X", "a\r\n")]))
        }
    }

    @Test func continueResponse() {
        let buffer = ByteBuffer()
        HTTP1ResponseWriter.writeContinue(into: buffer)
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func errorDescriptions() {
        #expect(HTTP1SerializationError(.invalidFieldName("a b")).description.contains("'a b'"))
        #expect(HTTP1SerializationError(.invalidFieldValue(name: "X")).description.contains("'X'"))
        #expect(HTTP1SerializationError(.invalidStatus(42)).description.contains("42"))
    }
}
