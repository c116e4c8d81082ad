/// Why a document is not JSON, and where.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unexpectedEnd(expected: String)
        case unexpectedCharacter(found: String, expected: String)
        case trailingContent(found: String)
        case unterminatedString
        case unterminatedComment
        case commentsNotAllowed
        case trailingCommaNotAllowed
        case controlCharacterInString(UInt8)
        case invalidEscape(String)
        case invalidUnicodeEscape
        case unpairedSurrogate
        case invalidNumber(String)
        case invalidUTF8(UInt8)
        case nestingTooDeep(limit: Int)
    }

    public let reason: Reason
    public let position: JSONPosition

    public init(_ reason: Reason, at position: JSONPosition) {
        self.reason = reason
        self.position = position
    }

    /// The message without the position: "Unexpected character '}'; expected a value."
    public var message: String {
        switch reason {
        case .unexpectedEnd(let expected):
            "Unexpected end of the document; expected \(expected)."
        case .unexpectedCharacter(let found, let expected):
            "Unexpected character \(found); expected \(expected)."
        case .trailingContent(let found):
            "Unexpected character \(found) after the end of the document."
        case .unterminatedString:
            "A string starts here but never ends."
        case .unterminatedComment:
            "A comment starts here but never ends."
        case .commentsNotAllowed:
            "Comments are not allowed."
        case .trailingCommaNotAllowed:
            "Trailing commas are not allowed."
        case .controlCharacterInString(let byte):
            "A string contains the control character U+\(hex4(byte)), which must be escaped."
        case .invalidEscape(let text):
            "Invalid escape sequence '\(text)' in a string."
        case .invalidUnicodeEscape:
            "A \\u escape needs four hexadecimal digits."
        case .unpairedSurrogate:
            "A \\u escape names half of a surrogate pair without the other half."
        case .invalidNumber(let text):
            "'\(text)' is not a valid number."
        case .invalidUTF8(let byte):
            "The byte 0x\(hex2(byte)) is not valid UTF-8."
        case .nestingTooDeep(let limit):
            "Objects and arrays are nested more than \(limit) levels deep."
        }
    }

    public var description: String { "\(position): \(message)" }

    private func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    private func hex4(_ byte: UInt8) -> String { "00" + hex2(byte) }
}
