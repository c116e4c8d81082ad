@testable import HostctlLaunch
import HostctlSystem
import Testing

@Suite struct ScaffoldDestinationTests {
    @Test func outputAloneNamesThePackageAfterTheFolder() throws {
        let destination = try ScaffoldDestination.resolve(name: nil, output: "apps/my-shop", currentDirectory: "/home/u")
        #expect(destination == ScaffoldDestination(name: "MyShop", directory: "/home/u/apps/my-shop"))
    }

    @Test func nameAloneCreatesAFolderOfThatName() throws {
        let destination = try ScaffoldDestination.resolve(name: "Shop", output: nil, currentDirectory: "/home/u")
        #expect(destination == ScaffoldDestination(name: "Shop", directory: "/home/u/Shop"))
    }

    @Test func neitherFillsTheCurrentFolder() throws {
        let destination = try ScaffoldDestination.resolve(name: nil, output: nil, currentDirectory: "/home/u/hello_world")
        #expect(destination == ScaffoldDestination(name: "HelloWorld", directory: "/home/u/hello_world"))
    }

    /// One rule for every folder name: upper camel case.
    @Test(arguments: [
        ("tool", "Tool"), ("my-inventory", "MyInventory"), ("hello_world", "HelloWorld"), ("myApp", "MyApp"),
        ("Shop", "Shop"), ("api.v2", "ApiV2"), ("2fast", "2fast"),
    ])
    func folderNamesBecomeUpperCamelCase(folder: String, name: String) {
        #expect(ScaffoldDestination.identifier(fromFolderName: folder) == name)
    }

    @Test func bothAreTakenAsGiven() throws {
        let destination = try ScaffoldDestination.resolve(name: "Shop", output: "/srv/x/", currentDirectory: "/home/u")
        #expect(destination == ScaffoldDestination(name: "Shop", directory: "/srv/x"))
    }

    @Test func anInvalidNameSaysWhichCharacters() {
        #expect(throws: HostctlFailure(
            "'my app!' cannot be the package's name: ' ' (space), '!' are not allowed (use letters, digits and _). "
                + "Use -n MyApp, or -o 'my app!' to create the folder my app! with the package MyApp in it."
        )) {
            try ScaffoldDestination.resolve(name: "my app!", output: nil, currentDirectory: "/")
        }
        #expect(throws: HostctlFailure("'9lives' cannot be the package's name: it must not start with a digit.")) {
            try ScaffoldDestination.resolve(name: "9lives", output: nil, currentDirectory: "/")
        }
    }

    @Test func aFolderNameThatCannotBeAnIdentifierAsksForOne() {
        #expect(throws: HostctlFailure("The folder name '2048' cannot be made into the package's name (it must not start with a digit). Pass one with --name.")) {
            try ScaffoldDestination.resolve(name: nil, output: "/tmp/2048", currentDirectory: "/")
        }
    }

    @Test(arguments: [
        ("ok", nil), ("_x9", nil), ("9x", "it must not start with a digit"), ("struct", "'struct' is a Swift keyword"),
        ("HostctlThing", "names starting with 'Hostctl' are hostctl's own modules"), ("", "the name is empty"),
        ("é", "'é' is not allowed (use letters, digits and _)"),
    ] as [(String, String?)])
    func identifiers(name: String, problem: String?) {
        #expect(SwiftIdentifier.problem(with: name) == problem)
    }
}

@Suite struct HostingSourceTests {
    @Test func urlsAreNamedByTheirLastComponent() throws {
        let source = try HostingSource.parse("https://github.com/acme/Hostctl.git", currentDirectory: "/")
        #expect(source == .url("https://github.com/acme/Hostctl.git"))
        #expect(source.identity == "hostctl")
        #expect(try HostingSource.parse("git@github.com:acme/hostctl-fork", currentDirectory: "/").identity == "hostctl-fork")
    }

    @Test func aPathMustBeAHostctlPackage() throws {
        let root = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", ".."))
        let source = try HostingSource.parse(root, currentDirectory: "/")
        #expect(source == .path(root))
        #expect(source.identity == FilePath.lastComponent(root).lowercased())
        #expect(throws: HostctlFailure.self) { try HostingSource.parse("Sources", currentDirectory: root) }
    }
}

/// The rule for the scaffold's dependency line (the CLI tests run it against real git checkouts).
@Suite struct HostingDependencyTests {
    let origin = "https://example.com/acme/hostctl.git"

    func choose(_ source: HostingSource, explicit: Bool = false, package: String, origin: String? = nil) -> HostingDependency {
        HostingDependency.choose(source: source, isExplicit: explicit, packageDirectory: package, originURL: { _ in origin })
    }

