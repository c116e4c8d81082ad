import Foundation
@testable import HostctlLaunch
import HostctlSystem
import Testing

@Suite struct BuildStampTests {
    @Test func roundTrip() throws {
        let directory = FilePath.join(NSTemporaryDirectory(), "stamp-\(UUID().uuidString)")
        let path = FilePath.join(directory, "stamps", "debug-auto.stamp")
        let stamp = BuildStamp(
            product: "App", fingerprint: "abc", dependencyFingerprints: ["/dep one": "d1", "/dep2": "d2"], binaryIdentity: "1:2:3",
            executables: ["App": "1:2:3", "Other tool": "4:5:6"]
        )
        try stamp.save(path)
        #expect(BuildStamp.load(path) == stamp)
        try "garbage".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(BuildStamp.load(path) == nil)
        #expect(BuildStamp.load(FilePath.join(directory, "missing")) == nil)
    }

    @Test func fingerprintsSeeEditsButNotBuildFoldersOrLaunchSettings() throws {
        let package = FilePath.join(NSTemporaryDirectory(), "fp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: package + "/Sources/App", withIntermediateDirectories: true)
        try "print(1)".write(toFile: package + "/Sources/App/main.swift", atomically: true, encoding: .utf8)
        try "// manifest".write(toFile: package + "/Package.swift", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: package + "/Properties", withIntermediateDirectories: true)
        let location = PackageLocation(directory: package)
        let toolchain = SwiftToolchain(driver: "/usr/bin/swift", identity: "t")
        let key = BuildStamp.Key(configuration: .debug, product: nil)
        func fingerprint(_ environment: ProcessEnvironment = ProcessEnvironment([("PATH", "/bin")])) -> String {
            BuildStamp.fingerprint(key: key, package: location, toolchain: toolchain, environment: environment)
        }
        let original = fingerprint()
        #expect(fingerprint() == original)

        for ignored in [".build/debug/x", ".build-other/y", ".git/HEAD", "launchSettings.json", "Properties/launchSettings.json", "Sources/App/.build/z"] {
            try FileManager.default.createDirectory(atPath: FilePath.directory(package + "/" + ignored), withIntermediateDirectories: true)
            try "x".write(toFile: package + "/" + ignored, atomically: false, encoding: .utf8)
        }
        #expect(fingerprint() == original)
        try FileManager.default.removeItem(atPath: package + "/Properties")
        #expect(fingerprint() == original, "the Properties folder itself is launch settings' place, not a build input")
        try FileManager.default.createDirectory(atPath: package + "/Properties", withIntermediateDirectories: true)

        #expect(fingerprint(ProcessEnvironment([("PATH", "/usr/bin")])) != original)
        #expect(fingerprint(ProcessEnvironment([("PATH", "/bin"), ("SWIFTPM_X", "1")])) != original)
        #expect(fingerprint(ProcessEnvironment([("PATH", "/bin"), ("UNRELATED", "1")])) == original)
        #expect(BuildStamp.fingerprint(key: .init(configuration: .release, product: nil), package: location, toolchain: toolchain,
                                       environment: ProcessEnvironment([("PATH", "/bin")])) != original)

        try "print(2)".write(toFile: package + "/Sources/App/main.swift", atomically: true, encoding: .utf8)
        let edited = fingerprint()
        #expect(edited != original)
        try FileManager.default.createDirectory(atPath: package + "/Sources/App/Empty", withIntermediateDirectories: true)
        #expect(fingerprint() != edited, "a new directory counts")
    }

    @Test func productListFromSwiftPMsDescription() {
        let description = #"""
        warning: something
        {
          "products": [
            { "name": "Tool", "type": { "executable": null } },
            { "name": "Lib", "type": { "library": ["automatic"] } },
            { "name": "App", "type": { "executable": null } }
          ]
        }
        """#
        #expect(PackageProducts.executables(inDescription: Array(description.utf8)) == ["App", "Tool"])
        #expect(PackageProducts.executables(inDescription: Array("not json".utf8)) == nil)
    }

    @Test func elapsedTimeFormat() {
        #expect(BuildProgressDisplay.format(elapsed: 0) == "0.0s")
        #expect(BuildProgressDisplay.format(elapsed: 4_250_000_000) == "4.2s")
        #expect(BuildProgressDisplay.format(elapsed: 65_000_000_000) == "1m 05s")
    }
}
