/// An ordered list of header fields that keeps duplicates, with case-insensitive names
/// (RFC 9110 §5.1). Used for response headers and trailers, which the app builds.
public struct HTTPFields: Sendable, Sequence, CustomStringConvertible {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value for `name`; setting replaces every field of that name (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { ASCII.equalsIgnoringCase($0.name, name) }?.value }
        set {
            if let newValue {
                if let first = fields.firstIndex(where: { ASCII.equalsIgnoringCase($0.name, name) }) {
                    fields[first].value = newValue
                    var index = fields.count - 1
                    while index > first {
                        if ASCII.equalsIgnoringCase(fields[index].name, name) { fields.remove(at: index) }
                        index -= 1
                    }
                } else {
                    fields.append(Field(name: name, value: newValue))
                }
            } else {
                remove(name)
            }
        }
    }

    public func values(for name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Adds a field, keeping any with the same name (for Set-Cookie and friends).
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        guard fields.contains(where: { ASCII.equalsIgnoringCase($0.name, name) }) else { return }
        fields.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Removes every field `shouldBeRemoved` picks, in one pass.
    public mutating func removeAll(where shouldBeRemoved: (Field) throws -> Bool) rethrows {
        try fields.removeAll(where: shouldBeRemoved)
    }

    public mutating func removeAll(keepingCapacity: Bool = false) {
        fields.removeAll(keepingCapacity: keepingCapacity)
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
}
