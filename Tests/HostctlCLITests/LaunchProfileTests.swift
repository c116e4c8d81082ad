import HostctlSystem
import Testing

/// Profiles of Fixtures/ConsoleApps/launchSettings.json, applied to the built printargs app.
/// The fixture is shared and never written to, so these run in parallel.
@Suite struct LaunchProfileTests {
    func run(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) throws -> (RunResult, AppReport) {
        let package = try Fixture.consoleApps.sharedBuild()
        var env = Hostctl.baseEnvironment()
        env["FIXTURE_HOST_VALUE"] = "host"
        env["FIXTURE_ARG"] = "expanded"
        for (name, value) in environment { env[name] = value }
        let result = try Hostctl.run(["run", "--no-build", "--project", package] + arguments, in: directory ?? package, environment: env)
        return (result, AppReport(result.stdout))
    }

    @Test func defaultProfileIsTheFirstProjectProfile() throws {
        let package = try Fixture.consoleApps.sharedBuild()
        let (result, app) = try run([])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdoutLines.first == "Using launch settings from \(package)/launchSettings.json...")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "printargs", "\(result)")
        #expect(app.environment["HOSTCTL_URLS"] == "http://localhost:5123;http://127.0.0.1:5124")
        #expect(app.environment["HOSTCTL_ENVIRONMENT"] == "Development")
    }

    @Test func commandLineArgsAreSplitLikeDotnet() throws {
        let (result, app) = try run(["-lp", "printargs"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(app.arguments == ["a b", "c", "", "d\"e", "f\\\\g", "expanded"])
    }

    @Test func variablesExpandAndUnknownOnesStayLiteral() throws {
        let (_, app) = try run(["-lp", "printargs"])
        #expect(app.environment["FIXTURE_A"] == "from-profile")
        #expect(app.environment["FIXTURE_PERCENT"] == "host/x")
        #expect(app.environment["FIXTURE_DOLLAR"] == "host-host")
        #expect(app.environment["FIXTURE_UNKNOWN"] == "%FIXTURE_NOT_SET% $FIXTURE_NOT_SET ${FIXTURE_NOT_SET}")
        #expect(app.environment["FIXTURE_EMPTY"] == "")
    }

    @Test func profileNamesMatchWithoutCaseAndTheTypedNameIsPassedOn() throws {
        let (result, app) = try run(["-lp", "PrintArgs"])
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "PrintArgs")
        #expect(app.environment["FIXTURE_A"] == "from-profile")
    }

    @Test func commandLineArgumentsReplaceTheProfilesArguments() throws {
        let (_, app) = try run(["-lp", "printargs", "--", "only"])
        #expect(app.arguments == ["only"])
    }

    @Test func unknownTokensGoToTheAppInOrderWithEmptyStringsKept() throws {
        let (result, app) = try run(["first", "-x", "", "-lp", "printargs", "--unknown=1", "--", "-c", "--no-build", "", "last"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(app.arguments == ["first", "-x", "", "--unknown=1", "-c", "--no-build", "", "last"])
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "printargs")
    }

    @Test func noLaunchProfileArgumentsKeepsTheRestOfTheProfile() throws {
        let (_, app) = try run(["-lp", "printargs", "--no-launch-profile-arguments"])
        #expect(app.arguments.isEmpty)
        #expect(app.environment["FIXTURE_A"] == "from-profile")
        #expect(app.environment["HOSTCTL_URLS"] != nil)
    }

    @Test func noLaunchProfileIgnoresTheFileAndBeatsLaunchProfile() throws {
        let (result, app) = try run(["--no-launch-profile", "-lp", "printargs", "--product", "printargs"], environment: ["HOSTCTL_URLS": "http://shell:1"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdout.contains("Using launch settings"))
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
        #expect(app.environment["FIXTURE_A"] == nil)
        #expect(app.environment["HOSTCTL_URLS"] == "http://shell:1")
        #expect(app.arguments.isEmpty)
    }

    @Test func applicationUrlBeatsTheShell() throws {
        let (_, app) = try run(["-lp", "printargs"], environment: ["HOSTCTL_URLS": "http://shell:1", "FIXTURE_A": "shell"])
        #expect(app.environment["HOSTCTL_URLS"] == "http://localhost:5123;http://127.0.0.1:5124")
        #expect(app.environment["FIXTURE_A"] == "from-profile")
    }

    @Test func profileVariablesBeatImplicitOnes() throws {
        let (_, app) = try run(["-lp", "override"])
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "XYZ")
        #expect(app.environment["HOSTCTL_URLS"] == "XYZ")
    }

    @Test func environmentOptionBeatsEverything() throws {
        let (_, app) = try run(["-lp", "printargs", "-e", "FIXTURE_A=cli", "--environment", "HOSTCTL_LAUNCH_PROFILE=mine", "-e", "FIXTURE_NEW=a=b"])
        #expect(app.environment["FIXTURE_A"] == "cli")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "mine")
        #expect(app.environment["FIXTURE_NEW"] == "a=b")
    }

    @Test func explicitAspNetCoreUrlsBeatsApplicationUrl() throws {
        let (_, app) = try run(["-lp", "AspNetUrls"], environment: ["HOSTCTL_URLS": "http://shell:1"])
        #expect(app.environment["HOSTCTL_URLS"] == nil)
        #expect(app.environment["ASPNETCORE_URLS"] == "http://localhost:7000")
        let (_, overridden) = try run(["-lp", "printargs", "-e", "ASPNETCORE_URLS=http://cli:2"])
        #expect(overridden.environment["HOSTCTL_URLS"] == nil)
        #expect(overridden.environment["ASPNETCORE_URLS"] == "http://cli:2")
    }

    @Test func serverComesFromTheProfileOrTheCommandLine() throws {
        let (_, fromProfile) = try run(["-lp", "IOURing"])
        #expect(fromProfile.environment["HOSTCTL_SERVER"] == "iouring")
        let (_, fromOption) = try run(["-lp", "IOURing", "--server", "EventLoop"])
        #expect(fromOption.environment["HOSTCTL_SERVER"] == "eventloop")
        let (_, none) = try run(["-lp", "printargs"])
        #expect(none.environment["HOSTCTL_SERVER"] == nil)
    }

    @Test func workingDirectoryIsHonouredRelativeToTheSettingsFile() throws {
        let package = try Fixture.consoleApps.sharedBuild()
        let (result, app) = try run(["-lp", "WorkingDir"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(app.directory == "\(package)/Sources/printargs")
    }

    @Test func withoutWorkingDirectoryTheAppStartsWhereHostctlWasStarted() throws {
        let elsewhere = try TemporaryDirectory.make("cwd")
        let (_, app) = try run(["-lp", "printargs"], in: elsewhere)
        #expect(app.directory == elsewhere)
    }

    @Test func executableProfileRunsItsProgramFromThePackageDirectory() throws {
        let package = try Fixture.consoleApps.sharedBuild()
        let (result, app) = try run(["-lp", "Exec"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(app.arguments == ["x", "y"])
        #expect(app.directory == package)
        #expect(app.environment["FIXTURE_A"] == "exec")
        #expect(app.environment["HOSTCTL_URLS"] == nil, "applicationUrl is not applied to Executable profiles")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "Exec")
    }

    @Test func lenientConversionsAndPropertyCase() throws {
        let (result, app) = try run(["-lp", "Lenient"])
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(app.arguments == ["True"])
        #expect(app.environment["FIXTURE_BOOL"] == "False")
        #expect(app.environment["FIXTURE_NULL"] == "")
    }

    @Test func quietVerbosityHidesHostctlsMessages() throws {
        let (result, app) = try run(["-v", "q"])
        #expect(!result.stdout.contains("Using launch settings"))
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "printargs")
    }

    /// Each problem prints the profile line and the reason, then the app runs without a profile.
    @Test(arguments: [
        ("nope", "A launch profile with the name 'nope' doesn't exist."),
        ("Docker", "The launch profile type 'Docker' is not supported."),
        ("LowercaseCommand", "The launch profile type 'project' is not supported."),
        ("NoCommand", "A usable launch profile could not be located."),
        ("BadString", "Could not convert the value of property 'commandLineArgs' to a string."),
        ("BadBool", "Could not convert the value of property 'launchBrowser' to a boolean."),
        ("BadEnv", "The property 'environmentVariables' must be an object if it is specified."),
        ("BadEnvValue", "Could not convert the value of environment variable 'X' to a string (it is an object)."),
        ("BadServer", "The value 'kestrel' of property 'server' is not valid. Valid values: eventloop, iouring, proxied."),
        ("NotAnObject", "A profile with the specified name isn't a valid JSON object."),
        ("BadWorkingDir", "given by 'workingDirectory' does not exist."),
    ])
    func problemsAreReportedAndTheAppRunsWithoutTheProfile(_ profile: String, _ reason: String) throws {
        let (result, app) = try run(["-lp", profile, "--product", "printargs", "plain"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.contains("The launch profile \"\(profile)\" could not be applied.\n"), "\(result)")
        #expect(result.stderr.contains(reason), "\(result)")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
        #expect(app.environment["HOSTCTL_URLS"] == nil)
        #expect(app.arguments == ["plain"])
    }
}
