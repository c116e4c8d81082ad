/// Reads JSON documents, optionally with the two liberties hand-edited settings files
/// take: `//` and `/* */` comments, and a comma after the last member or element
/// (what System.Text.Json allows with `JsonCommentHandling.Skip` and
/// `AllowTrailingCommas`, which is how `dotnet run` reads launchSettings.json).
///
/// ```swift
/// let value = try JSONReader(allowsComments: true, allowsTrailingCommas: true)
///     .read(Array(#"{"a": 1, /* note */ }"#.utf8))
/// ```
public struct JSONReader: Sendable {
    public var allowsComments: Bool
    public var allowsTrailingCommas: Bool
    /// Deeper documents are rejected rather than risking the stack (System.Text.Json's default).
    public var maximumDepth: Int

    public init(allowsComments: Bool = false, allowsTrailingCommas: Bool = false, maximumDepth: Int = 64) {
        self.allowsComments = allowsComments
        self.allowsTrailingCommas = allowsTrailingCommas
        self.maximumDepth = maximumDepth
    }

    public func read(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = Parser(bytes: bytes, options: self)
        try parser.validateUTF8()
        parser.skipByteOrderMark()
        try parser.skipTrivia()
        let value = try parser.parseValue(depth: 0)
        try parser.skipTrivia()
        if parser.offset < bytes.count {
            throw parser.error(.trailingContent(found: parser.describeCurrent()))
        }
        return value
    }
}

private struct Parser {
    let bytes: [UInt8]
    let options: JSONReader
    var offset = 0

    init(bytes: [UInt8], options: JSONReader) {
        self.bytes = bytes
        self.options = options
    }

    // MARK: Positions and errors

    /// The last key position computed. Keys come in document order, so each one's position
    /// is counted on from the previous key's rather than from the start (which made reading
    /// quadratic in the number of keys).
    var lastKeyPosition = (offset: 0, position: JSONPosition(line: 1, column: 1))

    func position(of offset: Int) -> JSONPosition {
        position(of: offset, from: (0, JSONPosition(line: 1, column: 1)))
    }

    mutating func keyPosition(of offset: Int) -> JSONPosition {
        let start = lastKeyPosition.offset <= offset ? lastKeyPosition : (0, JSONPosition(line: 1, column: 1))
        let position = position(of: offset, from: start)
        lastKeyPosition = (offset, position)
        return position
    }

