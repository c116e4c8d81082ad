import Foundation
import HostctlSystem
import Testing

/// `hostctl new` through the real binary: what it writes, and that a failure writes nothing.
/// (Building and running what it writes: TemplateScaffoldTests.)
@Suite struct NewTests {
    static let repositoryRoot = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", ".."))

    /// Every path under `directory`, relative to it, sorted.
    static func tree(_ directory: String) throws -> [String] {
        guard FileSystem.exists(directory) else { return [] }
        return try FileManager.default.subpathsOfDirectory(atPath: directory).sorted()
    }

    static func text(_ path: String) throws -> String { String(decoding: try FileSystem.readFile(path), as: UTF8.self) }

    @Test func listShowsTheTemplates() throws {
        let result = try Hostctl.run(["new", "--list"], in: try TemporaryDirectory.make("new"))
        #expect(result.exitCode == 0)
        let names = result.stdoutLines.dropFirst(2).compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names == ["web", "api", "empty"], "\(result)")
    }

    @Test func aScaffoldIsAPackageWithTheNameAndTheHostingLibraryByPath() throws {
        let root = try TemporaryDirectory.make("new")
        let result = try Hostctl.run(["new", "web", "-n", "Shop", "-o", "shop"], in: root)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == "The template \"web\" was created successfully.\n\nNext steps:\n  cd shop\n  hostctl run\n")
        let package = FilePath.join(root, "shop")
        #expect(try Self.tree(package).contains("Sources/ShopApp/App.swift"))
        let manifest = try Self.text(FilePath.join(package, "Package.swift"))
        #expect(manifest.contains(".package(path: \"\(Self.repositoryRoot)\")"), "offline by default: \(manifest)")
        #expect(manifest.contains(".product(name: \"Hostctl\", package: \"\(FilePath.lastComponent(Self.repositoryRoot).lowercased())\")"))
        #expect(manifest.contains("name: \"Shop\""))
        let settings = try Self.text(FilePath.join(package, "launchSettings.json"))
        #expect(settings.contains("\"HOSTCTL_ENVIRONMENT\": \"Development\""))
    }

    @Test func withoutNameOrOutputTheCurrentFolderIsFilledAndNamesThePackage() throws {
        let folder = FilePath.join(try TemporaryDirectory.make("new"), "my-shop")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let result = try Hostctl.run(["new", "empty"], in: folder)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("Next steps:\n  hostctl run\n"), "no cd into the folder one is in")
        #expect(try Self.tree(folder).contains("Sources/MyShop/main.swift"))
    }

    @Test func aURLHostingSourceIsAGitDependency() throws {
        let root = try TemporaryDirectory.make("new")
        let result = try Hostctl.run(["new", "api", "-n", "Inventory", "--hosting-source", "https://example.com/acme/Hostctl.git"], in: root)
        #expect(result.exitCode == 0, "\(result)")
        let manifest = try Self.text(FilePath.join(root, "Inventory", "Package.swift"))
        #expect(manifest.contains(#".package(url: "https://example.com/acme/Hostctl.git", branch: "main")"#))
        #expect(manifest.contains(#".product(name: "Hostctl", package: "hostctl")"#))
    }

    @Test func dryRunListsTheFilesAndCreatesNothing() throws {
        let root = try TemporaryDirectory.make("new")
        let result = try Hostctl.run(["new", "web", "-n", "Demo", "--dry-run"], in: root)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.hasPrefix("File actions would have been taken:\n"))
        #expect(result.stdoutLines.contains("  Create: Demo/Package.swift"))
        #expect(try Self.tree(root).isEmpty)
    }

    @Test func templateHelpDescribesTheTemplate() throws {
        let result = try Hostctl.run(["new", "api", "--help"], in: try TemporaryDirectory.make("new"))
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("Template \"api\": A JSON API"))
        #expect(result.stdout.contains("--hosting-source <PATH|URL>"))
    }

    // MARK: Failures write nothing

    struct Failure: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let exitCode: Int32
        let message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        Failure(arguments: ["new", "web", "-n", "my-app!"], exitCode: 1, message: "'my-app!' cannot be the package's name: '-', '!' are not allowed (use letters, digits and _)."),
        Failure(arguments: ["new", "web", "-n", "class"], exitCode: 1, message: "'class' cannot be the package's name: 'class' is a Swift keyword."),
        Failure(arguments: ["new", "blazor", "-n", "Demo"], exitCode: 103, message: "No template is named 'blazor'. The templates are 'web', 'api', 'empty'."),
        Failure(arguments: ["new", "-n", "Demo"], exitCode: 1, message: "Name a template: hostctl new <TEMPLATE>."),
        Failure(arguments: ["new", "web", "-o", "2fast"], exitCode: 1, message: "The folder name '2fast' cannot be made into the package's name (it must not start with a digit). Pass one with --name."),
        Failure(arguments: ["new", "web", "-n", "Demo", "--hosting-source", "nowhere"], exitCode: 1, message: "--hosting-source nowhere is not a hostctl package"),
        Failure(arguments: ["new", "web", "-n", "Demo", "-o", "existing"], exitCode: 73, message: "is not empty (it holds notes.txt). Choose another with -o, or pass --force"),
    ])
    func invalidRequestsWriteNothing(failure: Failure) throws {
        let root = try TemporaryDirectory.make("new")
        try write("keep me\n", to: FilePath.join(root, "existing", "notes.txt"))
        let before = try Self.tree(root)
        let result = try Hostctl.run(failure.arguments, in: root)
        #expect(result.exitCode == failure.exitCode, "\(result)")
        #expect(result.stderr.contains(failure.message), "\(result)")
        #expect(result.stdout.isEmpty || failure.exitCode == 1 && result.stderr.contains("Name a template"), "\(result)")
        #expect(try Self.tree(root) == before, "nothing written")
    }

    @Test func aWrongHostctlHomeIsReported() throws {
        let root = try TemporaryDirectory.make("new")
        var environment = Hostctl.baseEnvironment()
        environment["HOSTCTL_HOME"] = root
        let result = try Hostctl.run(["new", "web", "-n", "Demo"], in: root, environment: environment)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("HOSTCTL_HOME=\(root) is not a hostctl package"), "\(result)")
        #expect(try Self.tree(root).isEmpty)
    }

    @Test func forceWritesIntoAFolderInUseAndKeepsOtherFiles() throws {
        let root = try TemporaryDirectory.make("new")
        let folder = FilePath.join(root, "existing")
        try write("keep me\n", to: FilePath.join(folder, "notes.txt"))
        try write("old readme\n", to: FilePath.join(folder, "README.md"))
        let result = try Hostctl.run(["new", "empty", "-n", "Tool", "-o", "existing", "--force"], in: root)
        #expect(result.exitCode == 0, "\(result)")
        #expect(try Self.text(FilePath.join(folder, "notes.txt")) == "keep me\n")
        #expect(try Self.text(FilePath.join(folder, "README.md")).hasPrefix("# Tool\n"))
        #expect(try Self.tree(folder).contains("Package.swift"))
    }

    /// Installed as `PREFIX/bin/hostctl` with the package in `PREFIX/share/hostctl`, hostctl
    /// makes scaffolds depend on that copy.
    @Test func anInstalledHostctlUsesItsSharedPackage() throws {
        let prefix = try TemporaryDirectory.make("prefix")
        let share = FilePath.join(prefix, "share", "hostctl")
        for entry in ["Templates", "Sources/Hostctl"] {
            try FileManager.default.createDirectory(atPath: FilePath.join(share, entry), withIntermediateDirectories: true)
        }
        try copyTree(FilePath.join(Self.repositoryRoot, "Templates"), to: FilePath.join(share, "Templates"))
        try write("// swift-tools-version:6.0\n", to: FilePath.join(share, "Package.swift"))
        try FileManager.default.createDirectory(atPath: FilePath.join(prefix, "bin"), withIntermediateDirectories: true)
        let installed = FilePath.join(prefix, "bin", "hostctl")
        try FileManager.default.copyItem(atPath: Hostctl.executable, toPath: installed)

        let result = try Hostctl.runTool(installed, ["new", "web", "-n", "Demo"], in: prefix, environment: Hostctl.baseEnvironment(), timeout: 60)
        #expect(result.status.isSuccess, "\(result)")
        #expect(try Self.text(FilePath.join(prefix, "Demo", "Package.swift")).contains(".package(path: \"\(share)\")"))
    }
}
