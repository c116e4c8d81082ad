/// Reads the members of one JSON object by key. A key given more than once means its
/// last value, as `JSONObject`'s subscript.
struct JSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]
    /// Each key's last member, for objects big enough that hashing beats scanning
    /// (a `[String: T]` of thousands of entries would otherwise decode in quadratic time).
    private let lookup: [String: Int]?

    init(object: JSONObject, codingPath: [any CodingKey]) {
        self.object = object
        self.codingPath = codingPath
        if object.members.count > 16 {
            var lookup = [String: Int](minimumCapacity: object.members.count)
            for (index, member) in object.members.enumerated() { lookup[member.key] = index }
            self.lookup = lookup
        } else {
            lookup = nil
        }
    }

    /// Each key once, in order of first appearance, less those `Key` does not know.
    var allKeys: [Key] {
        var seen = Set<String>()
        return object.members.compactMap { member in
            seen.insert(member.key).inserted ? Key(stringValue: member.key) : nil
        }
    }

    private func value(for key: some CodingKey) -> JSONValue? {
        let name = key.stringValue
        if let lookup { return lookup[name].map { object.members[$0].value } }
        var index = object.members.count
        while index > 0 {
            index -= 1
            if object.members[index].key == name { return object.members[index].value }
        }
        return nil
    }

    private func require(_ key: Key) throws -> JSONValue {
        guard let value = value(for: key) else { throw JSONScalarDecoding.error(.keyNotFound(key.stringValue), codingPath + [key]) }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func contains(_ key: Key) -> Bool { value(for: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try require(key) { return true }
        return false
    }

    // Scalars call JSONScalarDecoding directly: a helper generic over both the scalar type
    // and Key could not be specialized, and would parse every digit through witness tables.
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try JSONScalarDecoding.bool(require(key)) { path(key) } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try JSONScalarDecoding.string(require(key)) { path(key) } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try JSONScalarDecoding.floatingPoint(require(key), as: type) { path(key) } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try JSONScalarDecoding.floatingPoint(require(key), as: type) { path(key) } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try JSONScalarDecoding.integer(require(key), as: type) { path(key) } }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONValueDecoder.decode(type, from: require(key), path: path(key))
    }

    /// Missing and `null` are both absent (one lookup, where the default implementation makes three).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = value(for: key) else { return nil }
        if case .null = value { return nil }
        return try JSONValueDecoder.decode(type, from: value, path: path(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = value(for: key) else { return nil }
        if case .null = value { return nil }
        return try JSONScalarDecoding.string(value) { path(key) }
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = value(for: key) else { return nil }
        if case .null = value { return nil }
        return try JSONScalarDecoding.integer(value, as: type) { path(key) }
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = value(for: key) else { return nil }
        if case .null = value { return nil }
        return try JSONScalarDecoding.bool(value) { path(key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder.keyedContainer(require(key), path: path(key))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder.unkeyedContainer(require(key), path: path(key))
    }

    /// The value under "super"; `null` when absent, as Foundation.
    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: value(for: JSONKey.super) ?? .null, codingPath: codingPath + [JSONKey.super])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(value: value(for: key) ?? .null, codingPath: path(key))
    }
}
