import HostctlCommandLine
import HostctlSystem

/// `hostctl new TEMPLATE`: scaffolds a package from Templates/, as `dotnet new` does.
/// Everything is decided and rendered in memory first, so a failure writes nothing.
public struct NewCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    /// `dotnet new`'s exit codes for these two failures.
    static let templateNotFound: Int32 = 103
    static let cannotCreateOutput: Int32 = 73

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        CommandHarness(environment: environment, console: console).execute(
            tokens, spec: HostctlCommands.new, help: templateHelp
        ) { (parsed, reporter) throws(HostctlFailure) in
            let installation = try HostctlInstallation.locate(environment: environment)
            let templates = try Template.catalog(in: installation.templatesDirectory)
            if parsed.isSet("list") {
                console.out.write(TemplateList.render(templates))
                return 0
            }
            guard let requested = parsed.arguments.first else {
                throw HostctlFailure("Name a template: hostctl new <TEMPLATE>.\n\n" + TemplateList.render(templates))
            }
            let template = try find(requested, in: templates)
            let currentDirectory = try Self.currentDirectory()
            let destination = try ScaffoldDestination.resolve(
                name: parsed.value("name"), output: parsed.value("output"), currentDirectory: currentDirectory
            )
            let explicitSource = try parsed.value("hostingSource").map { (text) throws(HostctlFailure) in
                try HostingSource.parse(text, currentDirectory: currentDirectory)
            }
            let hosting = HostingDependency.choose(
                source: explicitSource ?? .path(installation.root), isExplicit: explicitSource != nil,
                packageDirectory: destination.directory, originURL: { GitOrigin.url(of: $0, environment: environment) }
            )
            if template.usesHosting, hosting.identity == FilePath.lastComponent(destination.directory).lowercased() {
                throw HostctlFailure(
                    "The package's folder and the hosting package's (\(hosting.identity)) have the same name, which SwiftPM cannot tell apart. "
                        + "Choose another folder with -o."
                )
            }

            let renderer = ScaffoldRenderer(tokens: ScaffoldRenderer.tokens(name: destination.name, hosting: hosting))
            let files = try renderer.render(template)
            let writer = ScaffoldWriter(directory: destination.directory, overwrites: parsed.isSet("force"))
            try writer.check(files)

            let shownDirectory = FilePath.relative(destination.directory, from: currentDirectory)
            if parsed.isSet("dryRun") {
                console.out.writeLine("File actions would have been taken:")
                for file in files {
                    console.out.writeLine("  Create: " + FilePath.join(shownDirectory, file.relativePath))
                }
                return 0
            }
            try writer.write(files)
            reporter.info("The template \"\(template.name)\" was created successfully.")
            reporter.info("")
            reporter.info("Next steps:")
            if shownDirectory != "." { reporter.info("  cd \(ScaffoldDestination.shellWord(shownDirectory))") }
            reporter.info("  hostctl run")
            if template.usesHosting, let note = hosting.note {
                reporter.info("")
                reporter.warning("Note: " + note)
            }
            return 0
        }
    }

    private func find(_ requested: String, in templates: [Template]) throws(HostctlFailure) -> Template {
        if let template = templates.first(where: { $0.name.lowercased() == requested.lowercased() }) { return template }
        let names = templates.map { "'\($0.name)'" }.joined(separator: ", ")
        throw HostctlFailure(
            "No template is named '\(requested)'. The templates are \(names).\nRun 'hostctl new --list' to see what each one makes.",
            exitCode: Self.templateNotFound
        )
    }

    /// `hostctl new web --help` starts with what the template makes.
    private func templateHelp(_ parsed: ParsedCommandLine) -> String? {
        guard let requested = parsed.arguments.first,
              let installation = try? HostctlInstallation.locate(environment: environment),
              let templates = try? Template.catalog(in: installation.templatesDirectory),
              let template = try? find(requested, in: templates)
        else { return nil }
        return "Template \"\(template.name)\": \(template.description)\n\n"
    }

    private static func currentDirectory() throws(HostctlFailure) -> String {
        do { return try FileSystem.currentDirectory() } catch {
            throw HostctlFailure("The current directory cannot be read: \(error.reason).")
        }
    }
}

/// `hostctl new --list`.
enum TemplateList {
    static func render(_ templates: [Template]) -> String {
        let width = max((templates.map(\.name.count).max() ?? 0) + 2, "Template".count + 2)
        var lines = ["Template" + String(repeating: " ", count: width - 8) + "Description"]
        lines.append(String(repeating: "-", count: width - 2) + "  " + String(repeating: "-", count: 11))
        for template in templates {
            lines.append(template.name + String(repeating: " ", count: width - template.name.count) + template.description)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ScaffoldRenderer {
    /// The replacements Templates/README.md documents.
    static func tokens(name: String, hosting: HostingDependency) -> [(String, String)] {
        let ports = randomPorts(3)
        return [
            ("__NAME_LOWER__", name.lowercased()),
            ("__NAME__", name),
            ("__HOSTING_DEPENDENCY__", hosting.line),
            ("__HOSTING_PACKAGE__", hosting.identity),
            ("__HOSTING_NOTE__", hosting.note.map { "\n## Building elsewhere\n\n\($0)\n" } ?? ""),
            ("__HTTP_PORT__", String(ports[0])),
            ("__IOURING_PORT__", String(ports[1])),
            ("__PROXIED_PORT__", String(ports[2])),
            ("__HTTPS_PORT__", String(Int.random(in: 7000...7300))),
        ]
    }

    /// Distinct ports in 5000–5300, the range dotnet templates pick HTTP ports from.
    static func randomPorts(_ count: Int) -> [Int] {
        var ports: [Int] = []
        while ports.count < count {
            let port = Int.random(in: 5000...5300)
            if !ports.contains(port) { ports.append(port) }
        }
        return ports
    }
}
