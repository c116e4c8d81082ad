import Glibc
import HostctlSystem
import Testing

/// `hostingModel` on the IIS profiles of Fixtures/ConsoleApps (in process by default, as
/// since ASP.NET Core 3.0): in process the app itself gets the public URL and no front
/// starts; a start that fails is said to be one. Out of process is in FrontTests.
@Suite struct HostingModelTests {
    func run(_ profile: String, _ extra: [String] = []) throws -> (RunResult, AppReport) {
        let package = try Fixture.consoleApps.sharedBuild()
        var environment = Hostctl.baseEnvironment()
        environment["BROWSER"] = "true"  // launchBrowser: a browser that opens nothing
        let result = try Hostctl.run(["run", "--no-build", "-lp", profile] + extra, in: package, environment: environment, timeout: 60)
        return (result, AppReport(result.stdout))
    }

    /// "IIS Express" says nothing (in process), "IIS inprocess" spells it in lowercase.
    @Test(arguments: [("IIS Express", ["--product", "printargs"]), ("IIS inprocess", [])])
    func inProcessTheAppServesThePublicURLItself(_ profile: String, _ extra: [String]) throws {
        let (result, app) = try run(profile, extra)
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdout.contains("Forwarding to:"), "no front: \(result)")
        #expect(app.environment["HOSTCTL_URLS"] == "http://localhost:61234;https://localhost:44321", "the sslPort URL is served too: \(result)")
        #expect(app.environment["HOSTCTL_PORT"] == nil && app.environment["HOSTCTL_TOKEN"] == nil)
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == profile)
        #expect(!result.stdout.contains("Warning"), "\(result)")
        #expect(!result.stderr.contains("failed to start"), "exiting 0 is no failed start: \(result)")
    }

    @Test func inProcessAFailedStartIsSaidToBeOne() throws {
        let (result, _) = try run("IIS failing")
        #expect(result.exitCode == 3, "the app's code, as always: \(result)")
        #expect(result.stdout.contains("exiting with 3"), "the app's own output, straight to the terminal: \(result)")
        #expect(result.stderr.contains("The app failed to start (In-Process Start Failure): it exited with code 3 before it listened on http://localhost:61234."), "\(result)")
    }
}
