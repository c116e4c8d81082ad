/// A route template such as `/users/{id:int}/posts/{slug?}` or `/files/{*path}`.
///
/// - literal segments match without regard to ASCII case (as in ASP.NET Core);
/// - `{name}` captures one segment; `{name:int}` only digits (with an optional sign);
///   `{name?}` (last segment only) may be absent;
/// - `{*name}` (last segment only) captures the rest of the path, slashes included.
public struct RouteTemplate: Sendable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(name: String, constraint: Constraint?, optional: Bool)
        case catchAll(name: String)
    }

    public enum Constraint: String, Sendable, Equatable {
        case int
        func accepts(_ value: Substring) -> Bool {
            switch self {
            case .int: Int(value) != nil
            }
        }
    }

    public let text: String
    public let segments: [Segment]

    public init(_ text: String) throws(RouteTemplateError) {
        self.text = text
        var segments: [Segment] = []
        var names: Set<String> = []
        let parts = text.split(separator: "/", omittingEmptySubsequences: true)
        for (index, part) in parts.enumerated() {
            let isLast = index == parts.count - 1
            guard part.hasPrefix("{") else {
                guard !part.contains("{"), !part.contains("}") else { throw RouteTemplateError(text, "a segment mixes text and a parameter: '\(part)'") }
                segments.append(.literal(String(part)))
                continue
            }
            guard part.hasSuffix("}"), part.count > 2 else { throw RouteTemplateError(text, "an unclosed parameter: '\(part)'") }
            var inner = part.dropFirst().dropLast()
            if inner.hasPrefix("*") {
                guard isLast else { throw RouteTemplateError(text, "a catch-all parameter must be the last segment") }
                inner = inner.dropFirst()
                guard Self.isName(inner) else { throw RouteTemplateError(text, "an invalid parameter name: '\(inner)'") }
                guard names.insert(String(inner)).inserted else { throw RouteTemplateError(text, "the parameter '\(inner)' appears twice") }
                segments.append(.catchAll(name: String(inner)))
                continue
            }
            var optional = false
            if inner.hasSuffix("?") {
                guard isLast else { throw RouteTemplateError(text, "only the last parameter may be optional") }
                optional = true
                inner = inner.dropLast()
            }
            var constraint: Constraint?
            if let colon = inner.firstIndex(of: ":") {
                let constraintName = inner[inner.index(after: colon)...]
                guard let known = Constraint(rawValue: String(constraintName)) else {
                    throw RouteTemplateError(text, "an unknown constraint '\(constraintName)' (known: int)")
                }
                constraint = known
                inner = inner[..<colon]
            }
            guard Self.isName(inner) else { throw RouteTemplateError(text, "an invalid parameter name: '\(inner)'") }
            guard names.insert(String(inner)).inserted else { throw RouteTemplateError(text, "the parameter '\(inner)' appears twice") }
            segments.append(.parameter(name: String(inner), constraint: constraint, optional: optional))
        }
        self.segments = segments
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    public var description: String { text }
}

/// A route template that cannot be used, and why.
public struct RouteTemplateError: Error, CustomStringConvertible {
    public let template: String
    public let problem: String

    init(_ template: String, _ problem: String) {
        self.template = template
        self.problem = problem
    }

    public var description: String { "The route template '\(template)' has \(problem)." }
}
