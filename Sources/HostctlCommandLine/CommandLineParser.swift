/// Turns argv into a `ParsedCommandLine` according to a `CommandSpec`.
///
/// The rules are `dotnet run`'s: known options are taken wherever they appear before
/// `--`; with `forwardsUnknownArguments`, every other token and everything after the
/// first `--` goes to the app in order (empty strings and duplicates kept).
/// `--name=value` is accepted for options that take a value.
public enum CommandLineParser {
    public static func parse(_ tokens: [String], for spec: CommandSpec) throws(CommandLineError) -> ParsedCommandLine {
        var result = ParsedCommandLine()
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1

            if token == "--" {
                guard spec.forwardsUnknownArguments else {
                    if index < tokens.count { throw .unexpectedArgument(tokens[index]) }
                    continue
                }
                result.forwarded.append(contentsOf: tokens[index...])
                break
            }

            var option = spec.option(named: token)
            var inlineValue: String?
            if option == nil, token.hasPrefix("--"), let equals = token.firstIndex(of: "=") {
                let candidate = spec.option(named: String(token[..<equals]))
                if let candidate, candidate.takesValue {
                    option = candidate
                    inlineValue = String(token[token.index(after: equals)...])
                }
            }

            guard let option else {
                if token.hasPrefix("-") || token.isEmpty || spec.arguments.count <= result.arguments.count {
                    guard spec.forwardsUnknownArguments else { throw .unexpectedArgument(token) }
                    result.forwarded.append(token)
                } else {
                    let argument = spec.arguments[result.arguments.count]
                    result.arguments.append(try normalize(token, choices: argument.choices, name: "<\(argument.placeholder)>"))
                }
                continue
            }

            guard option.takesValue else {
                result.flags.insert(option.key)
                continue
            }

            let raw: String
            if let inlineValue {
                raw = inlineValue
            } else {
                // A missing value, or another option where the value should be, is an error
                // rather than silently eating the next option.
                guard index < tokens.count, tokens[index] != "--", spec.option(named: tokens[index]) == nil else {
                    throw .missingValue(option: token)
                }
                raw = tokens[index]
                index += 1
            }
            result.values[option.key, default: []].append(try normalize(raw, choices: option.choices, name: option.displayName))
        }
        return result
    }

    private static func normalize(_ raw: String, choices: [Choice]?, name: String) throws(CommandLineError) -> String {
        guard let choices else { return raw }
        if let match = choices.first(where: { $0.matches(raw) }) { return match.value }
        throw .invalidChoice(option: name, value: raw, allowed: choices.map(\.value))
    }
}
