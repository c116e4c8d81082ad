/// Splits a profile's `commandLineArgs` string into argv the way .NET's process layer
/// does on Unix (the MSVCRT rules), so a launchSettings.json written for `dotnet run`
/// gives the same arguments here:
///
/// - spaces and tabs separate arguments, except inside double quotes;
/// - a `"` opens or closes a quoted run and is not part of the argument;
/// - inside a quoted run, `""` is one literal `"`;
/// - backslashes are literal, except before a `"`: 2n backslashes then `"` give n
///   backslashes and a quote toggle; 2n+1 backslashes then `"` give n backslashes and a literal `"`.
///
/// `"a b" c` → [`a b`, `c`]; `""` → [``] (an empty argument); `C:\dir\` stays `C:\dir\`.
public enum CommandLineArgsSplitter {
    public static func split(_ line: String) -> [String] {
        let scalars = Array(line.unicodeScalars)
        var arguments: [String] = []
        var i = 0
        while i < scalars.count {
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
            if i == scalars.count { break }
            arguments.append(nextArgument(scalars, &i))
        }
        return arguments
    }

    private static func nextArgument(_ scalars: [Unicode.Scalar], _ i: inout Int) -> String {
        var argument = String.UnicodeScalarView()
        var quoted = false
        while i < scalars.count {
            var backslashes = 0
            while i < scalars.count, scalars[i] == "\\" {
                backslashes += 1
                i += 1
            }
            if backslashes > 0 {
                if i < scalars.count, scalars[i] == "\"" {
                    argument.append(contentsOf: repeatElement("\\", count: backslashes / 2))
                    if backslashes % 2 == 1 {
                        argument.append("\"")
                        i += 1
                    }
                } else {
                    argument.append(contentsOf: repeatElement("\\", count: backslashes))
                }
                continue
            }
            let scalar = scalars[i]
            if scalar == "\"" {
                if quoted, i + 1 < scalars.count, scalars[i + 1] == "\"" {
                    argument.append("\"")
                    i += 2
                } else {
                    quoted.toggle()
                    i += 1
                }
                continue
            }
            if !quoted, scalar == " " || scalar == "\t" { break }
            argument.append(scalar)
            i += 1
        }
        return String(argument)
    }
}
