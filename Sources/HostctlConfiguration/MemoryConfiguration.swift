import HostctlCore

/// Values given in code, as .NET's in-memory collection source: for defaults an app sets
/// before the files and environment override them, and for tests.
///
/// ```swift
/// builder.configuration.add(MemoryConfiguration(["Shop:MaxItems": "10"]))
/// ```
public final class MemoryConfiguration: ConfigurationProvider, @unchecked Sendable {
    public let name: String
    private let lock = Lock()
    private var values: [(key: String, value: String?)]

    public init(_ values: KeyValuePairs<String, String?>, name: String = "in-memory configuration") {
        self.values = values.map { ($0.key, $0.value) }
        self.name = name
    }

    public var description: String { name }

    /// Sets (or, with nil, empties) a key; the next load of the configuration sees it.
    public func set(_ key: String, _ value: String?) {
        lock.withLock {
            let folded = ConfigurationPath.folded(key)
            values.removeAll { ConfigurationPath.folded($0.key) == folded }
            values.append((key, value))
        }
    }

    public func load() throws(ConfigurationError) -> [ConfigurationEntry] {
        lock.withLock { values.map { ConfigurationEntry(key: $0.key, value: $0.value, origin: .code(name)) } }
    }
}
