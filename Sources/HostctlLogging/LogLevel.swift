/// How important a log entry is, as .NET's LogLevel: a category logs an entry when the
/// entry's level is at or above the category's minimum; `none` as a minimum turns the
/// category off.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace = 0
    case debug
    case information
    case warning
    case error
    case critical
    case none

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name configuration uses ("Information"); `init(name:)` reads it in any case.
    public var description: String {
        switch self {
        case .trace: "Trace"
        case .debug: "Debug"
        case .information: "Information"
        case .warning: "Warning"
        case .error: "Error"
        case .critical: "Critical"
        case .none: "None"
        }
    }

    /// The four letters the console shows ("info", "fail"), as .NET's simple console format.
    public var shortName: String {
        switch self {
        case .trace: "trce"
        case .debug: "dbug"
        case .information: "info"
        case .warning: "warn"
        case .error: "fail"
        case .critical: "crit"
        case .none: "none"
        }
    }

    /// A level by its name in any case ("warning", "Information"), or nil for a name that is
    /// not a level.
    public init?(name: String) {
        let folded = name.lowercased()
        guard let level = LogLevel.allCases.first(where: { $0.description.lowercased() == folded }) else { return nil }
        self = level
    }
}

/// An entry's number and optional name within its category, as .NET's EventId: tools filter
/// on it, and the console shows it in brackets (`Microsoft.Hosting.Lifetime[14]`).
public struct EventID: Sendable, Equatable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let id: Int
    public let name: String?

    public init(_ id: Int, name: String? = nil) {
        self.id = id
        self.name = name
    }

    public init(integerLiteral value: Int) { self.init(value) }

    public var description: String { String(id) }
}

/// One log entry, as a sink receives it: everything formatted is already a String (made
/// only once the entry was known to be wanted).
public struct LogEntry: Sendable {
    public var level: LogLevel
    public var category: String
    public var eventID: EventID
    public var message: String
    /// The error's type and description ("SampleError: it broke"), when one was logged.
    public var error: String?
    /// Named values for structured formats (the JSON console's "State").
    public var properties: [(name: String, value: String)]
    /// The scopes the entry was logged in, outermost first (only when a sink shows them).
    public var scopes: [String]
    /// Wall-clock time in nanoseconds since the epoch.
    public var timestamp: Int64

    public init(
        level: LogLevel, category: String, eventID: EventID, message: String, error: String? = nil,
        properties: [(name: String, value: String)] = [], scopes: [String] = [], timestamp: Int64 = 0
    ) {
        self.level = level
        self.category = category
        self.eventID = eventID
        self.message = message
        self.error = error
        self.properties = properties
        self.scopes = scopes
        self.timestamp = timestamp
    }
}
