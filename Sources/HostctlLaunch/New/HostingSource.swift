import HostctlSystem

/// Where a scaffold gets hostctl's hosting library: a local hostctl package (by default,
/// the one this hostctl comes from) or a git repository. `HostingDependency` turns it into
/// the line in Package.swift.
enum HostingSource: Equatable {
    case path(String)
    case url(String)

    /// `--hosting-source` as given: a URL when it names a scheme or is scp-like
    /// (`git@host:path`), else a path resolved against `currentDirectory`.
    static func parse(_ text: String, currentDirectory: String) throws(HostctlFailure) -> HostingSource {
        if text.contains("://") || (text.hasPrefix("git@") && text.contains(":")) {
            guard !identity(ofLastComponent: text).isEmpty else {
                throw HostctlFailure("--hosting-source \(text) names no repository (it should end with the repository's name).")
            }
            return .url(text)
        }
        let directory = FilePath.absolute(text, relativeTo: currentDirectory)
        guard isHostingPackage(directory) else {
            throw HostctlFailure(
                "--hosting-source \(text) is not a hostctl package: \(directory) needs a Package.swift and Sources/Hostctl/. "
                    + "Pass a hostctl checkout's folder or a git URL."
            )
        }
        return .path(directory)
    }

    static func isHostingPackage(_ directory: String) -> Bool {
        FileSystem.isRegularFile(FilePath.join(directory, "Package.swift"))
            && FileSystem.isDirectory(FilePath.join(directory, "Sources", "Hostctl"))
    }

    /// SwiftPM's identity for the package, which `.product(name:package:)` names: the last
    /// path component, lowercased, without ".git".
    var identity: String {
        switch self {
        case .path(let path): Self.identity(ofLastComponent: path)
        case .url(let url): Self.identity(ofLastComponent: url)
        }
    }

    private static func identity(ofLastComponent text: String) -> String {
        var trimmed = Substring(text)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        var last = trimmed.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? ""
        if last.hasSuffix(".git") { last = String(last.dropLast(4)) }
        return last.lowercased()
    }
}
