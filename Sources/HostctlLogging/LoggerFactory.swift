import HostctlCore

/// Makes loggers and sends their entries to the sinks, filtered by rules that can be
/// replaced while the app runs (when `Logging` configuration is reloaded).
///
/// ```swift
/// let factory = LoggerFactory(sinks: [ConsoleLogSink(options: ConsoleLogOptions())],
///                             rules: [LogFilterRule(category: "Microsoft", level: .warning)])
/// factory.logger(category: "Shop").information("ready")
/// ```
public final class LoggerFactory: @unchecked Sendable {
    public let sinks: [any LogSink]
    private let lock = Lock()
    private var rules: [LogFilterRule]
    private var minimumLevel: LogLevel
    private var categories: [String: LoggerCategory] = [:]

    /// At most 15 sinks (each category keeps every sink's level in one word).
    public init(sinks: [any LogSink], rules: [LogFilterRule] = [], minimumLevel: LogLevel = .information) {
        precondition(sinks.count <= 15, "a logger factory takes at most 15 sinks")
        self.sinks = sinks
        self.rules = rules
        self.minimumLevel = minimumLevel
    }

    /// A factory whose loggers log nothing (for code that needs a logger and has no sink).
    public static func disabled() -> LoggerFactory { LoggerFactory(sinks: []) }

    /// The logger for `category`; loggers of one category share their state.
    public func logger(category: String) -> Logger {
        lock.withLock {
            if let existing = categories[category] { return Logger(state: existing) }
            let created = LoggerCategory(name: category, sinks: sinks, levels: levels(for: category))
            categories[category] = created
            return Logger(state: created)
        }
    }

    /// Replaces the filter rules (and the level used where no rule applies); every logger
    /// made so far follows at once.
    public func update(rules: [LogFilterRule], minimumLevel: LogLevel) {
        lock.withLock {
            self.rules = rules
            self.minimumLevel = minimumLevel
            for category in categories.values { category.update(levels(for: category.name)) }
        }
    }

    /// The level each sink takes for `category`, in sink order; the caller holds the lock.
    private func levels(for category: String) -> [LogLevel] {
        sinks.map { LogFilterRule.level(for: category, sink: $0.name, rules: rules, fallback: minimumLevel) }
    }

    /// Waits until every sink has written what it was given, each for at most `timeout`.
    public func flush(timeout: Duration = .seconds(2)) {
        for sink in sinks { sink.flush(timeout: timeout) }
    }
}
