/// Checks that a name can be a Swift module name (a package's targets are named after it).
enum SwiftIdentifier {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "Any", "catch", "false", "is",
        "nil", "super", "self", "Self", "throw", "throws", "true", "try", "await", "async", "actor", "some", "any",
    ]

    /// Why `name` cannot be used, or nil when it can.
    static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "the name is empty" }
        let disallowed = name.unicodeScalars.filter { !isIdentifierCharacter($0) }
        if !disallowed.isEmpty {
            var seen: [String] = []
            for scalar in disallowed where !seen.contains(String(scalar)) { seen.append(String(scalar)) }
            let listed = seen.map { $0 == " " ? "' ' (space)" : "'\($0)'" }.joined(separator: ", ")
            return "\(listed) \(seen.count == 1 ? "is" : "are") not allowed (use letters, digits and _)"
        }
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) { return "it must not start with a digit" }
        if keywords.contains(name) { return "'\(name)' is a Swift keyword" }
        if name.hasPrefix("Hostctl") || name == "CHostctlLinux" { return "names starting with 'Hostctl' are hostctl's own modules" }
        return nil
    }

    private static func isIdentifierCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }
}
