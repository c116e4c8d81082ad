/// A part of the configuration under one key: `configuration.section("Shop")`. Reads go to
/// the configuration's current snapshot, so a section taken before a reload reads the new
/// values after it.
///
/// ```swift
/// let shop = configuration.section("Shop")
/// shop["MaxItems"]                                  // "10"
/// for item in shop.section("Items").children { print(item.key, item.value ?? "") }
/// let options = try shop.decode(ShopOptions.self)   // names the key, type and file on failure
/// ```
public struct ConfigurationSection: Sendable {
    let configuration: Configuration
    /// The whole key ("Shop:Items:0"); "" for the root.
    public let path: String

    init(configuration: Configuration, path: String) {
        self.configuration = configuration
        self.path = path
    }

    /// The last segment of `path` ("0").
    public var key: String { ConfigurationPath.key(of: path) }

    private var node: ConfigurationNode? { configuration.snapshot.descendant(path) }

    /// The section's own value, if a source set one.
    public var value: String? { node?.value }

    /// Where the section's value came from.
    public var origin: ConfigurationOrigin? { node?.origin }

    /// Whether any source mentions the section (a value, subsections, or an empty `{}`).
    public var exists: Bool { node?.exists ?? false }

    public subscript(key: String) -> String? { configuration[ConfigurationPath.combine(path, key)] }

    public func section(_ key: String) -> ConfigurationSection {
        ConfigurationSection(configuration: configuration, path: ConfigurationPath.combine(path, key))
    }

    /// The subsections, numbers first in numeric order (array elements), then by name.
    public var children: [ConfigurationSection] {
        node?.orderedChildren.map { ConfigurationSection(configuration: configuration, path: $0.path) } ?? []
    }

    /// Binds the section to `type`, as .NET's `Get<T>()`: properties match keys without
    /// regard to case; strings convert to numbers, booleans (`true`/`false` in any case) and
    /// `Duration` (.NET's TimeSpan text, `00:02:10` or `1.00:00:00`); subsections become
    /// nested types, arrays (`Items:0`, `Items:1`) and dictionaries; a missing optional
    /// property, or an empty value for a non-string optional, is nil. A value that does not
    /// convert, or a required one that is missing, throws an error that names the key, the
    /// expected type and where the value came from:
    ///
    ///     Failed to convert configuration value 'ten' at 'Shop:MaxItems' to type 'Int'
    ///     (from /srv/shop/appsettings.json:3:17).
    public func decode<T: Decodable>(_ type: T.Type) throws(ConfigurationBindingError) -> T {
        try ConfigurationDecoding.decode(type, from: configuration.snapshot, at: path)
    }
}
