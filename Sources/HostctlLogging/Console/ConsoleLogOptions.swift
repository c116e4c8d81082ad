/// How the console sink writes: .NET's ConsoleLoggerOptions and console formatter options,
/// under the same configuration keys (`Logging:Console:FormatterName`,
/// `Logging:Console:FormatterOptions:SingleLine`, …).
public struct ConsoleLogOptions: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// `info: Category[eventId]` and the message indented below (ASP.NET's default).
        case simple
        /// One JSON object per line, for log collectors.
        case json
        /// One line per entry with a syslog priority prefix (`<6>`), for journald.
        case systemd
    }

    public enum ColorBehavior: String, Sendable, Equatable, CaseIterable {
        /// Colour when the output is a terminal (and TERM is not "dumb").
        case `default`
        /// Colour even when the output is not a terminal.
        case enabled
        case disabled
    }

    public var format: Format = .simple
    /// Show the scopes an entry was logged in.
    public var includesScopes = false
    /// The simple format on one line (`info: Category[0] message`).
    public var singleLine = false
    /// A .NET date format put before each entry ("HH:mm:ss ", "yyyy-MM-ddTHH:mm:ss.fff "):
    /// `yyyy`, `yy`, `MM`, `dd`, `HH`, `hh`, `mm`, `ss`, `f`…`fffffff`, `tt`, 'quoted text';
    /// anything else is copied. nil: no timestamp (the default, as .NET).
    public var timestampFormat: String?
    public var usesUTCTimestamp = false
    /// NO_COLOR (set to anything) turns colour off whatever this says (no-color.org).
    public var colorBehavior: ColorBehavior = .default
    /// Entries at this level or above go to standard error, the rest to standard output.
    /// .NET's default sends everything to standard output; hostctl sends errors to standard
    /// error, where the process's failures have always gone.
    public var standardErrorThreshold: LogLevel = .error
    /// Entries waiting for a slow console; past it, entries are dropped (and counted) rather
    /// than making the thread that logs wait (.NET's MaxQueueLength, with DropWrite).
    public var maxQueueLength = 2500

    public init() {}
}
