import HostctlCore
import Testing

@Suite struct ByteBufferTests {
    @Test func appendConsumeCompact() {
        let buffer = ByteBuffer()
        buffer.append("hello ")
        buffer.append(Array("world".utf8))
        buffer.append(UInt8(ascii: "!"))
        #expect(buffer.readableArray == Array("hello world!".utf8))
        buffer.consume(6)
        #expect(buffer.readableArray == Array("world!".utf8))
        buffer.compact()
        #expect(buffer.readerIndex == 0 && buffer.writerIndex == 6)
        buffer.consume(6)
        #expect(buffer.isEmpty && buffer.writerIndex == 0, "draining resets the indices")
        buffer.release()
        #expect(buffer.capacity == 0)
        buffer.append("again")
        #expect(buffer.readableArray == Array("again".utf8))
    }

    @Test(arguments: [0, 7, 9, 10, 99, 100, 12345, 9_223_372_036_854_775_807])
    func decimal(_ value: Int) {
        let buffer = ByteBuffer()
        buffer.appendDecimal(value)
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == String(value))
    }

    @Test(arguments: [0, 9, 10, 15, 16, 255, 4096, 0x7FFF_FFFF])
    func hex(_ value: Int) {
        let buffer = ByteBuffer()
        buffer.appendHex(value)
        #expect(String(decoding: buffer.readableArray, as: UTF8.self) == String(value, radix: 16))
    }

    @Test func growthKeepsContents() {
        let buffer = ByteBuffer(capacity: 4)
        for i in 0..<10_000 { buffer.append(UInt8(truncatingIfNeeded: i)) }
        #expect(buffer.readableCount == 10_000)
        #expect(buffer.readableArray.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) })
    }

    @Test func writableSpaceForReads() {
        let buffer = ByteBuffer()
        buffer.reserveWritable(100)
        let space = buffer.writableBytes
        #expect(space.count >= 100)
        space.copyBytes(from: Array("abc".utf8))
        buffer.didWrite(3)
        #expect(buffer.readableArray == Array("abc".utf8))
    }
}

@Suite struct HTTPValueTests {
    @Test func methods() {
        for name in ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PURGE", "get"] {
            let fromBytes = Array(name.utf8).withUnsafeBytes { HTTPMethod(bytes: $0) }
            #expect(fromBytes == HTTPMethod(name))
            #expect(fromBytes.rawValue == name)
        }
        #expect(HTTPMethod("get") == .other("get"), "methods are case-sensitive")
    }

    @Test func fields() {
        var fields = HTTPFields()
        fields.append(name: "Set-Cookie", value: "a=1")
        fields.append(name: "set-cookie", value: "b=2")
        fields["Content-Type"] = "text/plain"
        #expect(fields.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        #expect(fields["content-type"] == "text/plain")
        fields["Set-Cookie"] = "c=3"
        #expect(fields.values(for: "Set-Cookie") == ["c=3"])
        fields["content-type"] = nil
        #expect(!fields.contains("Content-Type"))
        #expect(fields.count == 1)
    }

    @Test func statusPhrases() {
        #expect(HTTPStatus.reasonPhrase(404) == "Not Found")
        #expect(HTTPStatus.reasonPhrase(431) == "Request Header Fields Too Large")
        #expect(HTTPStatus.reasonPhrase(599) == "Unknown")
        #expect(!HTTPStatus.allowsContent(204) && !HTTPStatus.allowsContent(304) && !HTTPStatus.allowsContent(101))
        #expect(HTTPStatus.allowsContent(200))
    }
}