    func position(of offset: Int, from start: (offset: Int, position: JSONPosition)) -> JSONPosition {
        var line = start.position.line
        var column = start.position.column
        for byte in bytes[start.offset..<max(start.offset, min(offset, bytes.count))] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count scalars, not continuation bytes
                column += 1
            }
        }
        return JSONPosition(line: line, column: column)
    }

    func error(_ reason: JSONSyntaxError.Reason, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(reason, at: position(of: offset ?? self.offset))
    }

    /// The character at the cursor, quoted, for messages.
    func describeCurrent() -> String {
        guard offset < bytes.count else { return "end of document" }
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[offset..<end], as: UTF8.self)
        return text == "'" ? "\"'\"" : "'\(text)'"
    }

    func unexpected(expected: String) -> JSONSyntaxError {
        if offset >= bytes.count { return error(.unexpectedEnd(expected: expected)) }
        return error(.unexpectedCharacter(found: describeCurrent(), expected: expected))
    }

    // MARK: Input hygiene

    /// Rejects invalid UTF-8 up front so strings can be decoded without checks later.
    func validateUTF8() throws(JSONSyntaxError) {
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: throw error(.invalidUTF8(lead), at: i)
            }
            guard i + length <= count else { throw error(.invalidUTF8(lead), at: i) }
            for k in 1..<length {
                let next = bytes[i + k]
                // Report the sequence's first byte: it is the one that promised a continuation.
                guard next & 0xC0 == 0x80 else { throw error(.invalidUTF8(lead), at: i) }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) {
                throw error(.invalidUTF8(lead), at: i)
            }
            i += length
        }
    }

    mutating func skipByteOrderMark() {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { offset = 3 }
    }

    /// Skips whitespace and, when allowed, comments.
    mutating func skipTrivia() throws(JSONSyntaxError) {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                offset += 1
            case UInt8(ascii: "/"):
                guard offset + 1 < bytes.count,
                      bytes[offset + 1] == UInt8(ascii: "/") || bytes[offset + 1] == UInt8(ascii: "*")
                else { return }
                guard options.allowsComments else { throw error(.commentsNotAllowed) }
                let start = offset
                if bytes[offset + 1] == UInt8(ascii: "/") {
                    offset += 2
                    while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
                } else {
                    offset += 2
                    while true {
                        guard offset + 1 < bytes.count else { throw error(.unterminatedComment, at: start) }
                        if bytes[offset] == UInt8(ascii: "*"), bytes[offset + 1] == UInt8(ascii: "/") {
                            offset += 2
                            break
                        }
                        offset += 1
                    }
                }
            default:
                return
            }
        }
    }

    // MARK: Values

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "a value")) }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: throw unexpected(expected: "a value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = offset
        let length = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            offset + length <= bytes.count && bytes[offset..<offset + length].elementsEqual(expected)
        }
        guard matches else { throw unexpected(expected: "a value") }
        offset += length
        // `trueish` is not `true` followed by garbage: it is one bad token.
        if offset < bytes.count, isIdentifierByte(bytes[offset]) {
            offset = start
            throw unexpected(expected: "a value")
        }
    }

    func isIdentifierByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONObject {
        guard depth <= options.maximumDepth else { throw error(.nestingTooDeep(limit: options.maximumDepth)) }
        offset += 1  // {
        var object = JSONObject()
        try skipTrivia()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return object
        }
        while true {
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw unexpected(expected: "a property name in double quotes")
            }
            let keyPosition = keyPosition(of: offset)
            let key = try parseString()
            try skipTrivia()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw unexpected(expected: "':' after a property name")
            }
            offset += 1
            try skipTrivia()
            let value = try parseValue(depth: depth)
            object.members.append(JSONObject.Member(key: key, value: value, position: keyPosition))
            try skipTrivia()
            guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "',' or '}'")) }
            if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return object
            }
            guard bytes[offset] == UInt8(ascii: ",") else { throw unexpected(expected: "',' or '}'") }
            let comma = offset
            offset += 1
            try skipTrivia()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                guard options.allowsTrailingCommas else { throw error(.trailingCommaNotAllowed, at: comma) }
                offset += 1
                return object
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
        guard depth <= options.maximumDepth else { throw error(.nestingTooDeep(limit: options.maximumDepth)) }
        offset += 1  // [
        var elements: [JSONValue] = []
        try skipTrivia()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return elements
        }
        while true {
            elements.append(try parseValue(depth: depth))
            try skipTrivia()
            guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "',' or ']'")) }
            if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return elements
            }
            guard bytes[offset] == UInt8(ascii: ",") else { throw unexpected(expected: "',' or ']'") }
            let comma = offset
            offset += 1
            try skipTrivia()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                guard options.allowsTrailingCommas else { throw error(.trailingCommaNotAllowed, at: comma) }
                offset += 1
                return elements
            }
        }
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = offset
        offset += 1  // opening quote
        var segmentStart = offset
        var decoded: [UInt8] = []
        var escaped = false
        while true {
            guard offset < bytes.count else { throw error(.unterminatedString, at: start) }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text: String
                if escaped {
                    decoded.append(contentsOf: bytes[segmentStart..<offset])
                    text = String(decoding: decoded, as: UTF8.self)
                } else {
                    text = String(decoding: bytes[segmentStart..<offset], as: UTF8.self)
                }
                offset += 1
                return text
            }
            if byte < 0x20 { throw error(.controlCharacterInString(byte)) }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                decoded.append(contentsOf: bytes[segmentStart..<offset])
                try parseEscape(into: &decoded)
                segmentStart = offset
                continue
            }
            offset += 1
        }
    }

    mutating func parseEscape(into output: inout [UInt8]) throws(JSONSyntaxError) {
        let start = offset
        offset += 1  // backslash
        guard offset < bytes.count else { throw error(.unterminatedString, at: start) }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: start)
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                else { throw error(.unpairedSurrogate, at: start) }
                offset += 2
                let low = try parseHex4(escapeStart: start)
                guard (0xDC00...0xDFFF).contains(low) else { throw error(.unpairedSurrogate, at: start) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error(.unpairedSurrogate, at: start)
            }
            output.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
            let end = offset - 1
            var stop = end + 1
            while stop < bytes.count, bytes[stop] & 0xC0 == 0x80 { stop += 1 }
            throw error(.invalidEscape("\\" + String(decoding: bytes[end..<stop], as: UTF8.self)), at: start)
        }
    }

    mutating func parseHex4(escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error(.invalidUnicodeEscape, at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidUnicodeEscape, at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = offset
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        var i = offset
        var valid = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { valid = false }
        } else if isDigit(i) {
            while isDigit(i) { i += 1 }
        } else {
            valid = false
        }
        if valid, i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            if !isDigit(i) { valid = false }
            while isDigit(i) { i += 1 }
        }
        if valid, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if !isDigit(i) { valid = false }
            while isDigit(i) { i += 1 }
        }
        // Swallow the rest of a malformed token so the message shows all of it.
        if !valid || (i < bytes.count && (isIdentifierByte(bytes[i]) || bytes[i] == UInt8(ascii: "."))) {
            while i < bytes.count, isIdentifierByte(bytes[i]) || bytes[i] == UInt8(ascii: ".")
                || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            throw error(.invalidNumber(String(decoding: bytes[start..<i], as: UTF8.self)), at: start)
        }
        offset = i
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }
}
