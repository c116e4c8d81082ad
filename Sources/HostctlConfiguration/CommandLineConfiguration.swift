/// Command-line arguments as configuration, as .NET reads them: `--Key=value`,
/// `--Section:Key value` (the next argument is the value), and `Key=value`. Other arguments
/// (single-dash switches, a lone `--Key` at the end, anything without `=`) are left to the
/// app. `/Key value`, which .NET also accepts, is not read: on Linux it is a path.
public final class CommandLineConfiguration: ConfigurationProvider {
    public let arguments: [String]

    /// `arguments` without the program's name.
    public init(_ arguments: [String]) {
        self.arguments = arguments
    }

    public var description: String { "command-line arguments" }

    public func load() throws(ConfigurationError) -> [ConfigurationEntry] {
        var entries: [ConfigurationEntry] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            let body: Substring
            if argument.hasPrefix("--") {
                body = argument.dropFirst(2)
            } else if !argument.hasPrefix("-"), !argument.hasPrefix("/"), argument.contains("=") {
                body = Substring(argument)
            } else {
                continue
            }
            if let equals = body.firstIndex(of: "=") {
                let key = body[..<equals]
                guard !key.isEmpty else { continue }
                entries.append(ConfigurationEntry(key: String(key), value: String(body[body.index(after: equals)...]), origin: .commandLine(argument)))
            } else if index < arguments.count, !body.isEmpty {
                let value = arguments[index]
                index += 1
                entries.append(ConfigurationEntry(key: String(body), value: value, origin: .commandLine("\(argument) \(value)")))
            }
        }
        return entries
    }
}
