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
        #expect(destination == ScaffoldDestination(name: "hello_world", directory: "/home/u/hello_world"))
    }

    @Test func bothAreTakenAsGiven() throws {
        let destination = try ScaffoldDestination.resolve(name: "Shop", output: "/srv/x/", currentDirectory: "/home/u")
        #expect(destination == ScaffoldDestination(name: "Shop", directory: "/srv/x"))
    }

    @Test func anInvalidNameSaysWhichCharacters() {
        #expect(throws: HostctlFailure("'my app!' cannot be the package's name: ' ' (space), '!' are not allowed (use letters, digits and _).")) {
            try ScaffoldDestination.resolve(name: "my app!", output: nil, currentDirectory: "/")
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
    @Test func urlsBecomeBranchDependenciesNamedByTheirLastComponent() throws {
        let source = try HostingSource.parse("https://github.com/acme/Hostctl.git", currentDirectory: "/")
        #expect(source.dependency == #".package(url: "https://github.com/acme/Hostctl.git", branch: "main")"#)
        #expect(source.identity == "hostctl")
        #expect(try HostingSource.parse("git@github.com:acme/hostctl-fork", currentDirectory: "/").identity == "hostctl-fork")
    }

    @Test func aPathMustBeAHostctlPackage() throws {
        let root = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", ".."))
        let source = try HostingSource.parse(root, currentDirectory: "/")
        #expect(source == .path(root))
        #expect(source.dependency == ".package(path: \"\(root)\")")
        #expect(source.identity == FilePath.lastComponent(root).lowercased())
        #expect(throws: HostctlFailure.self) { try HostingSource.parse("Sources", currentDirectory: root) }
    }
}

@Suite struct ScaffoldRendererTests {
    static let root = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", ".."))

    @Test func everyTemplateRendersWithNoTokenLeft() throws {
        let templates = try Template.catalog(in: FilePath.join(Self.root, "Templates"))
        #expect(templates.map(\.name) == ["web", "api", "empty"])
        let renderer = ScaffoldRenderer(tokens: ScaffoldRenderer.tokens(name: "Demo", hosting: .path(Self.root)))
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
            let files = try ScaffoldRenderer(tokens: ScaffoldRenderer.tokens(name: "Demo", hosting: .path(Self.root))).render(template)
            let settings = try LaunchSettings.parse(files.first { $0.relativePath == "launchSettings.json" }!.contents, path: "launchSettings.json")
            #expect(settings.profiles.map(\.name) == ["http", "iouring", "proxied"])
            let ports = settings.profiles.compactMap { entry -> Int? in
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
