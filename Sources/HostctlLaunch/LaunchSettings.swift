import HostctlJSON
import HostctlSystem

/// A launchSettings.json file, read but not yet interpreted: its profiles in file order.
///
/// The file is only ever read; hostctl never rewrites it, not even to fix it.
public struct LaunchSettings: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let value: JSONValue
    }

    /// The file's absolute path.
    public let path: String
    /// Profiles in file order. A name written twice keeps its first place and its last value.
    public let profiles: [Entry]
    /// The top-level `iisSettings` object, which IIS Express profiles take their URL from.
    public let iisSettings: JSONObject?

    public var directory: String { FilePath.directory(path) }

    public static let fileName = "launchSettings.json"

    /// Where hostctl looks, in order of precedence: the package root, then Properties/.
    public static func candidatePaths(inPackage directory: String) -> [String] {
        [FilePath.join(directory, fileName), FilePath.join(directory, "Properties", fileName)]
    }

    /// Reads and checks the document's shape.
    public static func read(path: String) throws(LaunchSettingsError) -> LaunchSettings {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            throw .unreadable(path: path, error: error)
        }
        return try parse(bytes, path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(LaunchSettingsError) -> LaunchSettings {
        let document: JSONValue
        do {
            document = try JSONReader(allowsComments: true, allowsTrailingCommas: true).read(bytes)
        } catch {
            throw .syntax(path: path, error: error)
        }
        guard case .object(let root) = document, case .object(let profiles)? = root.member(matchingCaseInsensitively: "profiles")?.value
        else { throw .profilesNotAnObject(path: path) }

        var entries: [Entry] = []
        var positions: [String: Int] = [:]
        for member in profiles.members {
            if let existing = positions[member.key] {
                entries[existing] = Entry(name: member.key, value: member.value)
            } else {
                positions[member.key] = entries.count
                entries.append(Entry(name: member.key, value: member.value))
            }
        }
        return LaunchSettings(
            path: path, profiles: entries,
            iisSettings: root.member(matchingCaseInsensitively: "iisSettings")?.value.objectValue
        )
    }
}

/// Why a launchSettings.json could not be used at all.
public enum LaunchSettingsError: Error, Equatable {
    case unreadable(path: String, error: SystemError)
    case syntax(path: String, error: JSONSyntaxError)
    case profilesNotAnObject(path: String)

    /// What is wrong, starting with where (`path:line:column:` for a syntax error, as
    /// compilers write it).
    public var message: String {
        switch self {
        case .unreadable(let path, let error):
            "\(path): The launch settings file cannot be read: \(error.reason)."
        case .syntax(let path, let error):
            "\(path):\(error.position.line):\(error.position.column): The launch settings file is malformed: \(error.message)"
        case .profilesNotAnObject(let path):
            "\(path): The 'profiles' property of the launch settings document is not a JSON object."
        }
    }
}
