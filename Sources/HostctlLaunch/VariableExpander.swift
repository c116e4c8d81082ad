/// Expands environment variables in launch-profile values.
///
/// `%NAME%` as .NET's `Environment.ExpandEnvironmentVariables` does it (on every OS),
/// plus the Unix habits `$NAME` and `${NAME}`. A variable that is not set stays exactly
/// as written, so a literal `%` or `$` survives unless it happens to spell a set name.
public struct VariableExpander: Sendable {
    private let lookup: @Sendable (String) -> String?

    public init(lookup: @escaping @Sendable (String) -> String?) {
        self.lookup = lookup
    }

    public func expand(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "$") }) else { return text }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == "%", let close = scalars[(i + 1)...].firstIndex(of: "%") {
                let name = String(String.UnicodeScalarView(scalars[(i + 1)..<close]))
                if !name.isEmpty, let value = lookup(name) {
                    output.append(contentsOf: value.unicodeScalars)
                    i = close + 1
                } else {
                    // Like .NET: keep this '%' and try again from the closing one, which may open a name.
                    output.append(scalar)
                    i += 1
                }
                continue
            }
            if scalar == "$", i + 1 < scalars.count {
                if scalars[i + 1] == "{", let close = scalars[(i + 2)...].firstIndex(of: "}") {
                    let name = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
                    if isName(name), let value = lookup(name) {
                        output.append(contentsOf: value.unicodeScalars)
                        i = close + 1
                        continue
                    }
                } else if isNameStart(scalars[i + 1]) {
                    var end = i + 2
                    while end < scalars.count, isNameStart(scalars[end]) || ("0"..."9").contains(scalars[end]) { end += 1 }
                    let name = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
                    if let value = lookup(name) {
                        output.append(contentsOf: value.unicodeScalars)
                        i = end
                        continue
                    }
                    output.append(contentsOf: scalars[i..<end])
                    i = end
                    continue
                }
            }
            output.append(scalar)
            i += 1
        }
        return String(output)
    }

    private func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy { isNameStart($0) || ("0"..."9").contains($0) }
    }
}
