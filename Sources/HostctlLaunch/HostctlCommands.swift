import HostctlCommandLine

/// The declarations of hostctl's commands. Parsing, `--help` and (later) the shell
/// completion scripts are all generated from these, so they cannot drift apart.
public enum HostctlCommands {
    static let configuration = OptionSpec(
        key: "configuration", names: ["-c", "--configuration"], kind: .value(placeholder: "CONFIGURATION"),
        summary: "The build configuration. The default is Debug.",
        choices: BuildConfiguration.allCases.map { Choice($0.rawValue) }
    )
    static let project = OptionSpec(
        key: "project", names: ["--project"], kind: .value(placeholder: "DIR"),
        summary: "The package directory (the one holding Package.swift). The default is the current directory.",
        completion: .directory
    )
    static let product = OptionSpec(
        key: "product", names: ["--product"], kind: .value(placeholder: "NAME"),
        summary: "The executable product to build and run, when the package has several."
    )
    static let verbosity = OptionSpec(
        key: "verbosity", names: ["-v", "--verbosity"], kind: .value(placeholder: "LEVEL"),
        summary: "How much to print. q hides hostctl's own messages; d also shows the commands it runs.",
        choices: [
            Choice("quiet", aliases: ["q"]), Choice("minimal", aliases: ["m"]), Choice("normal", aliases: ["n"]),
            Choice("detailed", aliases: ["d"]), Choice("diagnostic", aliases: ["diag"]),
        ]
    )

    public static let run = CommandSpec(
        name: "run",
        summary: "Build a Swift package and run its executable under a launch profile from launchSettings.json.",
        usage: ["hostctl run [options] [[--] <app arguments>...]"],
        options: [
            configuration,
            OptionSpec(
                key: "launchProfile", names: ["-lp", "--launch-profile"], kind: .value(placeholder: "NAME"),
                summary: "The launch profile to use (names match without regard to case). The default is the first Project profile.",
                completion: .launchProfiles
            ),
            OptionSpec(
                key: "noLaunchProfile", names: ["--no-launch-profile"], kind: .flag,
                summary: "Do not read launchSettings.json at all."
            ),
            OptionSpec(
                key: "noLaunchProfileArguments", names: ["--no-launch-profile-arguments"], kind: .flag,
                summary: "Apply the launch profile but not its commandLineArgs."
            ),
            OptionSpec(
                key: "environment", names: ["-e", "--environment"], kind: .value(placeholder: "KEY=VALUE"),
                summary: "Set an environment variable for the app (not for the build). Beats the profile. Can be repeated.",
                isRepeatable: true
            ),
            OptionSpec(
                key: "noBuild", names: ["--no-build"], kind: .flag,
                summary: "Do not build; run the last build."
            ),
            project,
            product,
            OptionSpec(
                key: "server", names: ["--server"], kind: .value(placeholder: "SERVER"),
                summary: "The server to run the app on, overriding the profile's.",
                choices: ServerKind.allCases.map { Choice($0.rawValue) }
            ),
            verbosity,
        ],
        forwardsUnknownArguments: true,
        notes: [
            "Arguments hostctl does not recognise, and everything after --, are passed to the app in order. "
                + "Any such argument replaces the profile's commandLineArgs entirely.",
            "launchSettings.json is read from the package directory, else from its Properties/ folder.",
        ]
    )

    public static let build = CommandSpec(
        name: "build",
        summary: "Build a Swift package with swift build.",
        usage: ["hostctl build [options]"],
        options: [configuration, project, product, verbosity]
    )

    /// Every command, in the order `hostctl --help` lists them.
    public static let all: [CommandSpec] = [run, build]

    public static func named(_ name: String) -> CommandSpec? { all.first { $0.name == name } }

    public static let version = "0.1.0"
}
