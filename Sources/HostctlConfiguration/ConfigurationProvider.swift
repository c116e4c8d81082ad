/// A source of configuration: a settings file, the environment, the command line, values
/// set in code. `Configuration` asks each for its entries at start and again on reload;
/// the later source wins for a key both provide.
///
/// ```swift
/// final class Defaults: ConfigurationProvider {
///     var description: String { "defaults" }
///     func load() throws(ConfigurationError) -> [ConfigurationEntry] {
///         [ConfigurationEntry(key: "Shop:MaxItems", value: "10", origin: .code("defaults"))]
///     }
/// }
/// ```
public protocol ConfigurationProvider: AnyObject, Sendable {
    /// What the source is, for messages ("JSON file /srv/shop/appsettings.json").
    var description: String { get }
    /// Reads the source now. A malformed or unreadable source throws; a missing optional one
    /// provides nothing.
    func load() throws(ConfigurationError) -> [ConfigurationEntry]
    /// Files whose change should reload this source (none for sources that do not change).
    var watchedFiles: [String] { get }
}

extension ConfigurationProvider {
    public var watchedFiles: [String] { [] }
}

/// A configuration source could not be read: which, and why (with the file, line and
/// column when it is a malformed file).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
