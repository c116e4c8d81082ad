/// Which server an app runs on (design §5), or proxied hosting in front of it (§6).
public enum ServerKind: String, Sendable, CaseIterable {
    case eventLoop = "eventloop"
    case ioURing = "iouring"
    case proxied = "proxied"

    /// Case-insensitive, as every other enumerated value hostctl reads.
    public init?(parsing text: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue == text.lowercased() }) else { return nil }
        self = kind
    }
}

/// Debug or Release, mapped onto SwiftPM's `-c debug|release`.
public enum BuildConfiguration: String, Sendable, CaseIterable {
    case debug = "Debug"
    case release = "Release"

    /// SwiftPM's spelling, which is also the folder under .build/.
    public var swiftPMName: String { rawValue.lowercased() }
}

/// How much hostctl says, as `dotnet run -v`.
public enum Verbosity: String, Sendable, CaseIterable, Comparable {
    case quiet, minimal, normal, detailed, diagnostic

    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Verbosity, rhs: Verbosity) -> Bool { lhs.rank < rhs.rank }
}
