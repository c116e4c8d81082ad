/// A JSON document held in memory, keeping what a reader of hand-written files needs:
/// object members in file order (profile order matters in launchSettings.json),
/// duplicate keys as written, and numbers as their literal text.
public enum JSONValue: Sendable, Equatable {
    case object(JSONObject)
    case array([JSONValue])
    case string(String)
    /// The number exactly as written, e.g. `5000` or `1.5e3`; convert it where a number is wanted.
    case number(String)
    case bool(Bool)
    case null

    /// "an object", "a string", …: for messages such as "expected an object, found a number".
    public var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}

/// The members of a JSON object in the order they were written.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: JSONValue
        /// Where the key starts, for messages about this member.
        public let position: JSONPosition

        public init(key: String, value: JSONValue, position: JSONPosition) {
            self.key = key
            self.value = value
            self.position = position
        }
    }

    public var members: [Member]

    public init(members: [Member] = []) { self.members = members }

    /// The value of the last member named exactly `key` (later duplicates win, as in
    /// System.Text.Json-backed readers).
    public subscript(key: String) -> JSONValue? {
        members.last { $0.key == key }?.value
    }

    /// The member named `key`, preferring the exact spelling, else any spelling that
    /// differs only in ASCII case (the last one, as with exact duplicates).
    public func member(matchingCaseInsensitively key: String) -> Member? {
        if let exact = members.last(where: { $0.key == key }) { return exact }
        let folded = key.asciiLowercased
        return members.last { $0.key.asciiLowercased == folded }
    }
}

/// A 1-based line and column (columns count Unicode scalars, as editors do).
public struct JSONPosition: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

extension String {
    /// Lowercases A–Z only: key matching must not depend on the locale or on
    /// Unicode case mappings that change string lengths.
    public var asciiLowercased: String {
        var bytes = Array(utf8)
        var changed = false
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A {
            bytes[i] += 0x20
            changed = true
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : self
    }
}
