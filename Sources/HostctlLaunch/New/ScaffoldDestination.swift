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
                throw HostctlFailure("'\(name)' cannot be the package's name: \(problem).")
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

    /// "my-app" → "MyApp", "hello_world" → "hello_world": parts split at characters an
    /// identifier cannot hold are joined with their first letters capitalized.
    static func identifier(fromFolderName folder: String) -> String {
        let parts = folder.split { character in
            !(character.isASCII && (character.isLetter || character.isNumber || character == "_"))
        }
        guard parts.count > 1 else { return parts.first.map(String.init) ?? "" }
        return parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
