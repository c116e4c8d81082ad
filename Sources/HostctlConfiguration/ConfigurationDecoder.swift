import HostctlCore

/// Binds configuration sections to `Decodable` types (see `ConfigurationSection.decode`).
enum ConfigurationDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from root: ConfigurationNode, at path: String) throws(ConfigurationBindingError) -> T {
        let node = root.descendant(path)
        do {
            return try ConfigurationValueDecoder.decode(type, node: node, path: path, codingPath: [])
        } catch let error as ConfigurationBindingError {
            throw error
        } catch let error as DecodingError {
            throw converting(error, root: root, base: path)
        } catch {
            throw ConfigurationBindingError(key: path, reason: .rejected(value: node?.value, reason: String(describing: error)), origin: node?.origin)
        }
    }

    /// A `DecodingError` from a type's own `init(from:)` (an enum without the raw value
    /// found, say), told in configuration terms.
    private static func converting(_ error: DecodingError, root: ConfigurationNode, base: String) -> ConfigurationBindingError {
        let context: DecodingError.Context
        switch error {
        case .dataCorrupted(let found), .typeMismatch(_, let found), .valueNotFound(_, let found), .keyNotFound(_, let found): context = found
        @unknown default: return ConfigurationBindingError(key: base, reason: .rejected(value: nil, reason: String(describing: error)), origin: nil)
        }
        var keys = context.codingPath.map(\.stringValue)
        if case .keyNotFound(let missing, _) = error { keys.append(missing.stringValue) }
        // The key as the configuration spells it, as far as it exists.
        var node = root.descendant(base)
        var path = base
        for key in keys {
            let child = node?.child(key)
            path = ConfigurationPath.combine(path, child?.name ?? key)
            node = child
        }
        return ConfigurationBindingError(key: path, reason: .rejected(value: node?.value, reason: context.debugDescription), origin: node?.origin)
    }

    /// The key of a subsection, spelled as the configuration spells it when it exists.
    static func childPath(_ path: String, _ child: ConfigurationNode?, _ key: some CodingKey) -> String {
        ConfigurationPath.combine(path, child?.name ?? key.stringValue)
    }
}

