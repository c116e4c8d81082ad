/// Configuration keys are paths of sections joined by ":" (`Logging:LogLevel:Default`),
/// compared without regard to ASCII case, as in .NET.
public enum ConfigurationPath {
    public static let separator: Character = ":"

    /// Joins non-empty parts with ":" (`combine("Shop", "MaxItems")` → "Shop:MaxItems").
    public static func combine(_ parts: String...) -> String { combine(parts) }

    public static func combine(_ parts: [String]) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: String(separator))
    }

    /// The last segment ("Logging:LogLevel" → "LogLevel").
    public static func key(of path: String) -> String {
        guard let colon = path.lastIndex(of: separator) else { return path }
        return String(path[path.index(after: colon)...])
    }

    /// Everything before the last segment ("Logging:LogLevel" → "Logging"; "Logging" → "").
    public static func parent(of path: String) -> String {
        guard let colon = path.lastIndex(of: separator) else { return "" }
        return String(path[..<colon])
    }

    /// The segments of a key, empty ones kept ("a::b" has three), as .NET keeps them.
    static func segments(_ path: String) -> [Substring] {
        path.split(separator: separator, omittingEmptySubsequences: false)
    }

    /// The form keys are matched by: ASCII letters lowercased.
    static func folded(_ segment: some StringProtocol) -> String {
        var bytes = Array(segment.utf8)
        var changed = false
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A {
            bytes[index] += 0x20
            changed = true
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : String(segment)
    }

    /// .NET's ConfigurationKeyComparer for sibling keys: segments that are whole numbers
    /// come first, in numeric order (so array elements 2 and 10 sort as numbers); the rest
    /// follow, ordered without regard to case.
    static func areInIncreasingOrder(_ lhs: String, _ rhs: String) -> Bool {
        switch (Int(lhs), Int(rhs)) {
        case let (left?, right?): return left < right
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil):
            let (left, right) = (folded(lhs), folded(rhs))
            return left == right ? lhs < rhs : left < right
        }
    }
}
