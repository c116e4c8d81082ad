import HostctlConfiguration
import HostctlCore

/// Reads the `Logging` section as .NET does:
///
/// ```jsonc
/// "Logging": {
///   "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" },
///   "Console": {
///     "LogLevel": { "Default": "Debug" },             // rules for the console only
///     "FormatterName": "json",                        // simple | json | systemd
///     "FormatterOptions": { "SingleLine": true, "IncludeScopes": true, "TimestampFormat": "HH:mm:ss " },
///     "LogToStandardErrorThreshold": "Error", "MaxQueueLength": 2500
///   }
/// }
/// ```
///
/// A level that does not exist, or a value of the wrong type, is a `ConfigurationBindingError`
/// naming the key and the file.
public enum LoggingConfiguration {
    /// The filter rules of `Logging:LogLevel` (every sink) and `Logging:<Sink>:LogLevel`.
    public static func rules(from logging: ConfigurationSection) throws(ConfigurationBindingError) -> [LogFilterRule] {
        var found = try rules(from: logging.section("LogLevel"), sink: nil)
        for child in logging.children where child.key.lowercased() != "loglevel" {
            let levels = child.section("LogLevel")
            if levels.exists { found += try rules(from: levels, sink: child.key) }
        }
        return found
    }

    private static func rules(from levels: ConfigurationSection, sink: String?) throws(ConfigurationBindingError) -> [LogFilterRule] {
        var rules: [LogFilterRule] = []
        for entry in levels.children {
            let level = try level(entry)
            let category = entry.key.lowercased() == "default" ? nil : entry.key
            rules.append(LogFilterRule(sink: sink, category: category, level: level))
        }
        return rules
    }

    /// The level a section's value names; an error naming the key otherwise.
    public static func level(_ section: ConfigurationSection) throws(ConfigurationBindingError) -> LogLevel {
        guard let text = section.value, let level = LogLevel(name: text.trimmingSpaces) else {
            throw ConfigurationBindingError(
                key: section.path,
                reason: .rejected(value: section.value, reason: "not a log level (Trace, Debug, Information, Warning, Error, Critical or None)."),
                origin: section.origin
            )
        }
        return level
    }

    /// `options` with what `Logging:Console` sets.
    public static func consoleOptions(from logging: ConfigurationSection, defaults: ConsoleLogOptions = ConsoleLogOptions()) throws(ConfigurationBindingError) -> ConsoleLogOptions {
        let console = logging.section("Console")
        var options = defaults
        guard console.exists else { return options }
        let settings = try console.decode(ConsoleSettings.self)
        if let name = settings.FormatterName {
            guard let format = ConsoleLogOptions.Format.allCases.first(where: { $0.rawValue == name.lowercased() }) else {
                let section = console.section("FormatterName")
                throw ConfigurationBindingError(
                    key: section.path, reason: .rejected(value: name, reason: "not a console format (simple, json or systemd)."), origin: section.origin
                )
            }
            options.format = format
        }
        if settings.DisableColors == true { options.colorBehavior = .disabled }
        if let includeScopes = settings.IncludeScopes { options.includesScopes = includeScopes }
        if let formatter = settings.FormatterOptions {
            if let includeScopes = formatter.IncludeScopes { options.includesScopes = includeScopes }
            if let singleLine = formatter.SingleLine { options.singleLine = singleLine }
            if let format = formatter.TimestampFormat { options.timestampFormat = format.isEmpty ? nil : format }
            if let utc = formatter.UseUtcTimestamp { options.usesUTCTimestamp = utc }
            if let behavior = formatter.ColorBehavior {
                guard let found = ConsoleLogOptions.ColorBehavior.allCases.first(where: { $0.rawValue == behavior.lowercased() }) else {
                    let section = console.section("FormatterOptions:ColorBehavior")
                    throw ConfigurationBindingError(
                        key: section.path, reason: .rejected(value: behavior, reason: "not a colour behaviour (Default, Enabled or Disabled)."),
                        origin: section.origin
                    )
                }
                options.colorBehavior = found
            }
        }
        if console.section("LogToStandardErrorThreshold").exists {
            options.standardErrorThreshold = try level(console.section("LogToStandardErrorThreshold"))
        }
        if let length = settings.MaxQueueLength {
            guard length > 0 else {
                let section = console.section("MaxQueueLength")
                throw ConfigurationBindingError(key: section.path, reason: .rejected(value: String(length), reason: "must be greater than 0."), origin: section.origin)
            }
            options.maxQueueLength = length
        }
        return options
    }

    /// `Logging:Console` as .NET names its keys (matched without regard to case).
    private struct ConsoleSettings: Decodable {
        var FormatterName: String?
        var FormatterOptions: FormatterSettings?
        var IncludeScopes: Bool?
        var DisableColors: Bool?
        var MaxQueueLength: Int?

        struct FormatterSettings: Decodable {
            var IncludeScopes: Bool?
            var SingleLine: Bool?
            var TimestampFormat: String?
            var UseUtcTimestamp: Bool?
            var ColorBehavior: String?
        }
    }
}
