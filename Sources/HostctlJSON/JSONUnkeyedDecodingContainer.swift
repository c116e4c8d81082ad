/// Reads the elements of one JSON array in order. A failed decode does not advance, so
/// a caller may retry the element as another type.
struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }

    var isAtEnd: Bool { currentIndex >= elements.count }

    private var path: [any CodingKey] { codingPath + [JSONKey(index: currentIndex)] }

    /// The current element; past the end, an error naming what was wanted.
    private func current(_ expected: String) throws -> JSONValue {
        guard currentIndex < elements.count else {
            let count = elements.count
            let reason = "expected \(expected), but the array has only \(count) element\(count == 1 ? "" : "s")"
            throw JSONScalarDecoding.error(.dataCorrupted(reason), path)
        }
        return elements[currentIndex]
    }

    /// Takes the current element as `T`, moving on only if that works. `convert` gets the
    /// element and its path (built only if asked for).
    private mutating func next<T>(_ expected: String, _ convert: (JSONValue, () -> [any CodingKey]) throws -> T) throws -> T {
        let (codingPath, index) = (self.codingPath, currentIndex)
        let result = try convert(current(expected)) { codingPath + [JSONKey(index: index)] }
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try current("null") else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        try next("a boolean") { try JSONScalarDecoding.bool($0, path: $1) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        try next("a string") { try JSONScalarDecoding.string($0, path: $1) }
    }

    mutating func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next("a value") { try JSONValueDecoder.decode(type, from: $0, path: $1()) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next("an object") { try JSONValueDecoder.keyedContainer($0, path: $1()) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next("an array") { try JSONValueDecoder.unkeyedContainer($0, path: $1()) }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next("a value") { JSONValueDecoder(value: $0, codingPath: $1()) }
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try next("a number") { try JSONScalarDecoding.integer($0, as: type, path: $1) }
    }

    private mutating func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        try next("a number") { try JSONScalarDecoding.floatingPoint($0, as: type, path: $1) }
    }
}
