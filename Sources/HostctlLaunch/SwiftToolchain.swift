import HostctlSystem

/// The `swift` driver hostctl builds with, and what identifies its exact installation.
public struct SwiftToolchain: Sendable {
    /// As found on PATH.
    public let driver: String
    /// Identifies the installation: the resolved paths and file identities of the driver,
    /// SwiftPM's build tool and the compiler. Upgrading or switching toolchains changes it.
    public let identity: String

    public static func locate(environment: ProcessEnvironment) throws(HostctlFailure) -> SwiftToolchain {
        guard let driver = ExecutableSearch.find("swift", path: environment["PATH"]) else {
            throw HostctlFailure(
                "hostctl builds with the Swift toolchain, but 'swift' was not found on PATH. Install Swift (swift.org/install) and try again."
            )
        }
        let resolved = (try? FileSystem.realPath(driver)) ?? driver
        let binDirectory = FilePath.directory(resolved)
        var identity = ""
        for tool in [resolved, FilePath.join(binDirectory, "swift-build"), FilePath.join(binDirectory, "swift-frontend")] {
            let status = FileSystem.status(tool)
            identity += "\(tool) \(status?.size ?? -1) \(status?.modified ?? -1) \(status?.inode ?? 0);"
        }
        return SwiftToolchain(driver: driver, identity: identity)
    }
}
