/// ASP.NET Core's default console format:
///
///     info: Microsoft.Hosting.Lifetime[14]
///           Now listening on: http://localhost:5000
///
/// The level in colour on a terminal, the message (and an error, and with `IncludeScopes`
/// the scopes) indented by six spaces below; or all of it on one line with `SingleLine`.
struct SimpleLogFormatter: LogFormatter {
    let singleLine: Bool
    let timestamp: LogTimestamp?

    static let padding: StaticString = "      "
    static let breakAndPadding: StaticString = "\n      "

    func format(_ entry: LogEntry, colors: Bool, into output: inout [UInt8]) {
        if let timestamp { timestamp.format(entry.timestamp, into: &output) }
        if colors { output.append(Self.colorStart(entry.level)) }
        output.append(entry.level.shortName)
        if colors { output.append(Self.colorEnd(entry.level)) }
        output.append(": ")
        if singleLine {
            output.appendOnOneLine(entry)
            return
        }
        output.append(entry.category, replacingLineBreaksWith: " ")
        output.append("[")
        output.append(String(entry.eventID.id))
        output.append("]\n")
        if !entry.scopes.isEmpty {
            output.append(Self.padding)
            for (index, scope) in entry.scopes.enumerated() {
                output.append(index == 0 ? "=> " : " => ")
                output.append(scope, replacingLineBreaksWith: " ")
            }
            output.append("\n")
        }
        output.append(Self.padding)
        output.append(entry.message, replacingLineBreaksWith: Self.breakAndPadding)
        output.append("\n")
        if let error = entry.error {
            output.append(Self.padding)
            output.append(error, replacingLineBreaksWith: Self.breakAndPadding)
            output.append("\n")
        }
    }

    /// .NET's level colours (foreground, and a red background for errors); the black
    /// background .NET gives the other levels is left out, so light terminals stay readable.
    static func colorStart(_ level: LogLevel) -> StaticString {
        switch level {
        case .trace, .debug: "\u{1B}[37m"
        case .information: "\u{1B}[32m"
        case .warning: "\u{1B}[1m\u{1B}[33m"
        case .error: "\u{1B}[30m\u{1B}[41m"
        case .critical: "\u{1B}[1m\u{1B}[37m\u{1B}[41m"
        case .none: ""
        }
    }

    static func colorEnd(_ level: LogLevel) -> StaticString {
        switch level {
        case .error, .critical: "\u{1B}[39m\u{1B}[22m\u{1B}[49m"
        default: "\u{1B}[39m\u{1B}[22m"
        }
    }
}

/// journald's console format: one line per entry with the syslog priority in front
/// (`<6>Microsoft.Hosting.Lifetime[14] Now listening on: …`), as .NET's systemd formatter.
struct SystemdLogFormatter: LogFormatter {
    let timestamp: LogTimestamp?

    func format(_ entry: LogEntry, colors: Bool, into output: inout [UInt8]) {
        output.append("<")
        output.append(String(Self.priority(entry.level)))
        output.append(">")
        if let timestamp { timestamp.format(entry.timestamp, into: &output) }
        output.appendOnOneLine(entry)
    }

    static func priority(_ level: LogLevel) -> Int {
        switch level {
        case .trace, .debug: 7
        case .information: 6
        case .warning: 4
        case .error: 3
        case .critical, .none: 2
        }
    }
}

extension Array where Element == UInt8 {
    /// `Category[eventId] => scope … message error` and a line break, every line break inside
    /// made a space: the one-line formats' body.
    mutating func appendOnOneLine(_ entry: LogEntry) {
        append(entry.category, replacingLineBreaksWith: " ")
        append("[")
        append(String(entry.eventID.id))
        append("]")
        for scope in entry.scopes {
            append(" => ")
            append(scope, replacingLineBreaksWith: " ")
        }
        append(" ")
        append(entry.message, replacingLineBreaksWith: " ")
        if let error = entry.error {
            append(" ")
            append(error, replacingLineBreaksWith: " ")
        }
        append("\n")
    }
}
