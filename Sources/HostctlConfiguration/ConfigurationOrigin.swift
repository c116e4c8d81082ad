import HostctlJSON

/// Where a configuration value came from, so a message about it can send the reader to
/// the right line of the right file, or to the variable or argument that set it.
public enum ConfigurationOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A settings file, and where in it the value's key is (nil when the file is not JSON).
    case file(path: String, position: JSONPosition?)
    /// `SHOP__MAXITEMS=10`: the variable's name as set.
    case environmentVariable(String)
    /// `--Shop:MaxItems=10`: the argument as given (with its value when it was separate).
    case commandLine(String)
    /// Set in code: `configuration["Shop:MaxItems"] = "10"`, or an in-memory source's name.
    case code(String)

    public var description: String {
        switch self {
        case .file(let path, let position?): "\(path):\(position.line):\(position.column)"
        case .file(let path, nil): path
        case .environmentVariable(let name): "environment variable \(name)"
        case .commandLine(let argument): "command-line argument '\(argument)'"
        case .code(let name): name
        }
    }
}

/// One key and its value as a source provides it. A nil value marks a section that exists
/// with nothing in it (`"Items": []`, `"Key": null`).
public struct ConfigurationEntry: Sendable, Equatable {
    public var key: String
    public var value: String?
    public var origin: ConfigurationOrigin

    public init(key: String, value: String?, origin: ConfigurationOrigin) {
        self.key = key
        self.value = value
        self.origin = origin
    }
}

/// A value with where it came from (`Configuration.values(of:)`, `ConfigurationSection.origin`).
public struct ConfigurationValue: Sendable, Equatable {
    public var value: String?
    public var origin: ConfigurationOrigin
}