/// The `Decoder` for one section (which may be missing), and its single value container.
final class ConfigurationValueDecoder: Decoder, SingleValueDecodingContainer {
    let node: ConfigurationNode?
    let path: String
    let codingPath: [any CodingKey]
    /// The type being decoded here, for messages.
    let typeName: String

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: ConfigurationNode?, path: String, codingPath: [any CodingKey], typeName: String) {
        self.node = node
        self.path = path
        self.codingPath = codingPath
        self.typeName = typeName
    }

    /// Decodes `T` from `node`. Durations are read as .NET's TimeSpan text rather than
    /// Swift's own encoding of them. An error that is not about configuration (a type's own
    /// validation) is told with this section's key.
    static func decode<T: Decodable>(_ type: T.Type, node: ConfigurationNode?, path: String, codingPath: [any CodingKey]) throws -> T {
        let decoder = ConfigurationValueDecoder(node: node, path: path, codingPath: codingPath, typeName: String(describing: T.self))
        if T.self == Duration.self { return try decoder.duration() as! T }
        do {
            return try T(from: decoder)
        } catch let error as ConfigurationBindingError {
            throw error
        } catch let error as DecodingError {
            throw error
        } catch {
            throw ConfigurationBindingError(key: path, reason: .rejected(value: node?.value, reason: String(describing: error)), origin: node?.origin)
        }
    }

    // MARK: Errors

    func conversionFailed(_ value: String, _ expected: String) -> ConfigurationBindingError {
        ConfigurationBindingError(key: path, reason: .conversionFailed(value: value, expectedType: expected), origin: node?.origin)
    }

    func missing(_ expected: String) -> ConfigurationBindingError {
        ConfigurationBindingError(key: path, reason: .missingValue(expectedType: expected), origin: nil)
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try requireSection()
        return KeyedDecodingContainer(ConfigurationKeyedContainer<Key>(node: node, path: path, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try requireSection()
        return ConfigurationUnkeyedContainer(elements: node?.orderedChildren ?? [], path: path, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// A section with subsections (or none at all: a missing section binds as an empty one,
    /// so a type whose properties all have defaults or are optional still binds). A plain
    /// value is not a section.
    private func requireSection() throws {
        if let node, node.children.isEmpty, let value = node.value, !value.isEmpty {
            throw ConfigurationBindingError(key: path, reason: .sectionExpected(value: value, expectedType: typeName), origin: node.origin)
        }
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { node.map { $0.value == nil && $0.children.isEmpty } ?? true }

    private func text(_ expected: String) throws -> String {
        guard let value = node?.value else {
            if let node, !node.children.isEmpty {
                throw ConfigurationBindingError(
                    key: path, reason: .rejected(value: nil, reason: "a section is given where a value of type '\(expected)' is required."), origin: nil
                )
            }
            throw missing(expected)
        }
        return value
    }

    func decode(_ type: String.Type) throws -> String { try text("String") }

    func decode(_ type: Bool.Type) throws -> Bool {
        let value = try text("Bool")
        switch ConfigurationPath.folded(value.trimmingSpaces) {
        case "true": return true
        case "false": return false
        default: throw conversionFailed(value, "Bool")
        }
    }

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

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Self.decode(type, node: node, path: path, codingPath: codingPath)
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let value = try text(String(describing: I.self))
        guard let number = I(value.trimmingSpaces) else { throw conversionFailed(value, String(describing: I.self)) }
        return number
    }

    private func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        let value = try text(String(describing: F.self))
        guard let number = F(value.trimmingSpaces), number.isFinite else { throw conversionFailed(value, String(describing: F.self)) }
        return number
    }

    func duration() throws -> Duration {
        let value = try text("Duration")
        guard let duration = ConfigurationDuration.parse(value) else { throw conversionFailed(value, "Duration ([d.]hh:mm:ss)") }
        return duration
    }
}

/// A section's subsections by name, matched without regard to case.
struct ConfigurationKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: ConfigurationNode?
    let path: String
    let codingPath: [any CodingKey]

    var allKeys: [Key] { node?.orderedChildren.compactMap { Key(stringValue: $0.name) } ?? [] }

    private func child(_ key: Key) -> ConfigurationNode? { node?.child(key.stringValue) }

    func contains(_ key: Key) -> Bool { child(key)?.exists ?? false }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let child = child(key) else { return true }
        return child.value == nil && child.children.isEmpty
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let child = child(key)
        return try ConfigurationValueDecoder.decode(
            type, node: child, path: ConfigurationDecoding.childPath(path, child, key), codingPath: codingPath + [key]
        )
    }

    /// Absent, null, or (for anything but a string) empty: nil, as .NET binds an empty
    /// value to a nullable number.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let child = child(key) else { return nil }
        if child.children.isEmpty {
            guard let value = child.value else { return nil }
            if value.isEmpty, T.self != String.self, T.self != Substring.self { return nil }
        }
        return try decode(type, forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type as Bool.Type, forKey: key, generic: ()) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, forKey: key, generic: ()) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try decode(type, forKey: key, generic: ()) }

    /// The typed requirements all go through the generic one (the `generic` label only
    /// picks that overload).
    private func decode<T: Decodable>(_ type: T.Type, forKey key: Key, generic: Void) throws -> T {
        try decode(type as T.Type, forKey: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresent(type, forKey: key, generic: ()) }
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? { try decodeIfPresent(type, forKey: key, generic: ()) }

    private func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key, generic: Void) throws -> T? {
        try decodeIfPresent(type as T.Type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ConfigurationValueDecoder(node: node, path: path, codingPath: codingPath, typeName: "section")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { decoder(for: key) }

    private func decoder(for key: Key) -> ConfigurationValueDecoder {
        let child = child(key)
        return ConfigurationValueDecoder(
            node: child, path: ConfigurationDecoding.childPath(path, child, key), codingPath: codingPath + [key], typeName: "section"
        )
    }
}

/// A section's subsections in order, as a list (`Items:0`, `Items:1`, …).
struct ConfigurationUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [ConfigurationNode]
    let path: String
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [ConfigurationNode], path: String, codingPath: [any CodingKey]) {
        self.elements = elements
        self.path = path
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private struct IndexKey: CodingKey {
        let stringValue: String
        let intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue; intValue = Int(stringValue) }
        init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
    }

    private func current() throws -> ConfigurationNode {
        guard currentIndex < elements.count else {
            throw ConfigurationBindingError(
                key: ConfigurationPath.combine(path, String(currentIndex)),
                reason: .missingValue(expectedType: "element \(currentIndex)"), origin: nil
            )
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        let element = try current()
        guard element.value == nil, element.children.isEmpty else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try current()
        let value = try ConfigurationValueDecoder.decode(
            type, node: element, path: element.path, codingPath: codingPath + [IndexKey(stringValue: element.name)]
        )
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decode(type, generic: ()) }
    mutating func decode(_ type: String.Type) throws -> String { try decode(type, generic: ()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decode(type, generic: ()) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decode(type, generic: ()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decode(type, generic: ()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try decode(type, generic: ()) }

    private mutating func decode<T: Decodable>(_ type: T.Type, generic: Void) throws -> T { try decode(type as T.Type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let decoder = try nextDecoder()
        return try decoder.container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let decoder = try nextDecoder()
        return try decoder.unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try nextDecoder() }

    private mutating func nextDecoder() throws -> ConfigurationValueDecoder {
        let element = try current()
        currentIndex += 1
        return ConfigurationValueDecoder(
            node: element, path: element.path, codingPath: codingPath + [IndexKey(stringValue: element.name)], typeName: "section"
        )
    }
}
