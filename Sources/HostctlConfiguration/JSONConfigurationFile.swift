import Glibc
import HostctlJSON
import HostctlSystem

/// A JSON settings file (`appsettings.json`), read as .NET reads it: comments and trailing
/// commas allowed; objects become sections, array elements the sections "0", "1", …;
/// numbers and booleans their text as written; `null` and empty objects and arrays an
/// empty section. A file that is missing provides nothing when it is optional; a file that
/// cannot be read or is not valid JSON is an error naming the file, line and column.
public final class JSONConfigurationFile: ConfigurationProvider {
    public let path: String
    public let isOptional: Bool
    public let reloadsOnChange: Bool

    public init(path: String, optional: Bool = true, reloadOnChange: Bool = true) {
        self.path = path
        self.isOptional = optional
        self.reloadsOnChange = reloadOnChange
    }

    public var description: String { "JSON file \(path)" }

    public var watchedFiles: [String] { reloadsOnChange ? [path] : [] }

    public func load() throws(ConfigurationError) -> [ConfigurationEntry] {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            if error.code == ENOENT {
                if isOptional { return [] }
                throw ConfigurationError("The configuration file '\(path)' was not found and is not optional.")
            }
            throw ConfigurationError("The configuration file '\(path)' could not be read: \(error.reason).")
        }
        return try Self.entries(of: bytes, path: path)
    }

    /// Parses a settings document into entries (pure: the file's bytes in, entries out).
    public static func entries(of bytes: [UInt8], path: String) throws(ConfigurationError) -> [ConfigurationEntry] {
        // An empty file is an empty configuration (a new project's placeholder).
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
        let document: JSONValue
        do {
            document = try JSONReader(allowsComments: true, allowsTrailingCommas: true).read(bytes)
        } catch {
            throw ConfigurationError("\(path):\(error.position.line):\(error.position.column): \(error.message)")
        }
        guard case .object(let root) = document else {
            throw ConfigurationError("\(path):1:1: The top level of a configuration file must be an object, not \(document.kindDescription).")
        }
        var entries: [ConfigurationEntry] = []
        try flatten(root, prefix: "", position: nil, path: path, into: &entries)
        return entries
    }

    private static func flatten(
        _ object: JSONObject, prefix: String, position: JSONPosition?, path: String, into entries: inout [ConfigurationEntry]
    ) throws(ConfigurationError) {
        if object.members.isEmpty, !prefix.isEmpty {
            entries.append(ConfigurationEntry(key: prefix, value: nil, origin: .file(path: path, position: position)))
        }
        var seen: Set<String> = []
        for member in object.members {
            let key = ConfigurationPath.combine(prefix, member.key)
            guard seen.insert(ConfigurationPath.folded(member.key)).inserted else {
                throw ConfigurationError("\(path):\(member.position.line):\(member.position.column): The key '\(key)' is given twice (keys are compared without regard to case).")
            }
            try flatten(member.value, key: key, position: member.position, path: path, into: &entries)
        }
    }

    private static func flatten(
        _ value: JSONValue, key: String, position: JSONPosition, path: String, into entries: inout [ConfigurationEntry]
    ) throws(ConfigurationError) {
        let origin = ConfigurationOrigin.file(path: path, position: position)
        switch value {
        case .object(let object):
            try flatten(object, prefix: key, position: position, path: path, into: &entries)
        case .array(let elements):
            if elements.isEmpty { entries.append(ConfigurationEntry(key: key, value: nil, origin: origin)) }
            for (index, element) in elements.enumerated() {
                try flatten(element, key: ConfigurationPath.combine(key, String(index)), position: position, path: path, into: &entries)
            }
        case .string(let text): entries.append(ConfigurationEntry(key: key, value: text, origin: origin))
        case .number(let literal): entries.append(ConfigurationEntry(key: key, value: literal, origin: origin))
        case .bool(let flag): entries.append(ConfigurationEntry(key: key, value: flag ? "true" : "false", origin: origin))
        case .null: entries.append(ConfigurationEntry(key: key, value: nil, origin: origin))
        }
    }
}
