/// A minimum level for categories starting with a prefix, optionally for one sink only:
/// what `Logging:LogLevel:Microsoft.AspNetCore = Warning` and
/// `Logging:Console:LogLevel:Default = Debug` say.
///
/// Which rule applies to a category and sink is chosen as .NET chooses: rules for that sink
/// if there are any, else rules for every sink; among those, the one with the longest
/// matching category prefix (a prefix of the category name, compared without regard to
/// case, with at most one `*` wildcard); among equals, the one added last. No rule: the
/// factory's minimum level.
public struct LogFilterRule: Sendable, Equatable {
    /// A sink's name ("Console"), or nil for every sink.
    public var sink: String?
    /// A category prefix ("Microsoft.AspNetCore"), or nil for every category ("Default").
    public var category: String?
    public var level: LogLevel

    public init(sink: String? = nil, category: String? = nil, level: LogLevel) {
        self.sink = sink
        self.category = category
        self.level = level
    }

    /// The level `rules` give `category` on `sink`, or `fallback` when none applies.
    public static func level(for category: String, sink: String, rules: [LogFilterRule], fallback: LogLevel) -> LogLevel {
        var best: LogFilterRule?
        var bestLength = -1
        var bestIsSinkSpecific = false
        for rule in rules {
            let isSinkSpecific: Bool
            if let ruleSink = rule.sink {
                guard ruleSink.lowercased() == sink.lowercased() else { continue }
                isSinkSpecific = true
            } else {
                isSinkSpecific = false
            }
            guard let length = matchLength(rule.category, category) else { continue }
            if bestIsSinkSpecific, !isSinkSpecific { continue }
            if isSinkSpecific == bestIsSinkSpecific, length < bestLength { continue }
            best = rule
            bestLength = length
            bestIsSinkSpecific = isSinkSpecific
        }
        return best?.level ?? fallback
    }

    /// How much of `category` the rule's prefix covers (0 for every category), or nil when
    /// it does not match.
    static func matchLength(_ prefix: String?, _ category: String) -> Int? {
        guard let prefix, !prefix.isEmpty else { return 0 }
        let name = category.lowercased()
        let pattern = prefix.lowercased()
        guard let star = pattern.firstIndex(of: "*") else { return name.hasPrefix(pattern) ? pattern.count : nil }
        let head = pattern[..<star], tail = pattern[pattern.index(after: star)...]
        guard name.count >= head.count + tail.count, name.hasPrefix(head), name.hasSuffix(tail) else { return nil }
        return head.count + tail.count
    }
}
