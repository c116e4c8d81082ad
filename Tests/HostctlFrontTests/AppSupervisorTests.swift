import HostctlCore
import Glibc
import Synchronization
@testable import HostctlFront
import HostctlSystem
import Testing

/// The process half against real processes (python3 fixture apps). Serialized: they
/// count this process's descriptors and children.
@Suite(.serialized) struct AppSupervisorTests {
    /// Options for tests: output not copied to the test's own, messages collected.
    static func options(_ configure: (inout AppSupervisorOptions) -> Void = { _ in }) -> (AppSupervisorOptions, MessageLog) {
        let log = MessageLog()
        var options = AppSupervisorOptions()
        options.startupTimeLimit = .seconds(30)
        options.shutdownTimeLimit = .seconds(5)
        options.relayedStandardOutput = nil
        options.relayedStandardError = nil
        options.log = { log.append($0) }
        configure(&options)
        return (options, log)
    }

    /// The page `endpoint()` answered with instead of an address; nil when it gave one.
    func failure(_ body: () async throws -> AppEndpoint) async -> FrontUnavailable? {
        do { _ = try await body(); return nil } catch { return error as? FrontUnavailable }
    }

    func text(_ page: FrontUnavailable?) -> String { page.map { String(decoding: $0.body, as: UTF8.self) } ?? "(no page)" }

    @Test func concurrentCallersWaitForOneStart() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let endpoints = try await withThrowingTaskGroup(of: AppEndpoint.self) { group in
            for _ in 0..<20 { group.addTask { try await supervisor.endpoint() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(endpoints.map(\.port)).count == 1)
        #expect(endpoints.allSatisfy { $0 == endpoints[0] && $0.generation == 1 })
        #expect(app.startedPIDs.count == 1, "\(app.marks)")
        #expect(app.started("port") == "0")
        #expect(app.started("token") == endpoints[0].token)
        #expect(endpoints[0].token.count == 32 && endpoints[0].token.allSatisfy(\.isHexDigit))
        #expect(app.started("pathbase") == "/")
        #expect(app.started("readyfd") == "3")
        #expect(app.started("lifelinefd") == "4")
        #expect(app.marks.contains("listening pid=\(app.startedPIDs[0]) port=\(endpoints[0].port)"))
        await supervisor.shutdown()
        #expect(app.marks.contains("SIGTERM pid=\(app.startedPIDs[0])"), "stopped gracefully")
        #expect(!processExists(app.startedPIDs[0]), "reaped")
    }

    @Test func eachProcessGetsAFreshToken() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let first = try await supervisor.endpoint()
        kill(app.startedPIDs[0], SIGKILL)
        let restarted = await eventually { (try? await supervisor.endpoint())?.generation == 2 }
        #expect(restarted)
        let second = try await supervisor.endpoint()
        #expect(second.token != first.token)
        await supervisor.shutdown()
    }

    @Test func anExitCodeIsNamedAndTheOutputShownOnlyInDevelopment() async throws {
        let app = try FixtureApp()
        let (production, log) = Self.options()
        let quiet = AppSupervisor(command: app.command("exit3"), options: production)
        let page = await failure { try await quiet.endpoint() }
        #expect(page?.status == 502)
        #expect(text(page).contains("exited with code 3"), "\(text(page))")
        #expect(!text(page).contains("boom"))
        #expect(log.messages.contains { $0.contains("exited with code 3 before it was listening") }, "\(log.messages)")
        await quiet.shutdown()

        let (development, _) = Self.options { $0.showsOutputTail = true }
        let verbose = AppSupervisor(command: app.command("exit3"), options: development)
        let shown = await failure { try await verbose.endpoint() }
        #expect(text(shown).contains("starting up"), "\(text(shown))")
        #expect(text(shown).contains("boom &lt;tag&gt; &amp; more"))
        await verbose.shutdown()
    }

