import HostctlCore
import HostctlHTTP1
import Testing

/// `field-name ":" OWS field-value OWS` (RFC 9112 §5, RFC 9110 §5.1 and §5.5).
@Suite struct HTTP1FieldLineParserTests {
    private func head(_ fieldLine: String) -> String { "GET / HTTP/1.1\r\nHost: x\r\n\(fieldLine)\r\n\r\n" }
    private func head(_ fieldLine: [UInt8]) -> [UInt8] { Array("GET / HTTP/1.1\r\nHost: x\r\n") + fieldLine + Array("\r\n\r\n") }

    @Test(arguments: [
        ("A: b", "A: b"), ("A:b", "A: b"), ("A:  \t b \t ", "A: b"), ("A:", "A: "), ("A: \t ", "A: "),
        ("A: b  c\td", "A: b  c\td"), ("A: \"quoted, list\", x", "A: \"quoted, list\", x"),
        ("!#$%&'*+-.^_`|~09azAZ: v", "!#$%&'*+-.^_`|~09azAZ: v"), ("A: ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", "A: ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"),
    ])
    func valuesAreTrimmedOfOWS(_ line: String, _ expected: String) {
        #expect(expectHead(head(line))?.fields.last == expected)
    }

    @Test func utf8ValuesAreAccepted() {
        #expect(expectHead(head("X-Name: José 🚀 名前"))?.fields.last == "X-Name: José 🚀 名前")
    }

    @Test(arguments: [
        [0xFF], [0x80], [0xC3], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
        [0xF0, 0x9F, 0x9A], [0xF5, 0x80, 0x80, 0x80], [0x61, 0xE9, 0x61],
    ] as [[UInt8]])
    func invalidUTF8InValuesIsRejected(_ bytes: [UInt8]) {
        expectFailure(head(Array("X: a") + bytes + Array("b")), .invalidRequestHeader)
        expectFailure(head(Array("X: ") + bytes), .invalidRequestHeader)
    }

    @Test(arguments: [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x0D, 0x1F, 0x7F] as [UInt8])
    func controlBytesInValuesAreRejected(_ byte: UInt8) {
        expectFailure(head(Array("X: a") + [byte] + Array("b")), .invalidRequestHeader)
    }

    @Test func obsFoldIsRejected() {
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", .invalidRequestHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n", .invalidRequestHeader)
        expectFailure("GET / HTTP/1.1\r\n Host: x\r\n\r\n", .invalidRequestHeader)
    }

    @Test(arguments: ["A : b", "A\t: b", "A b: c", "A", "A b", ": b", ":", "Host x"])
    func malformedLinesAreInvalidRequestHeaders(_ line: String) {
        expectFailure(head(line), .invalidRequestHeader)
    }

    @Test(arguments: ["A@: b", "A(B): c", "A/B: c", "\"A\": b", "A\u{0}: b", "A\u{1}: b", "[A]: b", "A=B: c", "A,B: c", "{}: x"])
    func nonTokenNameBytesAreInvalidCharacters(_ line: String) {
        expectFailure(head(line), .invalidCharactersInHeaderName)
    }

    @Test func nonASCIINameBytesAreInvalidCharacters() {
        expectFailure(head(Array("Caf") + [0xC3, 0xA9] + Array(": x")), .invalidCharactersInHeaderName)
        expectFailure(head([0x80] + Array(": x")), .invalidCharactersInHeaderName)
    }
}
