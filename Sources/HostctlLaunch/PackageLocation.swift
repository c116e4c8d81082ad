import HostctlSystem

/// The Swift package hostctl works on: a directory holding Package.swift.
public struct PackageLocation: Sendable, Equatable {
    /// Absolute and normalized.
    public let directory: String

    public var manifest: String { FilePath.join(directory, "Package.swift") }

    public init(directory: String) { self.directory = directory }

    /// `--project` (a directory, or a Package.swift file) or the current directory.
    /// `purpose` finishes "Couldn't find a package …" ("to run", "to build"), so a failure
    /// says what the command was looking for and where.
    public static func resolve(project: String?, currentDirectory: String, purpose: String) throws(HostctlFailure) -> PackageLocation {
        var directory = FilePath.absolute(project ?? ".", relativeTo: currentDirectory)
        if let project {
            guard let status = FileSystem.status(directory) else {
                throw HostctlFailure(
                    "Couldn't find a package \(purpose): \(directory) does not exist (from --project \(project), "
                        + "which takes the folder that holds Package.swift)."
                )
            }
            if status.kind == .regular {
                guard FilePath.lastComponent(directory) == "Package.swift" else {
                    throw HostctlFailure(
                        "'\(project)' is not a package: pass the directory that holds Package.swift, or the Package.swift file itself."
                    )
                }
                directory = FilePath.directory(directory)
            }
        }
        guard FileSystem.isRegularFile(FilePath.join(directory, "Package.swift")) else {
            if let project {
                throw HostctlFailure("Couldn't find a package \(purpose): there is no Package.swift in \(directory) (from --project \(project)).")
            }
            throw HostctlFailure(
                "Couldn't find a package \(purpose): there is no Package.swift in the current directory (\(directory)). "
                    + "Run this in the package's directory, or pass it with --project DIR."
            )
        }
        return PackageLocation(directory: directory)
    }

    /// Where `swift build -c CONFIG` puts products (`.build/debug` links to the triple's folder).
    public func binaryDirectory(_ configuration: BuildConfiguration) -> String {
        FilePath.join(directory, ".build", configuration.swiftPMName)
    }

    /// hostctl's own records (build stamps, product lists), inside the build folder so
    /// `rm -rf .build` forgets them with the build.
    public var stateDirectory: String { FilePath.join(directory, ".build", "hostctl") }
}
