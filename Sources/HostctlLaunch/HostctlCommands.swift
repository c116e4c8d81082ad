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

    static let environment = OptionSpec(
        key: "environment", names: ["-e", "--environment"], kind: .value(placeholder: "KEY=VALUE"),
        summary: "Set an environment variable for the app (not for the build). Beats the profile. Can be repeated.",
        isRepeatable: true
    )
    static let noBuild = OptionSpec(
        key: "noBuild", names: ["--no-build"], kind: .flag,
        summary: "Do not build; run the last build."
    )

    /// What `hostctl run` takes, and `hostctl watch` with it.
    static let runOptions: [OptionSpec] = [
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
        environment,
        noBuild,
        project,
        product,
        OptionSpec(
            key: "server", names: ["--server"], kind: .value(placeholder: "SERVER"),
            summary: "The server to run the app on, overriding the profile's.",
            choices: ServerKind.allCases.map { Choice($0.rawValue) }
        ),
        verbosity,
    ]

    static let appArgumentsNote = "Arguments hostctl does not recognise, and everything after --, are passed to the app in order. "
        + "Any such argument replaces the profile's commandLineArgs entirely."

    public static let run = CommandSpec(
        name: "run",
        summary: "Build a Swift package and run its executable under a launch profile from launchSettings.json.",
        usage: ["hostctl run [options] [[--] <app arguments>...]"],
        options: runOptions,
        forwardsUnknownArguments: true,
        notes: [
            appArgumentsNote,
            "launchSettings.json is read from the package directory, else from its Properties/ folder.",
        ]
    )

    public static let watch = CommandSpec(
        name: "watch",
        summary: "Run the app as hostctl run does, and rebuild and swap it in with no failed request whenever a source file changes.",
        usage: ["hostctl watch [options] [[--] <app arguments>...]"],
        options: runOptions + [
            OptionSpec(key: "list", names: ["--list"], kind: .flag, summary: "List the files that are watched, and exit."),
            OptionSpec(
                key: "noBrowserRefresh", names: ["--no-browser-refresh"], kind: .flag,
                summary: "Do not add the refresh script to HTML pages (it reloads them after each swap, and shows build errors)."
            ),
        ],
        forwardsUnknownArguments: true,
        notes: [
            appArgumentsNote,
            "The app runs behind hostctl's front on the profile's URLs, whatever its commandName. After a change (the "
                + "package's files and local dependencies, not .build* or .git), the package is built again; a new build "
                + "starts beside the running one and takes the requests once it listens, and the old one finishes its "
                + "requests and stops. A failed build keeps the last good app serving.",
            "Keys: Ctrl+R rebuilds and restarts; Ctrl+C stops everything.",
        ]
    )

    public static let build = CommandSpec(
        name: "build",
        summary: "Build a Swift package with swift build.",
        usage: ["hostctl build [options]"],
        options: [configuration, project, product, verbosity]
    )

    public static let proxy = CommandSpec(
        name: "proxy",
        summary: "Run the front proxy on public URLs, with an app behind it that it starts, watches and restarts.",
        usage: [
            "hostctl proxy --urls <URLS> [--project <DIR>] [options]",
            "hostctl proxy --urls <URLS> [options] -- <COMMAND> [<ARGS>...]",
        ],
        options: [
            OptionSpec(
                key: "urls", names: ["--urls"], kind: .value(placeholder: "URLS"),
                summary: "The public URLs the front listens on, separated by ';'. Required."
            ),
            project,
            configuration,
            product,
            noBuild,
            OptionSpec(
                key: "environment", names: ["-e", "--environment"], kind: .value(placeholder: "KEY=VALUE"),
                summary: "Set an environment variable for the app (not for the build). Can be repeated.",
                isRepeatable: true
            ),
            OptionSpec(
                key: "startMode", names: ["--start-mode"], kind: .value(placeholder: "MODE"),
                summary: "onDemand starts the app on the first request (the default); always starts it at once.",
                choices: LaunchProfile.StartMode.allCases.map { Choice($0.rawValue) }
            ),
            OptionSpec(
                key: "pathBase", names: ["--path-base"], kind: .value(placeholder: "PATH"),
                summary: "The path base the app is served under (HOSTCTL_PATHBASE). The default is /."
            ),
            verbosity,
        ],
        notes: [
            "The app is the package's executable (built first, unless --no-build), or COMMAND after --, run from the "
                + "current directory. It must listen on 127.0.0.1:$HOSTCTL_PORT (0: any free port) and write the port to "
                + "the descriptor $HOSTCTL_READY_FD; hostctl's hosting library does both.",
            "app_offline.htm in the package directory (or the current directory with --) stops the app; requests get "
                + "503 with its content until it is removed. Stop the front with Ctrl+C or SIGTERM.",
        ]
    )

    public static let new = CommandSpec(
        name: "new",
        summary: "Create a Swift package from a template: web, api or empty.",
        usage: ["hostctl new <TEMPLATE> [options]", "hostctl new --list"],
        arguments: [
            ArgumentSpec(key: "template", placeholder: "TEMPLATE", summary: "The template to use (see --list).", completion: .templates),
        ],
        options: [
            OptionSpec(
                key: "name", names: ["-n", "--name"], kind: .value(placeholder: "NAME"),
                summary: "The package's name, a Swift identifier. The default is the output folder's name in upper camel case (my-shop: MyShop)."
            ),
            OptionSpec(
                key: "output", names: ["-o", "--output"], kind: .value(placeholder: "DIR"),
                summary: "Where to create the package. The default is a new folder named after --name, or else the current directory.",
                completion: .directory
            ),
            OptionSpec(
                key: "force", names: ["--force"], kind: .flag,
                summary: "Create the package even in a folder that is not empty, overwriting files of the same names."
            ),
            OptionSpec(
                key: "hostingSource", names: ["--hosting-source"], kind: .value(placeholder: "PATH|URL"),
                summary: "Where the package gets hostctl's hosting library: a hostctl checkout's path or a git URL. "
                    + "The default is the hostctl package this hostctl comes from: by a relative path inside or beside it, "
                    + "else by its git origin's URL, else by its absolute path.",
                completion: .directory
            ),
            OptionSpec(key: "list", names: ["-l", "--list"], kind: .flag, summary: "List the templates."),
            OptionSpec(key: "dryRun", names: ["--dry-run"], kind: .flag, summary: "Show the files that would be created, and create nothing."),
        ],
        notes: [
            "The web and api templates have launch profiles http (the event-loop server), iouring and proxied, each on a port "
                + "picked at random in 5000-5300, with HOSTCTL_ENVIRONMENT=Development; empty has one Project profile.",
        ]
    )

    public static let completions = CommandSpec(
        name: "completions",
        summary: "Print the shell completion script for bash, zsh or fish.",
        usage: ["hostctl completions <SHELL>"],
        arguments: [
            ArgumentSpec(
                key: "shell", placeholder: "SHELL", summary: "The shell: bash, zsh or fish.",
                choices: CompletionShell.allCases.map { Choice($0.rawValue) }
            ),
        ],
        options: [],
        notes: [
            "bash: add `source <(hostctl completions bash)` to ~/.bashrc. "
                + "zsh: `hostctl completions zsh > ~/.zfunc/_hostctl` with ~/.zfunc on $fpath before compinit. "
                + "fish: `hostctl completions fish > ~/.config/fish/completions/hostctl.fish`.",
        ]
    )

    public static let devCerts = CommandSpec(
        name: "dev-certs",
        summary: "Create, trust, export and clean the HTTPS development certificate, as `dotnet dev-certs https`.",
        usage: [
            "hostctl dev-certs https [options]",
            "hostctl dev-certs https --check [--trust]",
            "hostctl dev-certs https --clean [--import <PATH> --password <PASSWORD>]",
            "hostctl dev-certs https --export-path <PATH> [--format Pfx|Pem] [--password <PASSWORD> | --no-password] [--trust]",
        ],
        arguments: [
            ArgumentSpec(key: "kind", placeholder: "https", summary: "The kind of certificate (https is the one).", choices: [Choice("https")]),
        ],
        options: [
            OptionSpec(
                key: "exportPath", names: ["-ep", "--export-path"], kind: .value(placeholder: "PATH"),
                summary: "Full path to the exported certificate.", completion: .file
            ),
            OptionSpec(
                key: "password", names: ["-p", "--password"], kind: .value(placeholder: "PASSWORD"),
                summary: "Password to use when exporting the certificate with the private key into a pfx file or to encrypt the Pem exported key."
            ),
            OptionSpec(
                key: "noPassword", names: ["-np", "--no-password"], kind: .flag,
                summary: "Explicitly request that you don't use a password for the key when exporting a certificate to a PEM format."
            ),
            OptionSpec(
                key: "check", names: ["-c", "--check"], kind: .flag,
                summary: "Check for the existence of the certificate but do not perform any action."
            ),
            OptionSpec(key: "clean", names: ["--clean"], kind: .flag, summary: "Cleans all HTTPS development certificates from the machine."),
            OptionSpec(
                key: "import", names: ["-i", "--import"], kind: .value(placeholder: "PATH"),
                summary: "Imports the provided HTTPS development certificate into the machine. All other HTTPS developer certificates will be cleared out.",
                completion: .file
            ),
            OptionSpec(
                key: "format", names: ["--format"], kind: .value(placeholder: "FORMAT"),
                summary: "Export the certificate in the given format. Valid values are Pfx and Pem. Pfx is the default.",
                choices: [Choice("Pfx"), Choice("Pem")]
            ),
            OptionSpec(
                key: "trust", names: ["-t", "--trust"], kind: .flag,
                summary: "Trust the certificate on the current platform. When combined with the --check option, validates that the certificate is trusted."
            ),
            OptionSpec(key: "verbose", names: ["-v", "--verbose"], kind: .flag, summary: "Display more debug information."),
            OptionSpec(key: "quiet", names: ["-q", "--quiet"], kind: .flag, summary: "Display warnings and errors only."),
        ],
        notes: [
            "The certificate (ECDSA P-256, for localhost, 127.0.0.1 and ::1, valid for a year) is kept in "
                + "$XDG_DATA_HOME/hostctl/dev-certs (by default ~/.local/share/hostctl/dev-certs); the key is readable by you alone.",
            "--trust writes an OpenSSL certificate directory there (add it to SSL_CERT_DIR), adds the certificate to the "
                + "NSS databases of Chromium (~/.pki/nssdb) and Firefox with certutil when they exist, and to the system store "
                + "with update-ca-certificates when run as root. It says what it trusted and what it could not.",
            "Exit codes are dotnet dev-certs': 0 success, 4 trust failed, 6 no valid certificate, 7 not trusted, "
                + "10 unknown --format, 12 import file missing, 13 import file unreadable, 14 not a development certificate, "
                + "255 incompatible options.",
        ]
    )

    /// What completion scripts ask hostctl: `hostctl __complete profiles [--project DIR]`
    /// prints the profile names of that package's launch settings, `__complete templates`
    /// the template names; one per line, and nothing (rather than an error) when there are none.
    public static let completionQuery = CommandSpec(
        name: "__complete",
        summary: "Print values for shell completion.",
        usage: ["hostctl __complete profiles|templates [--project DIR]"],
        arguments: [
            ArgumentSpec(key: "topic", placeholder: "TOPIC", summary: "What to list.", choices: [Choice("profiles"), Choice("templates")]),
        ],
        options: [project],
        isHidden: true
    )

    /// Options that come before any command.
    public static let globalOptions: [OptionSpec] = [
        OptionSpec.help,
        OptionSpec(key: "version", names: ["--version"], kind: .flag, summary: "Show hostctl's version."),
    ]

    /// Every command, in the order `hostctl --help` lists them.
    public static let all: [CommandSpec] = [run, watch, build, new, proxy, devCerts, completions, completionQuery]

    /// What the completion scripts are generated from.
    public static let completionProgram = CompletionProgram(
        name: "hostctl", globalOptions: globalOptions, commands: all,
        queryCommand: completionQuery.name, projectOption: "--project"
    )

    public static func named(_ name: String) -> CommandSpec? { all.first { $0.name == name } }

    public static let version = "0.1.0"
}
