import HostctlSystem

/// Environment variables as configuration, as .NET maps them: `__` separates sections
/// (`Logging__LogLevel__Default` → `Logging:LogLevel:Default`, since `:` cannot appear in a
/// variable's name in every shell). With a prefix, only the variables that start with it
/// (in any case) count, with the prefix taken off: `HOSTCTL_ENVIRONMENT` → `environment`.
/// Without one, every variable counts, and Azure's connection-string variables
/// (`SQLCONNSTR_Main`, `MYSQLCONNSTR_`, `SQLAZURECONNSTR_`, `CUSTOMCONNSTR_`) become
/// `ConnectionStrings:Main`.
public final class EnvironmentVariablesConfiguration: ConfigurationProvider {
    public let environment: ProcessEnvironment
    public let prefix: String?

    public init(_ environment: ProcessEnvironment, prefix: String? = nil) {
        self.environment = environment
        self.prefix = prefix
    }

    public var description: String { prefix.map { "environment variables starting with \($0)" } ?? "environment variables" }

    private static let connectionStringPrefixes = ["MYSQLCONNSTR_", "SQLAZURECONNSTR_", "SQLCONNSTR_", "CUSTOMCONNSTR_"]

    public func load() throws(ConfigurationError) -> [ConfigurationEntry] {
        var entries: [ConfigurationEntry] = []
        for (name, value) in environment.entries {
            var key = Substring(name)
            if let prefix {
                guard Self.hasPrefix(key, prefix) else { continue }
                key = key.dropFirst(prefix.count)
            } else if let azure = Self.connectionStringPrefixes.first(where: { Self.hasPrefix(key, $0) }) {
                key = Substring("ConnectionStrings__" + key.dropFirst(azure.count))
            }
            guard !key.isEmpty else { continue }
            entries.append(ConfigurationEntry(key: String(key.replacing("__", with: ":")), value: value, origin: .environmentVariable(name)))
        }
        return entries
    }

    private static func hasPrefix(_ name: Substring, _ prefix: String) -> Bool {
        name.utf8.count >= prefix.utf8.count
            && ConfigurationPath.folded(name.prefix(prefix.count)) == ConfigurationPath.folded(prefix)
    }
}
