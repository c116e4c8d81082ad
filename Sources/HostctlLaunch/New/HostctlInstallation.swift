import HostctlSystem

/// Where hostctl's own package lives: the hosting library a scaffold depends on, and the
/// templates it is made from. Found, in order: `$HOSTCTL_HOME`; an installed layout
/// (`<prefix>/bin/hostctl` beside `<prefix>/share/hostctl`); the checkout hostctl is run
/// from (`swift run` puts the binary in `.build/…` inside it); the checkout it was built from.
public struct HostctlInstallation: Sendable, Equatable {
    public let root: String

    public var templatesDirectory: String { FilePath.join(root, "Templates") }

    /// The checkout this binary was compiled in (this file is Sources/HostctlLaunch/New/…).
    static let buildRoot = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", "..", ".."))

    public static func locate(environment: ProcessEnvironment) throws(HostctlFailure) -> HostctlInstallation {
        if let home = environment["HOSTCTL_HOME"], !home.isEmpty {
            // Set on purpose, so a wrong value is reported rather than passed over.
            guard isInstallation(home) else {
                throw HostctlFailure("HOSTCTL_HOME=\(home) is not a hostctl package: it needs Package.swift, Sources/Hostctl/ and Templates/.")
            }
            return HostctlInstallation(root: FilePath.normalize(home))
        }
        var candidates: [String] = []
        if let executable = try? FileSystem.realPath("/proc/self/exe") {
            let binDirectory = FilePath.directory(executable)
            candidates.append(FilePath.normalize(FilePath.join(binDirectory, "..", "share", "hostctl")))
            var directory = binDirectory
            while directory != "/" {
                candidates.append(directory)
                directory = FilePath.directory(directory)
            }
        }
        candidates.append(buildRoot)
        for candidate in candidates where isInstallation(candidate) {
            return HostctlInstallation(root: candidate)
        }
        throw HostctlFailure(
            "hostctl cannot find its own package (the hosting library and Templates/). Set HOSTCTL_HOME to the hostctl checkout, "
                + "or pass --hosting-source."
        )
    }

    static func isInstallation(_ directory: String) -> Bool {
        FileSystem.isRegularFile(FilePath.join(directory, "Package.swift"))
            && FileSystem.isDirectory(FilePath.join(directory, "Templates"))
            && FileSystem.isDirectory(FilePath.join(directory, "Sources", "Hostctl"))
    }
}
