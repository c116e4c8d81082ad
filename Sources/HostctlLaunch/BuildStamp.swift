import HostctlSystem

/// The record of a successful build that lets `hostctl run` skip `swift build` when
/// nothing it reads has changed: the package tree, the manifest, local dependencies,
/// the toolchain and the build-relevant environment, for one configuration and product.
///
/// The fingerprint is taken *before* the build starts, so an edit made while the build
/// runs is seen as a change next time. Anything unexpected (an unreadable stamp, a
/// dependency list that moved during the build, a binary that changed since) means build.
struct BuildStamp: Equatable {
    /// The product the stamp's build produced (resolved when none was named).
    var product: String
    var fingerprint: String
    var dependencyFingerprints: [String: String]
    /// Size, modification time and inode of the built binary, as the build left it.
    var binaryIdentity: String
    /// A whole-package build's executables (name → identity), as it left them, so a
    /// later `hostctl run` of one of them can use that build.
    var executables: [String: String] = [:]

    static let formatLine = "hostctl-build-stamp 2"

    /// Which build a stamp describes: a configuration and a named product, or "the only
    /// executable" (`auto`), or the whole package (`all`).
    struct Key {
        var configuration: BuildConfiguration
        var product: String?
        var wholePackage = false

        var fileName: String {
            let subject = wholePackage ? "all" : product.map { "product-\($0)" } ?? "auto"
            return "\(configuration.swiftPMName)-\(subject).stamp"
        }
    }

    static func path(for key: Key, package: PackageLocation) -> String {
        FilePath.join(package.stateDirectory, "stamps", key.fileName)
    }

    /// The fingerprint of the package and its build inputs as they are now.
    static func fingerprint(key: Key, package: PackageLocation, toolchain: SwiftToolchain, environment: ProcessEnvironment) -> String {
        var hash = ContentHash()
        hash.feed(formatLine)
        hash.feed(package.directory)
        hash.feed(key.fileName)
        hash.feed(toolchain.identity)
        for (name, value) in buildEnvironment(environment) { hash.feed("\(name)=\(value)") }
        TreeFingerprint.compute(package.directory, into: &hash)
        return hash.hex
    }

    static func fingerprint(dependency directory: String) -> String {
        var hash = ContentHash()
        hash.feed(directory)
        TreeFingerprint.compute(directory, into: &hash)
        return hash.hex
    }

    /// Variables that can change what `swift build` produces.
    static func buildEnvironment(_ environment: ProcessEnvironment) -> [(String, String)] {
        let exact: Set<String> = [
            "PATH", "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "SDKROOT", "TOOLCHAINS", "CPATH",
            "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "LIBRARY_PATH", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "DEVELOPER_DIR",
        ]
        return environment.entries
            .filter { exact.contains($0.name) || $0.name.hasPrefix("SWIFT") }
            .map { ($0.name, $0.value) }
            .sorted { $0.0 < $1.0 }
    }

    static func identity(ofBinary path: String) -> String? {
        guard let status = FileSystem.status(path), status.kind == .regular else { return nil }
        return "\(status.size):\(status.modified):\(status.inode)"
    }

    /// The identities of the executables directly in a build's products folder (products,
    /// and whatever else SwiftPM left there; only the one asked for later matters).
    static func executables(in directory: String) -> [String: String] {
        var found: [String: String] = [:]
        for name in (try? FileSystem.contentsOfDirectory(directory)) ?? [] {
            let path = FilePath.join(directory, name)
            guard FileSystem.status(path)?.isExecutable == true, let identity = identity(ofBinary: path) else { continue }
            found[name] = identity
        }
        return found
    }

    // MARK: Storage

    static func load(_ path: String) -> BuildStamp? {
        guard let bytes = try? FileSystem.readFile(path) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init) == formatLine else { return nil }
        var stamp = BuildStamp(product: "", fingerprint: "", dependencyFingerprints: [:], binaryIdentity: "")
        for line in lines.dropFirst() where !line.isEmpty {
            guard let space = line.firstIndex(of: " ") else { return nil }
            let field = line[..<space]
            let value = String(line[line.index(after: space)...])
            switch field {
            case "product": stamp.product = value
            case "fingerprint": stamp.fingerprint = value
            case "binary": stamp.binaryIdentity = value
            case "dependency":
                guard let split = value.lastIndex(of: " ") else { return nil }
                stamp.dependencyFingerprints[String(value[..<split])] = String(value[value.index(after: split)...])
            case "executable":
                guard let split = value.firstIndex(of: " ") else { return nil }
                stamp.executables[String(value[value.index(after: split)...])] = String(value[..<split])
            default: return nil
            }
        }
        guard !stamp.product.isEmpty, !stamp.fingerprint.isEmpty, !stamp.binaryIdentity.isEmpty else { return nil }
        return stamp
    }

    func save(_ path: String) throws(SystemError) {
        var text = Self.formatLine + "\nproduct \(product)\nfingerprint \(fingerprint)\nbinary \(binaryIdentity)\n"
        for (directory, value) in dependencyFingerprints.sorted(by: { $0.key < $1.key }) {
            text += "dependency \(directory) \(value)\n"
        }
        for (name, identity) in executables.sorted(by: { $0.key < $1.key }) {
            text += "executable \(identity) \(name)\n"
        }
        try FileSystem.makeDirectories(FilePath.directory(path))
        try FileSystem.writeFileAtomically(path, Array(text.utf8))
    }
}
