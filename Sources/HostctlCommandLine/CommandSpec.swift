/// One command's declaration: the single source that drives parsing, `--help` and
/// shell completion, so the three can never disagree.
public struct CommandSpec: Sendable {
    /// The word after `hostctl` ("run").
    public let name: String
    /// One line for command lists.
    public let summary: String
    /// Usage lines after "Usage:", e.g. "hostctl run [options] [[--] <app arguments>...]".
    public let usage: [String]
    /// Positional arguments the command itself takes (not forwarded ones).
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]
    /// Unknown tokens and everything after `--` go to the app instead of being errors.
    public let forwardsUnknownArguments: Bool
    /// Paragraphs printed after the options in `--help`.
    public let notes: [String]
    /// Left out of command lists and help (used by completion scripts).
    public let isHidden: Bool

    public init(
        name: String, summary: String, usage: [String], arguments: [ArgumentSpec] = [],
        options: [OptionSpec], forwardsUnknownArguments: Bool = false, notes: [String] = [], isHidden: Bool = false
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.arguments = arguments
        self.options = options + [OptionSpec.help]
        self.forwardsUnknownArguments = forwardsUnknownArguments
        self.notes = notes
        self.isHidden = isHidden
    }

    /// The option one of whose names is exactly `token`.
    public func option(named token: String) -> OptionSpec? {
        options.first { $0.names.contains(token) }
    }
}

/// A positional argument of a command ("TEMPLATE" for `hostctl new`).
public struct ArgumentSpec: Sendable {
    public let key: String
    public let placeholder: String
    public let summary: String
    /// Allowed values, matched without regard to case; nil means any value.
    public let choices: [Choice]?
    public let completion: ValueCompletion

    public init(key: String, placeholder: String, summary: String, choices: [Choice]? = nil, completion: ValueCompletion? = nil) {
        self.key = key
        self.placeholder = placeholder
        self.summary = summary
        self.choices = choices
        self.completion = completion ?? (choices != nil ? .choices : .none)
    }
}

/// One option: its names, whether it takes a value, what values are allowed, and how a
/// shell should complete that value.
public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case flag
        case value(placeholder: String)
    }

    /// The name code looks the option up by ("configuration").
    public let key: String
    /// Every spelling, short ones first ("-c", "--configuration").
    public let names: [String]
    public let kind: Kind
    public let summary: String
    /// Allowed values, matched without regard to case; nil means any value.
    public let choices: [Choice]?
    public let isRepeatable: Bool
    public let isHidden: Bool
    public let completion: ValueCompletion

    public init(
        key: String, names: [String], kind: Kind, summary: String, choices: [Choice]? = nil,
        isRepeatable: Bool = false, isHidden: Bool = false, completion: ValueCompletion? = nil
    ) {
        self.key = key
        self.names = names
        self.kind = kind
        self.summary = summary
        self.choices = choices
        self.isRepeatable = isRepeatable
        self.isHidden = isHidden
        self.completion = completion ?? (choices != nil ? .choices : .none)
    }

    public var takesValue: Bool { kind != .flag }

    /// The longest spelling, used in messages ("--configuration").
    public var displayName: String { names.max { $0.count < $1.count } ?? key }

    /// `-h`, `--help`, `-?`: every command has it.
    public static let help = OptionSpec(key: "help", names: ["-h", "--help", "-?"], kind: .flag, summary: "Show help and usage information.")
}

/// An allowed value and its other spellings ("q" for "quiet").
public struct Choice: Sendable, Equatable {
    /// The value code receives.
    public let value: String
    public let aliases: [String]

    public init(_ value: String, aliases: [String] = []) {
        self.value = value
        self.aliases = aliases
    }

    func matches(_ text: String) -> Bool {
        let folded = text.lowercased()
        return value.lowercased() == folded || aliases.contains { $0.lowercased() == folded }
    }
}

/// How a shell completes an option's value or a positional argument.
public enum ValueCompletion: Sendable, Equatable {
    case none
    /// The option's `choices`.
    case choices
    case directory
    case file
    /// Profile names from the launch settings of the package at hand, asked of hostctl itself.
    case launchProfiles
    /// Template names from `hostctl new --list`.
    case templates
}
