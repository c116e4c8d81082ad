/// The `Decoder` handed to a type's `init(from:)`: one `JSONValue` and the path to it.
/// Also its own single value container, as nothing more is needed for one value.
final class JSONValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [any CodingKey]) {
        self.value = value
        self.codingPath = codingPath
    }

    /// Decodes `T` from `value`. Errors that are not `DecodingError`s (a type's own
    /// validation) are wrapped here, at the innermost value, so they carry its path.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, path: @autoclosure () -> [any CodingKey]) throws -> T {
        // Common leaves of arrays and dictionaries, without a decoder object or a path.
        if T.self == String.self { return try JSONScalarDecoding.string(value, path: path) as! T }
        if T.self == Int.self { return try JSONScalarDecoding.integer(value, as: Int.self, path: path) as! T }
        if T.self == Bool.self { return try JSONScalarDecoding.bool(value, path: path) as! T }
        if T.self == Double.self { return try JSONScalarDecoding.floatingPoint(value, as: Double.self, path: path) as! T }
        let codingPath = path()
        do {
            return try T(from: JSONValueDecoder(value: value, codingPath: codingPath))
        } catch let error as DecodingError {
            throw error
        } catch {
            let context = DecodingError.Context(codingPath: codingPath, debugDescription: String(describing: error), underlyingError: error)
            throw DecodingError.dataCorrupted(context)
        }
    }

    static func keyedContainer<Key: CodingKey>(_ value: JSONValue, path: [any CodingKey]) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw JSONScalarDecoding.mismatch(expected: "an object", found: value, path) }
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<Key>(object: object, codingPath: path))
    }

    static func unkeyedContainer(_ value: JSONValue, path: [any CodingKey]) throws -> JSONUnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw JSONScalarDecoding.mismatch(expected: "an array", found: value, path) }
        return JSONUnkeyedDecodingContainer(elements: elements, codingPath: path)
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try Self.keyedContainer(value, path: codingPath)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try Self.unkeyedContainer(value, path: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try JSONScalarDecoding.bool(value) { self.codingPath } }
    func decode(_ type: String.Type) throws -> String { try JSONScalarDecoding.string(value) { self.codingPath } }
    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }

    /// In place of this value, so a wrapper decodes its wrapped type from the same JSON.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Self.decode(type, from: value, path: codingPath)
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try JSONScalarDecoding.integer(value, as: type) { self.codingPath }
    }

    private func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        try JSONScalarDecoding.floatingPoint(value, as: type) { self.codingPath }
    }
}
