import HostctlConfiguration
import HostctlLogging

/// How an app logs, as ASP.NET's `builder.Logging`: filters and the console come from the
/// `Logging` configuration section first; code can change them before `build()`.
///
/// ```swift
/// builder.logging.minimumLevel = .debug
/// builder.logging.addFilter("Microsoft.AspNetCore", .warning)
/// builder.logging.console?.format = .json
/// builder.logging.addSink(MySink())
/// ```
public final class LoggingBuilder: @unchecked Sendable {
    /// The level for categories no rule names (.NET's default: Information).
    public var minimumLevel: LogLevel = .information
    /// The console sink's options (read from `Logging:Console`); nil: no console.
    public var console: ConsoleLogOptions?
    /// Rules added in code; they come after the configuration's, so they win ties.
    public private(set) var rules: [LogFilterRule] = []
    /// Sinks besides the console.
    public private(set) var sinks: [any LogSink] = []

    init(console: ConsoleLogOptions?) {
        self.console = console
    }

    /// Sets the minimum level for categories starting with `category` (nil: every category),
    /// for every sink or only the sink named `sink` ("Console").
    public func addFilter(_ category: String?, _ level: LogLevel, sink: String? = nil) {
        rules.append(LogFilterRule(sink: sink, category: category, level: level))
    }

    public func addSink(_ sink: any LogSink) { sinks.append(sink) }

    /// No console and no other sinks (as .NET's ClearProviders).
    public func clearSinks() {
        console = nil
        sinks.removeAll()
    }
}