    @Test func deathBySignalIsNamed() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("selfkill"), options: options)
        let page = await failure { try await supervisor.endpoint() }
        #expect(page?.status == 502)
        #expect(text(page).contains("was killed by signal 9 (SIGKILL)"), "\(text(page))")
        await supervisor.shutdown()
    }

    @Test func anAppThatNeverListensIsKilledAtTheStartupLimit() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options { $0.startupTimeLimit = .seconds(2) }
        let supervisor = AppSupervisor(command: app.command("never"), options: options)
        let page = await failure { try await supervisor.endpoint() }
        #expect(page?.status == 502)
        #expect(text(page).contains("did not start listening within 2 s"), "\(text(page))")
        // Under a loaded test run python may not even have recorded its pid before the kill.
        #expect(app.startedPIDs.allSatisfy { !processExists($0) }, "killed and reaped")
        await supervisor.shutdown()
    }

    /// ANCM's contract: an app that does not report its port listens on the one in PORT and
    /// ASPNETCORE_PORT (or in its arguments, for `{port}`), and is ready once it accepts a
    /// connection there. Closing the readiness descriptor is not a failure then.
    @Test(arguments: ["foreign", "argument", "close-ready"])
    func anAppThatDoesNotReportItsPortIsFoundOnTheOneItWasGiven(_ mode: String) async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command(mode, arguments: mode == "argument" ? ["{port}"] : []), options: options)
        let endpoint = try await supervisor.endpoint()
        let given = try #require(app.started("given"), "\(app.marks)")
        #expect(String(endpoint.port) == given)
        #expect(app.started("aspnetcore") == given)
        #expect(app.started("port") == "0", "HOSTCTL_PORT stays the hosting library's: bind a free port and report it")
        #expect(app.started("args") == (mode == "argument" ? given : ""), "\(app.marks)")
        #expect(app.marks.contains("listening pid=\(app.startedPIDs[0]) port=\(given)"))
        #expect(endpoint.port >= FreePort.lowest && endpoint.port < (FreePort.ephemeralRange()?.lower ?? 32768), "below the ephemeral range: \(endpoint.port)")
        await supervisor.shutdown()
        #expect(!processExists(app.startedPIDs[0]))
    }

    @Test func aMissingProgramIsNamed() async throws {
        let (options, _) = Self.options()
        let command = AppCommand(executable: "/no/such/app", environment: ProcessEnvironment())
        let supervisor = AppSupervisor(command: command, options: options)
        let page = await failure { try await supervisor.endpoint() }
        #expect(page?.status == 502)
        #expect(text(page).contains("could not be started: the file does not exist"), "\(text(page))")
        await supervisor.shutdown()
    }

    @Test func aCrashRestartsTheAppUntilTooManyRapidFailures() async throws {
        let app = try FixtureApp()
        let (options, log) = Self.options {
            $0.rapidFailureLimit = 3
            $0.rapidFailureWindow = .seconds(3)
        }
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        // A crash of a running app: the next request gets a new one.
        let first = try await supervisor.endpoint()
        kill(app.startedPIDs[0], SIGKILL)
        #expect(await eventually { (try? await supervisor.endpoint())?.generation == 2 })
        #expect(log.messages.contains { $0.contains("was killed by signal 9 (SIGKILL). It will be started again") }, "\(log.messages)")
        let second = try await supervisor.endpoint()
        #expect(second.port != first.port || second.generation != first.generation)
        await supervisor.shutdown()

        // Failures to start: three are allowed in the window, then 503 until it has passed.
        // The window runs on a clock of the test's: the same however long the starts take.
        let clock = TestClock()
        let (clockedOptions, _) = Self.options {
            $0.rapidFailureLimit = 3
            $0.rapidFailureWindow = .seconds(3)
            $0.clock = { clock.now }
        }
        let failing = AppSupervisor(command: app.command("exit3"), options: clockedOptions)
        for _ in 0..<3 {
            let page = await failure { try await failing.endpoint() }
            #expect(page?.status == 502)
        }
        let refused = await failure { try await failing.endpoint() }
        #expect(refused?.status == 503)
        #expect(text(refused).contains("failed 3 times within 3 s"), "\(text(refused))")
        #expect(text(refused).contains("exited with code 3"))
        let startsBefore = app.startedPIDs.count
        clock.advance(by: .seconds(3))
        #expect(await failure { try await failing.endpoint() }?.status == 502, "started again once the window passed")
        #expect(app.startedPIDs.count == startsBefore + 1)
        await failing.shutdown()
    }

    @Test func appOfflineStopsTheAppAndServesTheFileUntilRemoved() async throws {
        let app = try FixtureApp()
        let (options, log) = Self.options {
            $0.appOfflineDirectory = app.directory
            $0.appOfflinePollInterval = .milliseconds(50)
        }
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let first = try await supervisor.endpoint()
        let offlinePath = FilePath.join(app.directory, "app_offline.htm")
        try FileSystem.writeFileAtomically(offlinePath, Array("<h1>Back soon</h1>".utf8))
        #expect(await eventually {
            let page = await failure { try await supervisor.endpoint() }
            return page?.status == 503 && text(page) == "<h1>Back soon</h1>" && page?.contentType.hasPrefix("text/html") == true
        })
        #expect(await eventually { !processExists(app.startedPIDs[0]) }, "stopped")
        #expect(app.marks.contains("SIGTERM pid=\(app.startedPIDs[0])"), "gracefully: \(app.marks)")
        #expect(app.startedPIDs.count == 1, "nothing started while offline")
        #expect(log.messages.contains { $0.contains("app_offline.htm found") })

        FileSystem.removeFile(offlinePath)
        #expect(await eventually { (try? await supervisor.endpoint())?.generation == 2 })
        #expect(try await supervisor.endpoint().port != 0 && first.generation == 1)
        await supervisor.shutdown()
    }

    @Test func anAppOfflineFilePresentAtStartKeepsTheAppOffline() async throws {
        let app = try FixtureApp()
        try FileSystem.writeFileAtomically(FilePath.join(app.directory, "app_offline.htm"), Array("down".utf8))
        let (options, _) = Self.options { $0.appOfflineDirectory = app.directory }
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        supervisor.startNow()
        let page = await failure { try await supervisor.endpoint() }
        #expect(page?.status == 503 && text(page) == "down")
        #expect(app.marks.isEmpty)
        await supervisor.shutdown()
    }

    @Test func shutdownKillsAnAppThatIgnoresSIGTERMAfterTheLimit() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options { $0.shutdownTimeLimit = .milliseconds(500) }
        let supervisor = AppSupervisor(command: app.command("ignore-term"), options: options)
        _ = try await supervisor.endpoint()
        await supervisor.shutdown()
        #expect(app.marks.contains("SIGTERM pid=\(app.startedPIDs[0])"))
        #expect(!processExists(app.startedPIDs[0]), "killed and reaped")
        let page = await failure { try await supervisor.endpoint() }
        #expect(page?.status == 503, "nothing starts after shutdown")
    }

    @Test func startNowStartsWithoutARequest() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        supervisor.startNow()
        #expect(await eventually { app.marks.contains { $0.hasPrefix("listening") } })
        #expect(try await supervisor.endpoint().generation == 1)
        await supervisor.shutdown()
    }

    @Test func aFloodingAppStillStartsAndAFloodBeforeDyingKeepsOnlyTheTail() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options { $0.showsOutputTail = true }
        let flooding = AppSupervisor(command: app.command("flood"), options: options)
        #expect(try await flooding.endpoint().generation == 1)
        await flooding.shutdown()

        let dying = AppSupervisor(command: app.command("flood-exit"), options: options)
        let page = await failure { try await dying.endpoint() }
        let html = text(page)
        #expect(html.contains("last line"))
        #expect(!html.contains("line 0 "))
        #expect(page.map { $0.body.count < 40_000 } == true, "bounded: \(page?.body.count ?? 0) bytes")
        await dying.shutdown()
    }

    @Test func aFailedConnectionToALiveAppChangesNothingAndToADeadOneStartsAnother() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let first = try await supervisor.endpoint()
        supervisor.connectionFailed(first)
        #expect(try await supervisor.endpoint() == first)
        kill(app.startedPIDs[0], SIGKILL)
        supervisor.connectionFailed(first)
        #expect(await eventually { (try? await supervisor.endpoint())?.generation == 2 })
        await supervisor.shutdown()
    }

    @Test func nothingIsLeftBehind() async throws {
        let app = try FixtureApp()
        let before = openDescriptors()
        let (options, _) = Self.options {
            $0.appOfflineDirectory = app.directory
            $0.shutdownTimeLimit = .milliseconds(300)
            $0.startupTimeLimit = .seconds(1)
        }
        for mode in ["serve", "exit3", "selfkill", "never", "ignore-term", "flood", "foreign"] {
            let supervisor = AppSupervisor(command: app.command(mode), options: options)
            _ = try? await supervisor.endpoint()
            await supervisor.shutdown()
        }
        for pid in app.startedPIDs { #expect(!processExists(pid), "pid \(pid) left behind (zombie or alive)") }
        // Other suites may open descriptors meanwhile; ours must all be gone.
        var leaked: Set<String> = []
        let settled = await eventually(within: 5) {
            leaked = openDescriptors().subtracting(before)
            return leaked.isEmpty
        }
        #expect(settled, "descriptors left open: \(leaked.sorted())")
    }
}

/// Messages the supervisor logged, collected across threads.
final class MessageLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var messages: [String] { lines.withLock { $0 } }
}

/// A monotonic clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = Lock()
    private var value: Int64 = 1_000_000_000_000

    var now: Int64 { lock.withLock { value } }
    func advance(by duration: Duration) { lock.withLock { value += duration.nanoseconds } }
}
