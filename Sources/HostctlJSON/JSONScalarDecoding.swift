/// Converts a `JSONValue` to a Swift scalar, or produces the error that says why not.
/// Shared by the decoder and its containers; paths are built only when an error needs one.
enum JSONScalarDecoding {
    typealias Path = () -> [any CodingKey]

    static func error(_ reason: JSONDecodingError.Reason, _ path: [any CodingKey]) -> DecodingError {
        JSONDecodingError(reason, codingPath: path).asDecodingError()
    }

    /// `null` where a value is needed is valueNotFound; any other kind is typeMismatch.
    static func mismatch(expected: String, found value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if case .null = value { return error(.valueNotFound(expected: expected), path) }
        return error(.typeMismatch(expected: expected, found: value.kindDescription), path)
    }

    static func bool(_ value: JSONValue, path: Path) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(expected: "a boolean", found: value, path()) }
        return bool
    }

    static func string(_ value: JSONValue, path: Path) throws -> String {
        guard case .string(let string) = value else { throw mismatch(expected: "a string", found: value, path()) }
        return string
    }

    static func integer<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type, path: Path) throws -> T {
        guard case .number(let text) = value else { throw mismatch(expected: "a number", found: value, path()) }
        switch JSONNumberParser.integer(text, as: T.self) {
        case .value(let integer):
            return integer
        case .notInteger:
            throw error(.dataCorrupted("expected an integer, found \(text)"), path())
        case .outOfRange:
            throw error(.dataCorrupted("expected an integer from \(T.min) to \(T.max), found \(text)"), path())
        case .invalid:
            throw error(.dataCorrupted("\"\(text)\" is not a valid JSON number"), path())
        }
    }

    static func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: JSONValue, as type: F.Type, path: Path
    ) throws -> F {
        guard case .number(let text) = value else { throw mismatch(expected: "a number", found: value, path()) }
        guard JSONNumberParser.isNumberText(text), let number = F(text) else {
            throw error(.dataCorrupted("\"\(text)\" is not a valid JSON number"), path())
        }
        guard number.isFinite else {
            throw error(.dataCorrupted("expected a number of magnitude at most \(F.greatestFiniteMagnitude), found \(text)"), path())
        }
        return number
    }
}
