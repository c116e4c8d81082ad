import HostctlCommandLine

/// The outcome of choosing a launch profile: one to apply, none, or a failure that is
/// reported before the app runs without a profile (as `dotnet run` does).
public enum ProfileSelection: Sendable {
    case none
    case selected(LaunchProfile, typedName: String, settings: LaunchSettings)
    case failed(ProfileFailure)
}

/// What to print to stderr when a profile cannot be used.
public struct ProfileFailure: Error, Sendable, Equatable {
    /// The full message, possibly several lines.
    public let message: String

    public init(message: String) { self.message = message }

    /// `The launch profile "NAME" could not be applied.` and the reason.
    public static func notApplied(_ displayName: String, _ reason: String) -> ProfileFailure {
        ProfileFailure(message: "The launch profile \"\(displayName)\" could not be applied.\n\(reason)")
    }

    /// A launch settings file hostctl cannot use at all: the file (and the position, for a
    /// syntax error) comes first, so the message reads as the file's problem and editors can
    /// jump to it; then what it means for this run.
    public static func unusableFile(_ error: LaunchSettingsError, requested: String?) -> ProfileFailure {
        let consequence = requested.map { "The launch profile \"\($0)\" could not be applied; the app runs without a profile." }
            ?? "The app runs without a launch profile."
        return ProfileFailure(message: error.message + "\n" + consequence)
    }
}

/// Chooses the profile `dotnet run` would choose.
public enum ProfileSelector {
    /// The display name when no profile was named.
    public static let defaultDisplayName = "(Default)"

    /// - Parameters:
    ///   - requested: the `-lp` value; empty counts as not given.
    ///   - settings: the file's contents or why it could not be read; nil when there is no file.
    ///   - searchedPaths: where the file was looked for, for the "could not be located" message.
    public static func select(
        requested: String?, settings: Result<LaunchSettings, LaunchSettingsError>?, searchedPaths: [String]
    ) -> ProfileSelection {
        let requested = (requested?.isEmpty ?? true) ? nil : requested
        guard let settings else {
            guard let requested else { return .none }
            return .failed(ProfileFailure(
                message: "Cannot use launch profile '\(requested)' because the launch settings file could not be located. Locations tried:\n"
                    + searchedPaths.map { "  \($0)" }.joined(separator: "\n")
            ))
        }
        let displayName = requested ?? defaultDisplayName
        let document: LaunchSettings
        switch settings {
        case .failure(let error): return .failed(.unusableFile(error, requested: requested))
        case .success(let read): document = read
        }

        let entry: LaunchSettings.Entry
        if let requested {
            let folded = requested.lowercased()
            let matches = document.profiles.filter { $0.name.lowercased() == folded }
            if matches.isEmpty {
                return .failed(.notApplied(displayName, unknownNameReason(requested, in: document)))
            }
            if matches.count > 1 {
                return .failed(.notApplied(
                    displayName,
                    "There are several launch profiles with case-sensitive names, which isn't permitted:\n"
                        + matches.map { "\t\($0.name)" }.joined(separator: "\n") + "\nMake the profile names distinct."
                ))
            }
            entry = matches[0]
        } else {
            // The first profile whose commandName is exactly "Project", in file order.
            guard let first = document.profiles.first(where: { $0.value.objectValue?["commandName"]?.stringValue == "Project" }) else {
                return .failed(.notApplied(displayName, "A usable launch profile could not be located."))
            }
            entry = first
        }

        do {
            let profile = try LaunchProfile.read(name: entry.name, from: entry.value)
            return .selected(profile, typedName: requested ?? entry.name, settings: document)
        } catch {
            return .failed(.notApplied(displayName, error.reason))
        }
    }

    /// dotnet's words, then what a newcomer needs to recover: the nearest name and the
    /// names the file has.
    static func unknownNameReason(_ requested: String, in document: LaunchSettings) -> String {
        var reason = "A launch profile with the name '\(requested)' doesn't exist."
        let names = document.profiles.map(\.name)
        if let nearest = NameSuggestion.nearest(to: requested, among: names) {
            reason += " Did you mean '\(nearest)'?"
        }
        if names.isEmpty {
            reason += "\n\(document.path) has no profiles."
        } else {
            reason += "\nThe profiles in \(document.path): " + names.map { "'\($0)'" }.joined(separator: ", ") + "."
        }
        return reason
    }
}
