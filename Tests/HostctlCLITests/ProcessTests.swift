import Glibc
import HostctlSupervisor
import HostctlSystem
import Testing

/// Exit codes, signals and what the app inherits.
@Suite struct ProcessTests {
    func runApp(_ product: String, _ arguments: [String] = [], passing: [Int32] = [],
                whileRunning: ((String, ChildProcess) -> Void)? = nil) throws -> RunResult {
        let package = try Fixture.consoleApps.sharedBuild()
        return try Hostctl.run(
            ["run", "--no-build", "--no-launch-profile", "--product", product] + arguments, in: package, timeout: 60,
            passing: passing, whileRunning: whileRunning
        )
    }

    @Test(arguments: [0, 3, 42, 255])
    func exitCodeIsTheApps(_ code: Int32) throws {
        let result = try runApp("exitwith", ["\(code)"])
        #expect(result.exitCode == code, "\(result)")
        #expect(result.stdout.contains("exiting with \(code)"))
    }

    @Test(arguments: [SIGKILL, SIGSEGV, SIGABRT])
    func deathBySignalIs128PlusTheSignal(_ signal: Int32) throws {
        let result = try runApp("exitwith", ["--signal", "\(signal)"])
        #expect(result.status == .exited(128 + signal), "\(result)")
    }

    /// SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to hostctl alone (kill(2): SI_USER, as
    /// `kill -INT`, `timeout -s INT` and process managers send them) reach the app once,
    /// and hostctl ends with the app's code.
    @Test(arguments: [(SIGINT, "Interrupted!", Int32(42)), (SIGTERM, "Terminating!", 43), (SIGHUP, "Hangup!", 44), (SIGQUIT, "Quit!", 45)])
    func forwardedSignals(_ signal: Int32, _ said: String, _ code: Int32) throws {
        var sent = false
        let result = try runApp("traps") { stdout, hostctl in
            if !sent, stdout.contains("ready") {
                sent = true
                hostctl.send(signal)
            }
        }
        #expect(result.stdout.components(said) == 1, "\(result)")
        #expect(result.status == .exited(code), "\(result)")
    }

    /// Ctrl+C reaches the whole foreground process group; hostctl lets the app decide and
    /// ends with its code (dotnet run's ItIgnoresSIGINT). The test plays the terminal.
    @Test func interruptGoesToTheAppThroughTheProcessGroup() throws {
        var sent = false
        let result = try runApp("traps") { stdout, hostctl in
            if !sent, stdout.contains("ready") {
                sent = true
                kill(-hostctl.pid, SIGINT)
            }
        }
        #expect(result.stdout.components("Interrupted!") == 1, "\(result)")
        #expect(result.status == .exited(42), "\(result)")
    }

    @Test func theAppStartsWithDefaultSignalsAndOnlyTheStandardDescriptors() throws {
        // Hand hostctl an inheritable descriptor 3; it must not reach the app.
        let ends = try Descriptor.pipe()
        defer { Descriptor.close(ends.read); Descriptor.close(ends.write) }
        let result = try runApp("printargs", passing: [ends.write])
        let app = AppReport(result.stdout)
        #expect(result.exitCode == 0, "\(result)")
        #expect(app.signalMask == "0000000000000000")
        // Signals 32 and 33 belong to glibc (thread cancellation, setxid); it refuses to let
        // anyone change them, so whatever the test runner set for them is not hostctl's doing.
        let glibcReserved: UInt64 = 0x3 << 31
        #expect(UInt64(app.ignoredSignals ?? "", radix: 16).map { $0 & ~glibcReserved } == 0, "\(result)")
        #expect(app.descriptors == "0,1,2")
    }

    @Test func stdinIsInherited() throws {
        let package = try Fixture.consoleApps.sharedBuild()
        let command = "echo typed | '\(Hostctl.executable)' run --no-build --no-launch-profile --product printargs -e FIXTURE_READ_STDIN=1"
        let result = try Hostctl.runTool("/bin/sh", ["-c", command], in: package)
        #expect(result.stdout.contains("stdin=typed"), "\(result)")
    }
}

extension String {
    func components(_ needle: String) -> Int { split(separator: needle, omittingEmptySubsequences: false).count - 1 }
}
