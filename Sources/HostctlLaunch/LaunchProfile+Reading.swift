import HostctlJSON

extension LaunchProfile {
    /// Interprets one profile's JSON, failing with the reason `dotnet run` gives for the
    /// same problem. Property names match exactly or, failing that, ignoring ASCII case
    /// (classic SDKs tolerated any casing); `commandName`'s value is case-sensitive.
    public static func read(name: String, from value: JSONValue) throws(ProfileProblem) -> LaunchProfile {
        guard case .object(let object) = value else {
            throw ProfileProblem("A profile with the specified name isn't a valid JSON object.")
        }
        guard case .string(let commandName)? = object.member(matchingCaseInsensitively: "commandName")?.value else {
            throw ProfileProblem("A usable launch profile could not be located.")
        }
        let kind: Kind
        switch commandName {
        case "Project": kind = .project
        case "Executable": kind = .executable
        case "Proxied": kind = .proxied(.proxied)
        case "IISExpress": kind = .proxied(.iisExpress)
        case "IIS": kind = .proxied(.iis)
        default: throw ProfileProblem("The launch profile type '\(commandName)' is not supported.")
        }

        var profile = LaunchProfile(name: name, kind: kind)
        let reader = PropertyReader(object: object)
        profile.commandLineArgs = try reader.string("commandLineArgs")
        profile.applicationUrl = try reader.string("applicationUrl")
        profile.launchUrl = try reader.string("launchUrl")
        profile.workingDirectory = try reader.string("workingDirectory")
        profile.executablePath = try reader.string("executablePath")
        profile.product = try reader.string("product")
        profile.dotnetRunMessages = try reader.boolean("dotnetRunMessages") ?? false
        profile.launchBrowser = try reader.boolean("launchBrowser") ?? false
        profile.environmentVariables = try reader.environmentVariables()

        if let server = try reader.string("server"), !server.isEmpty {
            guard let parsed = ServerKind(parsing: server) else {
                throw ProfileProblem(
                    "The value '\(server)' of property 'server' is not valid. Valid values: "
                        + ServerKind.allCases.map(\.rawValue).joined(separator: ", ") + "."
                )
            }
            profile.server = parsed
        }
        if let startMode = try reader.string("startMode"), !startMode.isEmpty {
            guard let parsed = [StartMode.onDemand, .always].first(where: { $0.rawValue.lowercased() == startMode.lowercased() }) else {
                throw ProfileProblem("The value '\(startMode)' of property 'startMode' is not valid. Valid values: onDemand, always.")
            }
            profile.startMode = parsed
        }
        if let model = try reader.string("hostingModel"), !model.isEmpty {
            guard let parsed = HostingModel.allCases.first(where: { $0.rawValue.lowercased() == model.lowercased() }) else {
                throw ProfileProblem("The value '\(model)' of property 'hostingModel' is not valid. Valid values: InProcess, OutOfProcess.")
            }
            if kind == .proxied(.proxied), parsed == .inProcess {
                throw ProfileProblem("A 'Proxied' profile always runs the app out of process, behind the front: 'hostingModel' cannot be 'InProcess' (an 'IIS' or 'IISExpress' profile can).")
            }
            profile.hostingModel = parsed
        }
        if kind == .executable, (profile.executablePath ?? "").isEmpty {
            throw ProfileProblem("The launch profile type 'Executable' requires the property 'executablePath'.")
        }
        return profile
    }
}

/// Typed access to a profile's properties with `dotnet run`'s conversion rules.
private struct PropertyReader {
    let object: JSONObject

    func value(_ key: String) -> JSONValue? { object.member(matchingCaseInsensitively: key)?.value }

    /// Strings as they are; `true`/`false` as "True"/"False" and `null` as "" (System.Text.Json's
    /// lenient conversions the SDK relies on); anything else is an error.
    func string(_ key: String) throws(ProfileProblem) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "True" : "False"
        case .null: return nil
        default: throw ProfileProblem("Could not convert the value of property '\(key)' to a string.")
        }
    }

    /// `true`/`false`, a number (non-zero is true) or the strings "true"/"false".
    func boolean(_ key: String) throws(ProfileProblem) -> Bool? {
        guard let value = value(key) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .null: return nil
        case .number(let text):
            guard let number = Double(text) else { break }
            return number != 0
        case .string(let text):
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        default: break
        }
        throw ProfileProblem("Could not convert the value of property '\(key)' to a boolean.")
    }

    /// `environmentVariables`: an object of strings, in file order, a later duplicate winning.
    func environmentVariables() throws(ProfileProblem) -> [(name: String, value: String)] {
        guard let value = value("environmentVariables") else { return [] }
        if case .null = value { return [] }
        guard case .object(let variables) = value else {
            throw ProfileProblem("The property 'environmentVariables' must be an object if it is specified.")
        }
        var result: [(name: String, value: String)] = []
        for member in variables.members {
            let text: String
            switch member.value {
            case .string(let string): text = string
            case .bool(let flag): text = flag ? "True" : "False"
            case .null: text = ""
            default:
                throw ProfileProblem(
                    "Could not convert the value of environment variable '\(member.key)' to a string (it is \(member.value.kindDescription))."
                )
            }
            if let existing = result.firstIndex(where: { $0.name == member.key }) {
                result[existing].value = text
            } else {
                result.append((member.key, text))
            }
        }
        return result
    }
}

/// Why a profile could not be applied: the reason line under
/// `The launch profile "NAME" could not be applied.`
public struct ProfileProblem: Error, Equatable, Sendable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }
}
