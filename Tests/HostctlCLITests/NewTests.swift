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

    /// A stand-in hostctl checkout for HOSTCTL_HOME: the real Templates/, a manifest, a
    /// Sources/Hostctl folder, and a git repository with or without an `origin` remote.
    static func checkout(in parent: String, origin: String?) throws -> String {
        let root = FilePath.join(parent, "hostctl")
        try FileManager.default.createDirectory(atPath: FilePath.join(root, "Sources", "Hostctl"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: FilePath.join(root, "Templates"), withIntermediateDirectories: true)
        try copyTree(FilePath.join(repositoryRoot, "Templates"), to: FilePath.join(root, "Templates"))
        try write("// swift-tools-version:6.0\n", to: FilePath.join(root, "Package.swift"))
        let git = try #require(ExecutableSearch.find("git", path: Hostctl.baseEnvironment()["PATH"]), "git is not on the PATH")
        #expect(try Hostctl.runTool(git, ["init", "-q", root]).status.isSuccess)
        if let origin {
            #expect(try Hostctl.runTool(git, ["-C", root, "remote", "add", "origin", origin]).status.isSuccess)
        }
        return root
    }

    static func environment(home: String) -> ProcessEnvironment {
        var environment = Hostctl.baseEnvironment()
        environment["HOSTCTL_HOME"] = home
        return environment
    }

    @Test func aScaffoldIsAPackageWithTheNameAndTheHostingLibrary() throws {
        let root = try TemporaryDirectory.make("new")
        let home = try Self.checkout(in: root, origin: nil)
        let result = try Hostctl.run(["new", "web", "-n", "Shop", "-o", "shop"], in: root, environment: Self.environment(home: home))
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == "The template \"web\" was created successfully.\n\nNext steps:\n  cd shop\n  hostctl run\n")
        let package = FilePath.join(root, "shop")
        #expect(try Self.tree(package).contains("Sources/ShopApp/App.swift"))
        let manifest = try Self.text(FilePath.join(package, "Package.swift"))
        #expect(manifest.contains(".product(name: \"Hostctl\", package: \"hostctl\")"), "\(manifest)")
        #expect(manifest.contains("name: \"Shop\""))
        let settings = try Self.text(FilePath.join(package, "launchSettings.json"))
        #expect(settings.contains("\"HOSTCTL_ENVIRONMENT\": \"Development\""))
    }

    // MARK: Where the hosting library comes from: the three branches of the rule

    /// Inside the checkout or beside it: a relative path, so the two move together.
    @Test func insideOrBesideTheCheckoutTheDependencyIsARelativePath() throws {
        let root = try TemporaryDirectory.make("new")
        let home = try Self.checkout(in: root, origin: "https://example.com/acme/hostctl.git")
        let environment = Self.environment(home: home)
        let beside = try Hostctl.run(["new", "web", "-n", "Shop"], in: root, environment: environment)
        #expect(beside.exitCode == 0, "\(beside)")
        #expect(!beside.stdout.contains("Note:"), "\(beside)")
        #expect(try Self.text(FilePath.join(root, "Shop", "Package.swift")).contains(#".package(path: "../hostctl"),"#))

        let inside = try Hostctl.run(["new", "api", "-n", "Inventory", "-o", "hostctl/Examples/Inventory"], in: root, environment: environment)
        #expect(inside.exitCode == 0, "\(inside)")
        let manifest = try Self.text(FilePath.join(home, "Examples", "Inventory", "Package.swift"))
        #expect(manifest.contains(#".package(path: "../.."),"#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "Hostctl", package: "hostctl")"#))
        #expect(!(try Self.text(FilePath.join(home, "Examples", "Inventory", "README.md")).contains("Building elsewhere")))
    }

    /// Elsewhere, from a checkout with an `origin` remote: that URL, from this version.
    @Test func elsewhereTheDependencyIsTheOriginsURLWithAVersion() throws {
        let home = try Self.checkout(in: try TemporaryDirectory.make("checkout"), origin: "https://example.com/acme/Hostctl.git")
        let root = try TemporaryDirectory.make("new")
        let result = try Hostctl.run(["new", "web", "-n", "Shop"], in: root, environment: Self.environment(home: home))
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdout.contains("Note:"), "\(result)")
        let manifest = try Self.text(FilePath.join(root, "Shop", "Package.swift"))
        #expect(manifest.contains(#".package(url: "https://example.com/acme/Hostctl.git", from: "0.1.0"),"#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "Hostctl", package: "hostctl")"#))
    }

    /// Elsewhere, from a checkout without an origin: the absolute path, and both hostctl's
    /// output and the scaffold's README say it builds on this machine only, and what to do.
    @Test func withoutAnOriginTheDependencyIsTheAbsolutePathWithANote() throws {
        let home = try Self.checkout(in: try TemporaryDirectory.make("checkout"), origin: nil)
        let root = try TemporaryDirectory.make("new")
        let result = try Hostctl.run(["new", "api", "-n", "Shop"], in: root, environment: Self.environment(home: home))
        #expect(result.exitCode == 0, "\(result)")
        let note = "Package.swift depends on the hosting library by the path \(home), which exists on this machine only, so the package builds nowhere else."
        #expect(result.stdout.contains("  hostctl run\n\nNote: " + note), "\(result)")
        #expect(result.stdout.contains(#"change that dependency to hostctl's git repository, as in .package(url: "https://…/hostctl.git", from: "0.1.0")"#))
        #expect(try Self.text(FilePath.join(root, "Shop", "Package.swift")).contains(".package(path: \"\(home)\"),"))
        let readme = try Self.text(FilePath.join(root, "Shop", "README.md"))
        #expect(readme.contains("\n## Building elsewhere\n\n" + note), "\(readme)")
    }

    // MARK: Names and profiles

    /// One rule for folder names, upper camel case: tool → Tool, my-inventory → MyInventory.
    @Test func folderNamesBecomeUpperCamelCaseModules() throws {
        let root = try TemporaryDirectory.make("new")
        for (folder, name, template) in [("tool", "Tool", "empty"), ("my-inventory", "MyInventory", "api")] {
            let result = try Hostctl.run(["new", template, "-o", folder], in: root)
            #expect(result.exitCode == 0, "\(result)")
            let tree = try Self.tree(FilePath.join(root, folder))
            let core = template == "empty" ? "Core" : "App"
            #expect(tree.contains("Sources/\(name)/main.swift") && tree.contains("Sources/\(name)\(core)"), "\(tree)")
            #expect(try Self.text(FilePath.join(root, folder, "Package.swift")).contains("name: \"\(name)\""))
        }
    }

    /// The web and api templates: http, iouring and proxied, each on its own random port in
    /// 5000–5300, and https (a port in 7000–7300 beside the http one); empty (a console app): one Project profile, named after it, with no URL.
    @Test(arguments: ["web", "api", "empty"])
    func eachTemplatesProfiles(template: String) throws {
        let root = try TemporaryDirectory.make("new")
        let result = try Hostctl.run(["new", template, "-n", "Demo"], in: root)
        #expect(result.exitCode == 0, "\(result)")
        let data = try Data(contentsOf: URL(fileURLWithPath: FilePath.join(root, "Demo", "launchSettings.json")))
        let profiles = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["profiles"] as? [String: [String: Any]])
        if template == "empty" {
            #expect(Array(profiles.keys) == ["Demo"])
            #expect(profiles["Demo"]?["commandName"] as? String == "Project")
            #expect(profiles["Demo"]?["applicationUrl"] == nil)
            return
        }
        #expect(profiles.keys.sorted() == ["http", "https", "iouring", "proxied"])
        #expect(profiles.mapValues { $0["commandName"] as? String } == ["http": "Project", "https": "Project", "iouring": "Project", "proxied": "Proxied"])
        #expect(profiles["iouring"]?["server"] as? String == "iouring")
        let ports = ["http", "iouring", "proxied"].compactMap { (profiles[$0]?["applicationUrl"] as? String).flatMap { Int($0.split(separator: ":").last ?? "") } }
        #expect(ports.count == 3 && Set(ports).count == 3 && ports.allSatisfy { (5000...5300).contains($0) }, "\(profiles)")
        // As ASP.NET's templates: https first, then the http profile's own URL.
        let https = try #require(profiles["https"]?["applicationUrl"] as? String)
        let parts = https.split(separator: ";")
        #expect(parts.count == 2 && parts[0].hasPrefix("https://localhost:7") && parts[1] == "http://localhost:\(ports[0])", "\(https)")
        #expect(Int(parts[0].split(separator: ":").last ?? "").map { (7000...7300).contains($0) } == true)
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
        Failure(
            arguments: ["new", "web", "-n", "my-shop"], exitCode: 1,
            message: "'my-shop' cannot be the package's name: '-' is not allowed (use letters, digits and _). "
                + "Use -n MyShop, or -o my-shop to create the folder my-shop with the package MyShop in it."
        ),
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
