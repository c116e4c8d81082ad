import Glibc
import HostctlSystem
import Testing

/// The app never outlives hostctl, however hostctl ends (issue 15): behind the front the
/// app gets SIGKILL as its parent-death signal and, on the hosting library, a lifeline
/// descriptor; under `hostctl run` it gets the SIGTERM hostctl would have passed on. And
/// the pairing token leaves the environment of an app behind the front.
@Suite struct LifetimeTests {
    static let sample = FrontIntegrationSampleTests.sample

    /// A python app (no hosting library, no lifeline): the parent-death signal alone ends it.
    @Test func killingTheFrontWithSIGKILLEndsTheApp() async throws {
        try await offThePool {
            let directory = try Fixture.fronted.freshCopy()
            var pid: pid_t?
            let result = try Hostctl.run(
                ["proxy", "--urls", "http://127.0.0.1:0", "--start-mode", "always", "--", "python3", "app.py"], in: directory, timeout: 60
            ) { stdout, hostctl in
                guard pid == nil, let found = FrontTests.appPID(stdout) else { return }
                pid = found
                kill(hostctl.pid, SIGKILL)
            }
            #expect(result.status == .signaled(SIGKILL), "\(result)")
            let app = try #require(pid, "\(result)")
            #expect(Processes.waitUntil(seconds: 10) { Processes.hasEnded(app) }, "the app outlived the front: \(result)")
        }
    }

    /// The sample started by a shell that forks it (as scripts and `swift run` do) is out of
    /// reach of the parent-death signal, which ends the shell only: its lifeline ends it.
    @Test func anAppStartedThroughAForkingWrapperEndsWithTheFrontThroughItsLifeline() async throws {
        try await offThePool {
            try #require(FileSystem.exists(Self.sample), "swift test builds the sample; \(Self.sample) is missing")
            let directory = try TemporaryDirectory.make("lifeline")
            var shell: pid_t?, app: pid_t?
            let result = try Hostctl.run(
                ["proxy", "--urls", "http://127.0.0.1:0", "--start-mode", "always", "--", "sh", "-c", "\"$0\"; echo the shell lived on", Self.sample],
                in: directory, timeout: 60
            ) { stdout, hostctl in
                // The front listens, and then the sample says it started behind it.
                guard app == nil, stdout.contains("Application started behind the front") else { return }
                shell = Processes.children(of: hostctl.pid).first
                app = shell.flatMap { Processes.children(of: $0).first }
                kill(hostctl.pid, SIGKILL)
            }
            #expect(result.status == .signaled(SIGKILL), "\(result)")
            let shellPID = try #require(shell, "\(result)")
            let appPID = try #require(app, "the sample runs as the shell's child: \(result)")
            #expect(Processes.waitUntil(seconds: 10) { Processes.hasEnded(shellPID) }, "the shell got the parent-death signal")
            #expect(Processes.waitUntil(seconds: 10) { Processes.hasEnded(appPID) }, "the sample read the end of its lifeline and ended")
        }
    }

    /// Behind the front the hosting library still checks the token, but it is no longer in
    /// the app's environment (nor in /proc/PID/environ, whose bytes it cleared).
    @Test func thePairingTokenLeavesTheAppsEnvironment() async throws {
        try await offThePool {
            try #require(FileSystem.exists(Self.sample), "swift test builds the sample; \(Self.sample) is missing")
            let directory = try TemporaryDirectory.make("token")
            var environment: [String] = [], response = ""
            var done = false
            let result = try Hostctl.run(
                ["proxy", "--urls", "http://127.0.0.1:0", "--start-mode", "always", "--", Self.sample], in: directory, timeout: 60
            ) { stdout, hostctl in
                // The front listens, and then the sample says it started behind it.
                guard !done, stdout.contains("Application started behind the front"), let base = FrontTests.listeningURL(stdout) else { return }
                done = true
                // Once the sample answers through the front, it has read the token.
                response = (try? curl(["-s", "-i", base + "/plaintext"])) ?? "(curl failed)"
                if let app = Processes.children(of: hostctl.pid).first { environment = Processes.startingEnvironment(of: app) }
                hostctl.send(SIGTERM)
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(response.hasPrefix("HTTP/1.1 200") && response.hasSuffix("Hello, World!"), "the token check still passes: \(response)")
            #expect(environment.contains("HOSTCTL_PORT=0"), "the app's starting environment: \(environment)")
            let token = environment.first { $0.hasPrefix("HOSTCTL_TOKEN=") }
            #expect(token == "HOSTCTL_TOKEN=", "cleared, not just unset: \(token ?? "(absent)")")
        }
    }

    /// hostctl links the hosting library, which takes the token out of the environment at
    /// start-up, but it passes on what it was given as it always did.
    @Test func aTokenInHostctlsOwnEnvironmentIsStillPassedOn() throws {
        let package = try Fixture.consoleApps.sharedBuild()
        var environment = Hostctl.baseEnvironment()
        environment["HOSTCTL_PORT"] = "0"
        environment["HOSTCTL_TOKEN"] = "from-the-shell"
        let result = try Hostctl.run(["run", "--no-build", "-lp", "printargs"], in: package, environment: environment, timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        #expect(AppReport(result.stdout).environment["HOSTCTL_TOKEN"] == "from-the-shell", "\(result)")
    }

    /// `hostctl run`: the app gets SIGTERM when hostctl is killed, as it would get hostctl's
    /// own SIGTERM passed on; this one says so and exits 43.
    @Test func killingHostctlRunWithSIGKILLSendsTheAppSIGTERM() async throws {
        try await offThePool {
            let package = try Fixture.consoleApps.sharedBuild()
            var killed = false
            let result = try Hostctl.run(["run", "--no-build", "-lp", "traps"], in: package, timeout: 60) { stdout, hostctl in
                guard !killed, stdout.contains("ready") else { return }
                killed = true
                kill(hostctl.pid, SIGKILL)
            }
            #expect(result.status == .signaled(SIGKILL), "\(result)")
            // The app shares hostctl's stdout, so its last words arrive after hostctl's end.
            #expect(result.stdout.contains("Terminating!"), "\(result)")
        }
    }
}
