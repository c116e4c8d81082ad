/// Renders `--help` text from a `CommandSpec`.
public enum HelpFormatter {
    public static func render(_ spec: CommandSpec, width: Int = 100) -> String {
        var lines: [String] = ["Description:", "  \(spec.summary)", "", "Usage:"]
        lines += spec.usage.map { "  \($0)" }

        if !spec.arguments.isEmpty {
            lines += ["", "Arguments:"]
            lines += table(spec.arguments.map { ("<\($0.placeholder)>", $0.summary) }, width: width)
        }

        let visible = spec.options.filter { !$0.isHidden }
        if !visible.isEmpty {
            lines += ["", "Options:"]
            lines += table(visible.map { (signature(of: $0), describe($0)) }, width: width)
        }

        for note in spec.notes {
            lines += [""] + wrap(note, width: width, indent: "")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "-c, --configuration <Debug|Release>"
    public static func signature(of option: OptionSpec) -> String {
        let names = option.names.joined(separator: ", ")
        switch option.kind {
        case .flag:
            return names
        case .value(let placeholder):
            if let choices = option.choices, choices.count <= 4 {
                return "\(names) <\(choices.map(\.value).joined(separator: "|"))>"
            }
            return "\(names) <\(placeholder)>"
        }
    }

    private static func describe(_ option: OptionSpec) -> String {
        guard let choices = option.choices, choices.count > 4 else { return option.summary }
        let allowed = choices.map { choice in
            ([choice.value] + choice.aliases).joined(separator: "|")
        }
        return option.summary + " Allowed values: " + allowed.joined(separator: ", ") + "."
    }

    /// Two columns; the right one wraps and stays aligned.
    static func table(_ rows: [(String, String)], width: Int) -> [String] {
        let left = min((rows.map(\.0.count).max() ?? 0) + 4, 44)
        var lines: [String] = []
        for (term, text) in rows {
            let lead = "  " + term
            let wrapped = wrap(text, width: max(width - left, 30), indent: "")
            if lead.count + 2 > left {
                lines.append(lead)
                lines += wrapped.map { String(repeating: " ", count: left) + $0 }
            } else {
                let pad = String(repeating: " ", count: left - lead.count)
                lines.append(lead + pad + (wrapped.first ?? ""))
                lines += wrapped.dropFirst().map { String(repeating: " ", count: left) + $0 }
            }
        }
        return lines
    }

    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(indent + current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty || lines.isEmpty { lines.append(indent + current) }
        return lines
    }
}
