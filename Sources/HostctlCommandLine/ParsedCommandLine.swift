/// What a command line said, by option key.
public struct ParsedCommandLine: Sendable, Equatable {
    /// Values of value options in the order given (choices normalized to their canonical value).
    public var values: [String: [String]] = [:]
    /// Flags that were present.
    public var flags: Set<String> = []
    /// Tokens for the app: unknown ones and everything after `--`, in order, empty strings kept.
    public var forwarded: [String] = []
    /// The command's own positional arguments.
    public var arguments: [String] = []

    public init() {}

    public var helpRequested: Bool { flags.contains("help") }

    /// The last value given for `key` (a repeated single-value option: the last one wins).
    public func value(_ key: String) -> String? { values[key]?.last }

    public func allValues(_ key: String) -> [String] { values[key] ?? [] }

    public func isSet(_ key: String) -> Bool { flags.contains(key) }
}

/// A command line that cannot be understood, in System.CommandLine's words (which is
/// what `dotnet run` prints).
public enum CommandLineError: Error, Equatable, CustomStringConvertible {
    case missingValue(option: String)
    case invalidChoice(option: String, value: String, allowed: [String])
    case unexpectedArgument(String)

    public var description: String {
        switch self {
        case .missingValue(let option):
            return "Required argument missing for option: '\(option)'."
        case .invalidChoice(_, let value, let allowed):
            return "Argument '\(value)' not recognized. Must be one of:\n" + allowed.map { "\t'\($0)'" }.joined(separator: "\n")
        case .unexpectedArgument(let token):
            return "Unrecognized command or argument '\(token)'."
        }
    }
}
