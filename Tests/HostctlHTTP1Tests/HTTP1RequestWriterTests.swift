import HostctlCore
import HostctlHTTP1
import Testing

/// Request heads as the front writes them for the app.
@Suite struct HTTP1RequestWriterTests {
    private func written(_ body: (ByteBuffer) throws -> Void) rethrows -> String {
        let buffer = ByteBuffer()
        try body(buffer)
        return String(decoding: buffer.readableArray, as: UTF8.self)
    }

    private func bytes(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try Array(text.utf8).withUnsafeBytes { try body($0) }
    }

    @Test func aWholeHead() throws {
        let text = try written { buffer in
            try bytes("/a%20b?x=1") { try HTTP1RequestWriter.writeRequestLine(into: buffer, method: .post, target: $0) }
            try bytes("Host") { name in try bytes("example.com") { try HTTP1RequestWriter.writeField(into: buffer, name: name, value: $0) } }
            try bytes("1.2.3.4:5") { try HTTP1RequestWriter.writeField(into: buffer, name: "X-Forwarded-For", value: $0) }
            HTTP1RequestWriter.writeFraming(into: buffer, .contentLength(12))
            HTTP1RequestWriter.writeEndOfHead(into: buffer)
        }
        #expect(text == "POST /a%20b?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-For: 1.2.3.4:5\r\nContent-Length: 12\r\n\r\n")
    }

    @Test func framingFields() {
        #expect(written { HTTP1RequestWriter.writeFraming(into: $0, .chunked) } == "Transfer-Encoding: chunked\r\n")
        #expect(written { HTTP1RequestWriter.writeFraming(into: $0, .none) } == "")
        #expect(written { HTTP1RequestWriter.writeFraming(into: $0, .contentLength(0)) } == "Content-Length: 0\r\n")
    }

    @Test func otherMethodsAreWrittenAsTheyAre() throws {
        let text = try written { buffer in
            try bytes("*") { try HTTP1RequestWriter.writeRequestLine(into: buffer, method: HTTPMethod("PROPFIND"), target: $0) }
        }
        #expect(text == "PROPFIND * HTTP/1.1\r\n")
    }

    @Test func nothingThatCouldSplitTheRequestIsWritten() {
        let buffer = ByteBuffer()
        for value in ["a\r\nInjected: 1", "a\nb", "a\u{0}b"] {
            bytes(value) { value in
                #expect(throws: HTTP1SerializationError(.invalidFieldValue(name: "X"))) {
                    try HTTP1RequestWriter.writeField(into: buffer, name: "X", value: value)
                }
            }
        }
        bytes("Bad Name") { name in
            bytes("v") { value in
                #expect(throws: HTTP1SerializationError(.invalidFieldName("Bad Name"))) {
                    try HTTP1RequestWriter.writeField(into: buffer, name: name, value: value)
                }
            }
        }
        for target in ["/a b", "", "/\r\n"] {
            bytes(target) { target in
                #expect(throws: HTTP1SerializationError(.invalidRequestTarget)) {
                    try HTTP1RequestWriter.writeRequestLine(into: buffer, method: .get, target: target)
                }
            }
        }
        bytes("/") { target in
            #expect(throws: HTTP1SerializationError(.invalidMethod("G T"))) {
                try HTTP1RequestWriter.writeRequestLine(into: buffer, method: HTTPMethod("G T"), target: target)
            }
        }
        #expect(buffer.isEmpty, "a failed check writes nothing")
    }
}