    @Test func insideOrBesideTheCheckoutIsARelativePath() {
        let inside = choose(.path("/src/hostctl"), package: "/src/hostctl/Examples/Shop", origin: origin)
        #expect(inside == HostingDependency(line: #".package(path: "../..")"#, identity: "hostctl", note: nil))
        let beside = choose(.path("/src/hostctl"), package: "/src/Shop", origin: origin)
        #expect(beside == HostingDependency(line: #".package(path: "../hostctl")"#, identity: "hostctl", note: nil))
        #expect(choose(.path("/src/hostctl"), explicit: true, package: "/src/Shop").line == #".package(path: "../hostctl")"#)
    }

    @Test func elsewhereTheOriginsURLFromThisVersion() {
        let dependency = choose(.path("/src/hostctl"), package: "/home/u/apps/Shop", origin: "git@github.com:acme/Hostctl.git")
        #expect(dependency.line == ".package(url: \"git@github.com:acme/Hostctl.git\", from: \"\(HostctlCommands.version)\")")
        #expect(dependency.identity == "hostctl")
        #expect(dependency.note == nil)
    }

    @Test func withoutAnOriginOrForAnExplicitPathTheAbsolutePathWithANote() {
        for dependency in [
            choose(.path("/src/hostctl"), package: "/home/u/Shop"),
            choose(.path("/src/hostctl"), explicit: true, package: "/home/u/Shop", origin: origin),
        ] {
            #expect(dependency.line == #".package(path: "/src/hostctl")"#)
            #expect(dependency.note?.hasPrefix("Package.swift depends on the hosting library by the path /src/hostctl, which exists on this machine only") == true)
        }
    }

    @Test func anExplicitURLFollowsItsBranch() {
        #expect(choose(.url(origin), explicit: true, package: "/home/u/Shop").line == ".package(url: \"\(origin)\", branch: \"main\")")
    }

    @Test(arguments: [
        ("https://github.com/acme/hostctl.git", true), ("ssh://git@host/x.git", true), ("git@github.com:acme/hostctl.git", true),
        ("file:///srv/git/hostctl", false), ("/srv/git/hostctl", false), ("../hostctl", false), ("", false),
    ])
    func onlyRemoteOriginsCount(url: String, isRemote: Bool) {
        #expect(GitOrigin.isRemote(url) == isRemote)
    }
}

@Suite struct ScaffoldRendererTests {
    static let root = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", ".."))
    static let hosting = HostingDependency(line: ".package(path: \"\(root)\")", identity: "hostctl", note: "Builds here only.")

    @Test func everyTemplateRendersWithNoTokenLeft() throws {
        let templates = try Template.catalog(in: FilePath.join(Self.root, "Templates"))
        #expect(templates.map(\.name) == ["web", "api", "empty"])
        let renderer = ScaffoldRenderer(tokens: ScaffoldRenderer.tokens(name: "Demo", hosting: Self.hosting))
        for template in templates {
            let files = try renderer.render(template)
            let paths = files.map(\.relativePath)
            for required in ["Package.swift", "launchSettings.json", ".gitignore", "README.md", "Sources/Demo/main.swift"] {
                #expect(paths.contains(required), "\(template.name) lacks \(required)")
            }
            #expect(paths.contains { $0.hasPrefix("Tests/DemoTests/") }, "\(template.name) has tests")
            for file in files {
                let text = String(decoding: file.contents, as: UTF8.self)
                #expect(!text.contains("__NAME") && !text.contains("__HOSTING") && !text.contains("_PORT__"), "\(template.name)/\(file.relativePath) keeps a token")
                #expect(!file.relativePath.contains("__"))
            }
        }
    }

    @Test func launchSettingsGetThreeDistinctPortsInDotnetsRange() throws {
        let template = try Template.catalog(in: FilePath.join(Self.root, "Templates")).first { $0.name == "web" }!
        for _ in 0..<20 {
            let files = try ScaffoldRenderer(tokens: ScaffoldRenderer.tokens(name: "Demo", hosting: Self.hosting)).render(template)
            let settings = try LaunchSettings.parse(files.first { $0.relativePath == "launchSettings.json" }!.contents, path: "launchSettings.json")
            #expect(settings.profiles.map(\.name) == ["http", "https", "iouring", "proxied"])
            let ports = settings.profiles.filter { $0.name != "https" }.compactMap { entry -> Int? in
                guard case .object(let profile) = entry.value, case .string(let url)? = profile["applicationUrl"] else { return nil }
                return Int(url.split(separator: ":").last!)
            }
            #expect(ports.count == 3 && Set(ports).count == 3)
            #expect(ports.allSatisfy { (5000...5300).contains($0) })
        }
    }

    @Test func theTemplateListIsATable() {
        let list = TemplateList.render([
            Template(name: "web", description: "A web app.", usesHosting: true, contentDirectory: "/"),
            Template(name: "console", description: "A console app.", usesHosting: false, contentDirectory: "/"),
        ])
        #expect(list == "Template  Description\n--------  -----------\nweb       A web app.\nconsole   A console app.\n")
    }
}
