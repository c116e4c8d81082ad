import HostctlSystem

/// The line in a scaffold's `dependencies:` that brings in hostctl's hosting library,
/// chosen so the package builds on other machines (a colleague's, CI) by default:
/// - a relative path when the package is made inside the hostctl package or beside it
///   (in the same folder), so the two move together (one repository, or two clones side
///   by side);
/// - otherwise the git URL of the hostctl checkout's `origin` remote, from this hostctl's
///   version;
/// - otherwise the absolute path, which builds on this machine only: `note` says so and
///   how to change it, for hostctl's output and the scaffold's README.
///
/// A `--hosting-source` URL is used as given; a `--hosting-source` path follows the same
/// rule, except that it never turns into a URL (the user chose a path).
struct HostingDependency: Equatable {
    /// `.package(…)`, as it goes into Package.swift.
    let line: String
    /// SwiftPM's identity for the package, which `.product(name:package:)` names.
    let identity: String
    /// Set when the dependency only resolves on this machine.
    let note: String?

    static func choose(
        source: HostingSource, isExplicit: Bool, packageDirectory: String, originURL: (String) -> String?
    ) -> HostingDependency {
        switch source {
        case .url(let url):
            return HostingDependency(line: ".package(url: \(literal(url)), branch: \"main\")", identity: source.identity, note: nil)
        case .path(let root):
            if let relative = relativePath(to: root, from: packageDirectory) {
                return HostingDependency(line: ".package(path: \(literal(relative)))", identity: source.identity, note: nil)
            }
            if !isExplicit, let url = originURL(root) {
                let from = ".package(url: \(literal(url)), from: \(literal(HostctlCommands.version)))"
                return HostingDependency(line: from, identity: HostingSource.url(url).identity, note: nil)
            }
            let note = "Package.swift depends on the hosting library by the path \(root), which exists on this machine only, "
                + "so the package builds nowhere else. To build it anywhere, change that dependency to hostctl's git repository, "
                + "as in .package(url: \"https://…/hostctl.git\", from: \"\(HostctlCommands.version)\"), "
                + "or keep the package beside a hostctl checkout and use .package(path: \"../hostctl\")."
            return HostingDependency(line: ".package(path: \(literal(root)))", identity: source.identity, note: note)
        }
    }

    /// "../.." for a package inside `root` (two levels down), "../hostctl" for one beside
    /// it; nil when it is neither.
    static func relativePath(to root: String, from packageDirectory: String) -> String? {
        let insidePrefix = root.hasSuffix("/") ? root : root + "/"
        if packageDirectory.hasPrefix(insidePrefix) {
            let depth = packageDirectory.dropFirst(insidePrefix.count).split(separator: "/").count
            return Array(repeating: "..", count: depth).joined(separator: "/")
        }
        if root != "/", FilePath.directory(packageDirectory) == FilePath.directory(root) {
            return "../" + FilePath.lastComponent(root)
        }
        return nil
    }

    private static func literal(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
