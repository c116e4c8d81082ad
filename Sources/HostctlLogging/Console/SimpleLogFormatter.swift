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
    private let lastHeader = LogHeaderCache()

    init(singleLine: Bool, timestamp: LogTimestamp?) {
        self.singleLine = singleLine
        self.timestamp = timestamp
    }

    static let padding: StaticString = "      "
    static let breakAndPadding: StaticString = "\n      "

    func format(_ entry: borrowing LogRecord, colors: Bool, into output: inout [UInt8]) {
        if let timestamp { timestamp.format(entry.timestamp, into: &output) }
        if singleLine {
            appendLevel(entry.level, colors: colors, into: &output)
            output.appendOnOneLine(entry)
            return
        }
        // A request log repeats one header on every line: build it once per change.
        let header = lastHeader
        if header.eventID != entry.eventID || header.level != entry.level || header.colors != colors || header.category != entry.category {
            header.bytes.removeAll(keepingCapacity: true)
            appendLevel(entry.level, colors: colors, into: &header.bytes)
            header.bytes.append(entry.category, replacingLineBreaksWith: " ")
            header.bytes.append("[")
            header.bytes.append(decimal: entry.eventID)
            header.bytes.append("]\n")
            (header.level, header.colors, header.category, header.eventID) = (entry.level, colors, entry.category, entry.eventID)
        }
        output.append(contentsOf: header.bytes)
        if !entry.scopes.isEmpty {
            output.append(Self.padding)
            for (index, scope) in entry.scopes.enumerated() {
                output.append(index == 0 ? "=> " : " => ")
                output.append(scope, replacingLineBreaksWith: " ")
            }
            output.append("\n")
        }
        output.append(Self.padding)
        output.append(utf8: entry.message, replacingLineBreaksWith: Self.breakAndPadding)
        output.append("\n")
        if let error = entry.error {
            output.append(Self.padding)
            output.append(error, replacingLineBreaksWith: Self.breakAndPadding)
            output.append("\n")
        }
    }

    private func appendLevel(_ level: LogLevel, colors: Bool, into output: inout [UInt8]) {
        if colors { output.append(Self.colorStart(level)) }
        output.append(string: level.shortName)
        if colors { output.append(Self.colorEnd(level)) }
        output.append(": ")
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

/// The simple format's last header. One thread at a time formats (the console's callers
/// hold its queue's lock; a test formats on its own thread), so its state is not checked
/// for exclusive access at run time as well.
final class LogHeaderCache: @unchecked Sendable {
    @exclusivity(unchecked) var level = LogLevel.none
    @exclusivity(unchecked) var colors = false
    @exclusivity(unchecked) var category = ""
    @exclusivity(unchecked) var eventID = Int.min
    @exclusivity(unchecked) var bytes: [UInt8] = []
}

/// journald's console format: one line per entry with the syslog priority in front
/// (`<6>Microsoft.Hosting.Lifetime[14] Now listening on: …`), as .NET's systemd formatter.
struct SystemdLogFormatter: LogFormatter {
    let timestamp: LogTimestamp?

    func format(_ entry: borrowing LogRecord, colors: Bool, into output: inout [UInt8]) {
        output.append("<")
        output.append(decimal: Self.priority(entry.level))
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
    mutating func appendOnOneLine(_ entry: borrowing LogRecord) {
        append(entry.category, replacingLineBreaksWith: " ")
        append("[")
        append(decimal: entry.eventID)
        append("]")
        for scope in entry.scopes {
            append(" => ")
            append(scope, replacingLineBreaksWith: " ")
        }
        append(" ")
        append(utf8: entry.message, replacingLineBreaksWith: " ")
        if let error = entry.error {
            append(" ")
            append(error, replacingLineBreaksWith: " ")
        }
        append("\n")
    }
}
