import HostctlJSON
import Testing

@Suite struct JSONReaderTests {
    let lenient = JSONReader(allowsComments: true, allowsTrailingCommas: true)
    let strict = JSONReader()

    func read(_ text: String, _ reader: JSONReader? = nil) throws -> JSONValue {
        try (reader ?? lenient).read(Array(text.utf8))
    }

    func failure(_ text: String, _ reader: JSONReader? = nil) -> JSONSyntaxError? {
        do {
            _ = try (reader ?? lenient).read(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func scalars() throws {
        #expect(try read("true") == .bool(true))
        #expect(try read(" false ") == .bool(false))
        #expect(try read("null") == .null)
        #expect(try read("-12.5e+3") == .number("-12.5e+3"))
        #expect(try read("0") == .number("0"))
        #expect(try read(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try read(#""héllo""#) == .string("héllo"))
    }

    @Test func objectsKeepOrderAndDuplicates() throws {
        let value = try read(#"{"b": 1, "a": [1, "x", {}], "b": 2}"#)
        let object = try #require(value.objectValue)
        #expect(object.members.map(\.key) == ["b", "a", "b"])
        #expect(object["b"] == .number("2"))
        #expect(object["a"] == .array([.number("1"), .string("x"), .object(JSONObject())]))
        #expect(object.members[1].position == JSONPosition(line: 1, column: 10))
    }

    @Test func caseInsensitiveLookupPrefersTheExactSpelling() throws {
        let object = try #require(try read(#"{"Name": 1, "name": 2, "NAME": 3}"#).objectValue)
        #expect(object.member(matchingCaseInsensitively: "name")?.value == .number("2"))
        #expect(object.member(matchingCaseInsensitively: "nAmE")?.value == .number("3"))
        #expect(object.member(matchingCaseInsensitively: "other") == nil)
    }

    @Test func commentsAndTrailingCommasWhenAllowed() throws {
        let text = "// top\n{ /* a */ \"x\": [1, 2, ], // end\n \"y\": {\"z\": 1,}, }\n/* tail */"
        let object = try #require(try read(text).objectValue)
        #expect(object["x"] == .array([.number("1"), .number("2")]))
        #expect(failure(text, strict)?.reason == .commentsNotAllowed)
        #expect(failure("[1,]", strict)?.reason == .trailingCommaNotAllowed)
        #expect(failure("{\"a\":1,}", strict)?.position == JSONPosition(line: 1, column: 7))
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try lenient.read([0xEF, 0xBB, 0xBF] + Array("[]".utf8)) == .array([]))
    }

    @Test(arguments: [
        ("", JSONSyntaxError.Reason.unexpectedEnd(expected: "a value"), 1, 1),
        ("{", .unexpectedEnd(expected: "a property name in double quotes"), 1, 2),
        ("{\"a\" 1}", .unexpectedCharacter(found: "'1'", expected: "':' after a property name"), 1, 6),
        ("{\"a\": 1\n \"b\": 2}", .unexpectedCharacter(found: "'\"'", expected: "',' or '}'"), 2, 2),
        ("[1 2]", .unexpectedCharacter(found: "'2'", expected: "',' or ']'"), 1, 4),
        ("{'a': 1}", .unexpectedCharacter(found: "\"'\"", expected: "a property name in double quotes"), 1, 2),
        ("[tru]", .unexpectedCharacter(found: "'t'", expected: "a value"), 1, 2),
        ("[trueish]", .unexpectedCharacter(found: "'t'", expected: "a value"), 1, 2),
        ("[01]", .invalidNumber("01"), 1, 2),
        ("[1.]", .invalidNumber("1."), 1, 2),
        ("[-]", .invalidNumber("-"), 1, 2),
        ("[1e+]", .invalidNumber("1e+"), 1, 2),
        ("[.5]", .unexpectedCharacter(found: "'.'", expected: "a value"), 1, 2),
        ("\"abc", .unterminatedString, 1, 1),
        ("\"a\nb\"", .controlCharacterInString(0x0A), 1, 3),
        (#""\x""#, .invalidEscape("\\x"), 1, 2),
        (#""\u12G4""#, .invalidUnicodeEscape, 1, 2),
        (#""\ud83d""#, .unpairedSurrogate, 1, 2),
        (#""\ude00""#, .unpairedSurrogate, 1, 2),
        ("/* open", .unterminatedComment, 1, 1),
        ("[] []", .trailingContent(found: "'['"), 1, 4),
        ("é [", .unexpectedCharacter(found: "'é'", expected: "a value"), 1, 1),
        ("{\"é\": x}", .unexpectedCharacter(found: "'x'", expected: "a value"), 1, 7),
    ])
    func errorsSayWhatAndWhere(_ text: String, _ reason: JSONSyntaxError.Reason, _ line: Int, _ column: Int) {
        let error = failure(text)
        #expect(error?.reason == reason, "\(text)")
        #expect(error?.position == JSONPosition(line: line, column: column), "\(text)")
    }

    @Test func invalidUTF8IsRejectedWithItsPosition() {
        for (bytes, column) in [([0x22, 0xC3, 0x28, 0x22], 2), ([0x5B, 0xED, 0xA0, 0x80, 0x5D], 2), ([0x20, 0x20, 0xFF], 3), ([0x22, 0xE2, 0x82], 2)] {
            do {
                _ = try lenient.read(bytes.map(UInt8.init))
                Issue.record("accepted \(bytes)")
            } catch {
                guard case .invalidUTF8 = error.reason else { Issue.record("\(error)"); continue }
                #expect(error.position.column == column)
            }
        }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try read(deep) }
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(failure(tooDeep)?.reason == .nestingTooDeep(limit: 64))
        // Hostile input must be an error, not a stack overflow.
        #expect(failure(String(repeating: "{\"a\":", count: 100_000))?.reason == .nestingTooDeep(limit: 64))
    }

    @Test func messagesReadWell() {
        let error = JSONSyntaxError(.unexpectedCharacter(found: "'}'", expected: "a value"), at: JSONPosition(line: 3, column: 7))
        #expect(error.description == "3:7: Unexpected character '}'; expected a value.")
        #expect(JSONSyntaxError(.invalidUTF8(0xFF), at: JSONPosition(line: 1, column: 1)).message == "The byte 0xFF is not valid UTF-8.")
        #expect(JSONSyntaxError(.controlCharacterInString(9), at: JSONPosition(line: 1, column: 1)).message.contains("U+0009"))
    }

    /// Every prefix of a valid document is either an error or (for a complete value) a value:
    /// the reader never traps on truncated input.
    @Test func everyTruncationIsHandled() {
        let document = Array(#"{"profiles": {"a": {"commandName": "Project", "n": [1.5e3, true, null], "s": "\u00e9\n"}}}"#.utf8)
        for length in 0..<document.count {
            #expect(throws: JSONSyntaxError.self) { try lenient.read(Array(document[..<length])) }
        }
    }
}
