import Foundation
import HostctlSystem
import Testing

/// Building: failures, product choice, --no-build, and the up-to-date fast path.
@Suite struct BuildTests {
    @Test func aFailedBuildShowsTheErrorsAndLaunchesNothing() throws {
        let package = try Fixture.broken.freshCopy()
        let result = try Hostctl.run(["run"], in: package, timeout: 300)
        #expect(result.exitCode == 1, "\(result)")
        #expect((result.stdout + result.stderr).contains("cannot convert value of type 'String' to specified type 'Int'"), "\(result)")
        #expect(result.stderr.hasSuffix("\nThe build failed. Fix the build errors and run again.\n"), "\(result)")
        #expect(!FileSystem.exists(FilePath.join(package, ".build/hostctl/stamps/debug-auto.stamp")))
    }

    @Test func quietBuildStillShowsTheErrors() throws {
        let package = try Fixture.broken.freshCopy()
        let result = try Hostctl.run(["build", "-v", "q"], in: package, timeout: 300)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("error:"), "\(result)")
        #expect(result.stderr.contains("The build failed."))
    }

    @Test func severalExecutablesNeedAChoice() throws {
        let package = try Fixture.consoleApps.freshCopy()
        let result = try Hostctl.run(["run", "--no-launch-profile"], in: package, timeout: 300)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr.contains("has several executable products:\n\texitwith\n\tprintargs\n\ttraps"), "\(result)")
        #expect(result.stderr.contains("--product"))
    }

    @Test func noBuildWithoutABuildIsAClearError() throws {
        let package = try Fixture.hello.freshCopy()
        let result = try Hostctl.run(["run", "--no-build", "--product", "hello"], in: package)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("There is no Debug build of 'hello' to run"), "\(result)")
        #expect(result.stderr.contains("run without --no-build"))
    }

    /// The fast path: a second run skips swift build; any change to what the build reads
    /// builds again; a change only to launchSettings.json does not.
    @Test func upToDateRunsSkipTheBuildUntilSomethingChanges() throws {
        let package = try Fixture.hello.freshCopy()
        let source = FilePath.join(package, "Sources/hello/main.swift")
        func run() throws -> RunResult {
            let result = try Hostctl.run(["run", "-v", "d"], in: package, timeout: 300)
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.hasSuffix("hello from the fixture\n") || result.stdout.contains("changed\n"), "\(result)")
            return result
        }
        func built(_ result: RunResult) -> Bool { result.stdout.contains("Running: ") && result.stdout.contains(" build --package-path") }

        #expect(built(try run()))
        #expect(!built(try run()), "nothing changed")

        try write(#"{ "profiles": { "p": { "commandName": "Project", "environmentVariables": { "A": "1" } } } }"#, to: FilePath.join(package, "launchSettings.json"))
        #expect(!built(try run()), "launchSettings.json is not a build input")

        try write("print(\"changed\")\n", to: source)
        let rebuilt = try run()
        #expect(built(rebuilt))
        #expect(rebuilt.stdout.contains("changed\n"))
        #expect(!built(try run()))

        try write("// new file\n", to: FilePath.join(package, "Sources/hello/Extra.swift"))
        #expect(built(try run()), "a new source file")

        try FileManager.default.removeItem(atPath: FilePath.join(package, ".build/debug/hello"))
        #expect(built(try run()), "the binary went away")

        var environment = Hostctl.baseEnvironment()
        environment["SWIFT_FIXTURE_FLAG"] = "1"
        let withFlag = try Hostctl.run(["run", "-v", "d"], in: package, environment: environment, timeout: 300)
        #expect(built(withFlag), "a SWIFT* variable changed")

        let release = try Hostctl.run(["run", "-c", "release", "-v", "d"], in: package, timeout: 300)
        #expect(built(release), "another configuration has its own build")
        #expect(release.stdout.contains("hello"))
    }

    /// Two ways a run used to print "Building..." with nothing changed: after `hostctl
    /// build` (whose whole-package build the run did not count), in either configuration,
    /// and after moving launchSettings.json into Properties/ and back.
    @Test func noBuildAfterHostctlBuildOrAfterMovingLaunchSettings() throws {
        let package = try Fixture.hello.freshCopy()
        let settings = FilePath.join(package, "launchSettings.json")
        try write(#"{ "profiles": { "p": { "commandName": "Project", "dotnetRunMessages": true } } }"#, to: settings)
        func run(_ arguments: [String] = []) throws -> RunResult {
            let result = try Hostctl.run(["run", "-v", "d"] + arguments, in: package, timeout: 300)
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.hasSuffix("hello from the fixture\n"), "\(result)")
            return result
        }
        func built(_ result: RunResult) -> Bool {
            result.stdout.contains("Building...") || result.stdout.contains(" build --package-path")
        }

        for configuration in ["Debug", "Release"] {
            let build = try Hostctl.run(["build", "-c", configuration, "-v", "q"], in: package, timeout: 600)
            #expect(build.exitCode == 0, "\(build)")
            let afterBuild = try run(["-c", configuration])
            #expect(!built(afterBuild), "hostctl build -c \(configuration) built it: \(afterBuild)")
            #expect(afterBuild.stdout.contains("build of the whole package (hostctl build) is up to date"), "\(afterBuild)")
            #expect(!built(try run(["-c", configuration])), "and the next run is up to date by its own record")
        }

        let properties = FilePath.join(package, "Properties")
        try FileManager.default.createDirectory(atPath: properties, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: settings, toPath: FilePath.join(properties, "launchSettings.json"))
        let moved = try run()
        #expect(moved.stdout.contains("Using launch settings from \(properties)/launchSettings.json..."))
        #expect(!built(moved), "\(moved)")
        try FileManager.default.moveItem(atPath: FilePath.join(properties, "launchSettings.json"), toPath: settings)
        try FileManager.default.removeItem(atPath: properties)
        #expect(!built(try run()))

        // Any other file in Properties/ is still a build input.
        try write("x\n", to: FilePath.join(properties, "Notes.txt"))
        #expect(built(try run()))
    }

    @Test func aChangeInALocalPathDependencyRebuilds() throws {
        let root = try TemporaryDirectory.make("deps")
        let library = FilePath.join(root, "Library")
        let app = FilePath.join(root, "App")
        try write("""
        // swift-tools-version:6.0
        import PackageDescription
        let package = Package(name: "Library", products: [.library(name: "Greeting", targets: ["Greeting"])], targets: [.target(name: "Greeting")])
        """, to: FilePath.join(library, "Package.swift"))
        try write("public let greeting = \"one\"\n", to: FilePath.join(library, "Sources/Greeting/Greeting.swift"))
        try write("""
        // swift-tools-version:6.0
        import PackageDescription
        let package = Package(name: "App", dependencies: [.package(path: "../Library")],
            targets: [.executableTarget(name: "app", dependencies: [.product(name: "Greeting", package: "Library")])])
        """, to: FilePath.join(app, "Package.swift"))
        try write("import Greeting\nprint(greeting)\n", to: FilePath.join(app, "Sources/app/main.swift"))

        let first = try Hostctl.run(["run"], in: app, timeout: 300)
        #expect(first.stdout.hasSuffix("one\n"), "\(first)")
        // The first build is where SwiftPM resolves the dependency, so only the build after
        // it can record the dependency's fingerprint; from then on runs are up to date.
        _ = try Hostctl.run(["run"], in: app, timeout: 300)
        let third = try Hostctl.run(["run", "-v", "d"], in: app, timeout: 300)
        #expect(third.stdout.contains("up to date"), "\(third)")

        try write("public let greeting = \"two\"\n", to: FilePath.join(library, "Sources/Greeting/Greeting.swift"))
        let changed = try Hostctl.run(["run"], in: app, timeout: 300)
        #expect(changed.stdout.hasSuffix("two\n"), "\(changed)")
    }

    @Test func buildingMessageOnlyWhenABuildHappens() throws {
        let package = try Fixture.hello.freshCopy()
        try write(#"{ "profiles": { "p": { "commandName": "Project", "dotnetRunMessages": "true" } } }"#, to: FilePath.join(package, "launchSettings.json"))
        let first = try Hostctl.run(["run"], in: package, timeout: 300)
        #expect(first.stdoutLines.dropFirst().first == "Building...", "\(first)")
        let second = try Hostctl.run(["run"], in: package, timeout: 300)
        #expect(!second.stdout.contains("Building..."), "\(second)")
        #expect(second.stdout.hasSuffix("hello from the fixture\n"))
    }

    /// `-e` is for the app: a PATH that would break the build must not reach it.
    @Test func environmentOptionNeverReachesTheBuild() throws {
        let package = try Fixture.hello.freshCopy()
        let result = try Hostctl.run(["run", "-e", "PATH=/nonexistent", "-e", "SWIFT_EXEC=/nonexistent"], in: package, timeout: 300)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.hasSuffix("hello from the fixture\n"))
    }

    @Test func buildCommandBuildsEverythingAndReportsSuccess() throws {
        let package = try Fixture.hello.freshCopy()
        let result = try Hostctl.run(["build", "--project", package, "-c", "Debug"], in: "/", timeout: 300)
        #expect(result.exitCode == 0, "\(result)")
        #expect(FileSystem.status(FilePath.join(package, ".build/debug/hello"))?.isExecutable == true)
        let run = try Hostctl.run(["run", "--no-build"], in: package)
        #expect(run.stdout == "hello from the fixture\n", "\(run)")
    }

    /// On a terminal the build shows one progress line; colour is left out with NO_COLOR.
    @Test func progressIndicatorOnATerminal() throws {
        let package = try Fixture.hello.freshCopy()
        let script = try #require(ExecutableSearch.find("script", path: ProcessInfo.processInfo.environment["PATH"]))
        let command = "NO_COLOR=1 TERM=xterm '\(Hostctl.executable)' run --project '\(package)'"
        let result = try Hostctl.runTool(script, ["-qec", command, "/dev/null"], in: package)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("\r\u{1B}[2K"), "\(result)")
        #expect(result.stdout.contains("Building hello (debug)"), "\(result)")
        #expect(!result.stdout.contains("\u{1B}[2m"), "no colour with NO_COLOR")
        #expect(result.stdout.contains("hello from the fixture"))

        let plain = try Hostctl.run(["run", "-v", "d"], in: package)
        #expect(!plain.stdout.contains("\u{1B}"), "no escapes when output is not a terminal")
    }
}
