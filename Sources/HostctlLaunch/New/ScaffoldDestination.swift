import HostctlSystem

/// Where a scaffold goes and what it is called, from `-n` and `-o` as `dotnet new` reads
/// them: `-o DIR` alone names the package after DIR; `-n NAME` alone creates ./NAME;
/// neither fills the current directory and names the package after it.
struct ScaffoldDestination: Equatable {
    let name: String
    /// Absolute and normalized.
    let directory: String

    static func resolve(name: String?, output: String?, currentDirectory: String) throws(HostctlFailure) -> ScaffoldDestination {
        if let name {
            if let problem = SwiftIdentifier.problem(with: name) {
                throw HostctlFailure("'\(name)' cannot be the package's name: \(problem)." + hint(forInvalidName: name))
            }
        }
        let directory = FilePath.normalize(FilePath.absolute(output ?? name ?? ".", relativeTo: currentDirectory))
        if let name { return ScaffoldDestination(name: name, directory: directory) }

        let folder = FilePath.lastComponent(directory)
        let derived = identifier(fromFolderName: folder)
        if let problem = SwiftIdentifier.problem(with: derived) {
            throw HostctlFailure("The folder name '\(folder)' cannot be made into the package's name (\(problem)). Pass one with --name.")
        }
        return ScaffoldDestination(name: derived, directory: directory)
    }

    /// One rule for every folder name: upper camel case, the way Swift names modules.
    /// "my-app" → "MyApp", "tool" → "Tool", "hello_world" → "HelloWorld", "myApp" → "MyApp":
    /// split at anything but letters and digits, each part's first letter capitalized.
    static func identifier(fromFolderName folder: String) -> String {
        let parts = folder.split { character in !(character.isASCII && (character.isLetter || character.isNumber)) }
        return parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// For a name like "my-shop": the identifier it would make, and that -o keeps the
    /// folder's name as typed.
    private static func hint(forInvalidName name: String) -> String {
        let suggested = identifier(fromFolderName: name)
        guard suggested != name, SwiftIdentifier.problem(with: suggested) == nil else { return "" }
        return " Use -n \(suggested), or -o \(shellWord(name)) to create the folder \(name) with the package \(suggested) in it."
    }

    /// A word as it could be typed in a shell.
    static func shellWord(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./".contains($0)) }
        return plain ? text : "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
