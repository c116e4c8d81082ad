/// One section of a configuration snapshot: its value (if a source set one), where that
/// came from, and its subsections. Built once per load from every source's entries, later
/// sources winning; never changed afterwards, so readers on any thread share it.
final class ConfigurationNode: Sendable {
    /// The last segment of the key, spelled as the winning source spelled it.
    let name: String
    /// The whole key ("Shop:MaxItems").
    let path: String
    let value: String?
    let origin: ConfigurationOrigin?
    /// Subsections by folded name.
    let children: [String: ConfigurationNode]
    /// Subsections in .NET's key order (numbers first, numerically).
    let orderedChildren: [ConfigurationNode]
    /// Every value this key had, lowest precedence first (for `Configuration.values(of:)`).
    let history: [ConfigurationValue]

    init(name: String, path: String, value: String?, origin: ConfigurationOrigin?, children: [ConfigurationNode], history: [ConfigurationValue]) {
        self.name = name
        self.path = path
        self.value = value
        self.origin = origin
        self.orderedChildren = children.sorted { ConfigurationPath.areInIncreasingOrder($0.name, $1.name) }
        self.children = Dictionary(children.map { (ConfigurationPath.folded($0.name), $0) }, uniquingKeysWith: { _, last in last })
        self.history = history
    }

    /// Present in some source: with a value, with subsections, or as an empty section.
    var exists: Bool { origin != nil || !children.isEmpty }

    func child(_ name: some StringProtocol) -> ConfigurationNode? { children[ConfigurationPath.folded(name)] }

    /// The node at `path` below this one ("" is this node).
    func descendant(_ path: String) -> ConfigurationNode? {
        if path.isEmpty { return self }
        var node = self
        for segment in ConfigurationPath.segments(path) {
            guard let next = node.child(segment) else { return nil }
            node = next
        }
        return node
    }

    /// The tree of `layers` (each source's entries, lowest precedence first).
    static func build(_ layers: [[ConfigurationEntry]]) -> ConfigurationNode {
        let root = Builder(name: "", path: "")
        for layer in layers {
            for entry in layer {
                var node = root
                var path = ""
                for segment in ConfigurationPath.segments(entry.key) {
                    path = path.isEmpty ? String(segment) : path + ":" + segment
                    node = node.child(String(segment), path: path)
                }
                node.set(entry)
            }
        }
        return root.freeze()
    }

    private final class Builder {
        var name: String
        let path: String
        var value: String?
        var origin: ConfigurationOrigin?
        var history: [ConfigurationValue] = []
        var children: [String: Builder] = [:]

        init(name: String, path: String) {
            self.name = name
            self.path = path
        }

        func child(_ name: String, path: String) -> Builder {
            let folded = ConfigurationPath.folded(name)
            if let existing = children[folded] {
                existing.name = name
                return existing
            }
            let created = Builder(name: name, path: path)
            children[folded] = created
            return created
        }

        func set(_ entry: ConfigurationEntry) {
            value = entry.value
            origin = entry.origin
            history.append(ConfigurationValue(value: entry.value, origin: entry.origin))
        }

        func freeze() -> ConfigurationNode {
            ConfigurationNode(
                name: name, path: path, value: value, origin: origin, children: children.values.map { $0.freeze() }, history: history
            )
        }
    }
}
