import HostctlSystem
import Testing

/// `hostctl` help, version and option errors, through the real binary.
@Suite struct CommandLineTests {
    let directory = FileSystem.currentDirectoryOrRoot

    @Test func helpListsCommands() throws {
        let result = try Hostctl.run(["--help"], in: directory)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("run "))
        #expect(result.stdout.contains("build "))
        #expect(result.stdout.contains("hostctl help <command>"))
        let bare = try Hostctl.run([], in: directory)
        #expect(bare.stdout == result.stdout)
    }

    @Test func runHelpIsTheSameEveryWay() throws {
        let viaHelp = try Hostctl.run(["help", "run"], in: directory)
        let viaFlag = try Hostctl.run(["run", "--help"], in: directory)
        let viaShort = try Hostctl.run(["run", "-h"], in: directory)
        #expect(viaHelp.exitCode == 0 && viaFlag.exitCode == 0 && viaShort.exitCode == 0)
        #expect(viaHelp.stdout == viaFlag.stdout && viaFlag.stdout == viaShort.stdout)
        for option in [
            "-c, --configuration <Debug|Release>", "-lp, --launch-profile <NAME>", "--no-launch-profile ",
            "--no-launch-profile-arguments", "-e, --environment <KEY=VALUE>", "--no-build", "--project <DIR>",
            "--product <NAME>", "--server <eventloop|iouring|proxied>", "-v, --verbosity <LEVEL>", "-h, --help, -?",
        ] {
            #expect(viaHelp.stdout.contains(option), "help lacks \(option)")
        }
    }

    @Test func buildHelp() throws {
        let result = try Hostctl.run(["build", "--help"], in: directory)
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("hostctl build [options]"))
        #expect(!result.stdout.contains("--launch-profile"))
    }

    @Test func version() throws {
        let result = try Hostctl.run(["--version"], in: directory)
        #expect(result.exitCode == 0)
        #expect(result.stdout.split(separator: ".").count == 3, "\(result)")
    }

    @Test func unknownCommandSuggestsTheNearestOne() throws {
        let result = try Hostctl.run(["rn"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Unknown command 'rn'. Did you mean 'run'?"))
        let help = try Hostctl.run(["help", "nonsense"], in: directory)
        #expect(help.exitCode == 1)
        #expect(help.stderr.contains("Unknown command 'nonsense'."))
    }

    @Test func invalidConfigurationListsTheValidOnes() throws {
        let result = try Hostctl.run(["run", "-c", "Profile"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Argument 'Profile' not recognized. Must be one of:\n\t'Debug'\n\t'Release'"), "\(result)")
    }

    @Test func invalidServerListsTheValidOnes() throws {
        let result = try Hostctl.run(["run", "--server", "kestrel"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Argument 'kestrel' not recognized. Must be one of:\n\t'eventloop'\n\t'iouring'\n\t'proxied'"))
    }

    @Test(arguments: [["run", "-c"], ["run", "--launch-profile"], ["run", "-c", "--no-build"], ["build", "--project"], ["run", "-e"]])
    func optionWithoutItsValue(_ arguments: [String]) throws {
        let result = try Hostctl.run(arguments, in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Required argument missing for option: '\(arguments[1])'."), "\(result)")
    }

    @Test func malformedEnvironmentAssignment() throws {
        let result = try Hostctl.run(["run", "-e", "NOEQUALS"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Incorrectly formatted environment variables: 'NOEQUALS'"))
    }

    @Test func buildRejectsStrayArguments() throws {
        let result = try Hostctl.run(["build", "extra"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Unrecognized command or argument 'extra'."))
    }

    /// Each message says what the command was looking for (a package to run or to build:
    /// a Package.swift) and where it looked.
    @Test func projectThatDoesNotExist() throws {
        for (command, purpose) in [("run", "to run"), ("build", "to build")] {
            let result = try Hostctl.run([command, "--project", "/no/such/place"], in: directory)
            #expect(result.exitCode == 1)
            #expect(result.stderr == "Couldn't find a package \(purpose): /no/such/place does not exist (from --project /no/such/place, which takes the folder that holds Package.swift).\n", "\(result)")
        }
    }

    @Test func projectWithoutPackageSwift() throws {
        let empty = try TemporaryDirectory.make("empty")
        for (command, purpose) in [("run", "to run"), ("build", "to build")] {
            let named = try Hostctl.run([command, "--project", empty], in: directory)
            #expect(named.exitCode == 1)
            #expect(named.stderr == "Couldn't find a package \(purpose): there is no Package.swift in \(empty) (from --project \(empty)).\n", "\(named)")

            let here = try Hostctl.run([command], in: empty)
            #expect(here.exitCode == 1)
            #expect(here.stderr == "Couldn't find a package \(purpose): there is no Package.swift in the current directory (\(empty)). Run this in the package's directory, or pass it with --project DIR.\n", "\(here)")
        }
    }
}

extension FileSystem {
    static var currentDirectoryOrRoot: String { (try? currentDirectory()) ?? "/" }
}
