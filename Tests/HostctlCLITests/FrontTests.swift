import Foundation
import Glibc
import HostctlSystem
import Testing

/// The front through the real hostctl binary: `hostctl run` with proxied profiles and
/// `--server proxied`, and `hostctl proxy -- COMMAND`. Apps: printargs (reports what it
/// was given, then exits) and Fixtures/Fronted/app.py (a python3 server that follows the
/// front's contract), so no test builds the hosting library.
@Suite struct FrontTests {
    static func listeningURL(_ stdout: String) -> String? { HostctlCLITests.listeningURL(stdout) }

    /// The fixture app's pid, from its first line (marked as python3's by the front).
    static func appPID(_ stdout: String) -> pid_t? {
        let start = "python3 | fixture app pid="
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(start) }) else { return nil }
        return pid_t(line.dropFirst(start.count).prefix { $0.isNumber })
    }

    @Test func aProxiedProfileWithStartModeAlwaysStartsTheAppWithTheFrontsVariables() async throws {
        try await offThePool {
            let package = try Fixture.consoleApps.sharedBuild()
            var stopped = false
            let result = try Hostctl.run(["run", "--no-build", "-lp", "FrontAlways"], in: package, timeout: 120) { stdout, hostctl in
                guard !stopped, stdout.contains("fds="), stdout.contains("Content root path:") else { return }
                stopped = true
                hostctl.send(SIGTERM)
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.contains("Forwarding to: \(package)/.build/debug/printargs (started now)"), "\(result)")
            let app = AppReport(result.stdout, linePrefix: "printargs | ")
            #expect(app.environment["HOSTCTL_PORT"] == "0")
            #expect(app.environment["HOSTCTL_TOKEN"].map { $0.count == 32 && $0.allSatisfy(\.isHexDigit) } == true)
            #expect(app.environment["HOSTCTL_PATHBASE"] == "/")
            #expect(app.environment["HOSTCTL_READY_FD"] == "3")
            #expect(app.environment["HOSTCTL_LIFELINE_FD"] == "4")
            // For apps that do not report their port: one to listen on, as ANCM gives it (and
            // in PORT, which printargs does not print; AppSupervisorTests look at both).
            #expect(app.environment["ASPNETCORE_PORT"].flatMap(UInt16.init) != nil, "\(result)")
            #expect(app.environment["HOSTCTL_SERVER"] == "iouring", "the app's own server, never proxied")
            #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == "FrontAlways")
            #expect(app.signalMask == "0000000000000000", "signals the front handles are not blocked in the app")
            // Nor ignored (hostctl ignores SIGPIPE); 32 and 33 are glibc's own, as in ProcessTests.
            let glibcReserved: UInt64 = 0x3 << 31
            #expect(UInt64(app.ignoredSignals ?? "", radix: 16).map { $0 & ~glibcReserved } == 0, "\(result)")
            #expect(app.descriptors == "0,1,2,3,4", "the readiness and lifeline descriptors and nothing else")
            #expect(result.stdout.contains("Application is shutting down..."))
        }
    }

    @Test func serverProxiedServesThroughTheFront() async throws {
        try await offThePool {
            let package = try Fixture.fronted.sharedBuild()
            var response = ""
            let result = try Hostctl.serving(["run", "--no-build", "-lp", "direct", "--server", "proxied"], in: package, timeout: 120) { base in
                response = (try? curl(["-s", "-i", base + "/hello"])) ?? "(curl failed)"
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.contains("Hosting environment: Development"), "\(result)")
            #expect(result.stdout.contains("(started on the first request)"))
            #expect(response.hasPrefix("HTTP/1.1 200"), "\(response)")
            #expect(response.hasSuffix("hello from the app at /hello"), "\(response)")
            if let pid = Self.appPID(result.stdout) { #expect(!FileSystem.exists("/proc/\(pid)"), "the app was stopped") }
        }
    }

    @Test func proxyRunsACommandBehindTheFrontAndStopsItOnCtrlC() async throws {
        try await offThePool {
            let directory = try Fixture.fronted.freshCopy()
            var pid: pid_t?
            var response = ""
            let result = try Hostctl.run(
                ["proxy", "--urls", "http://127.0.0.1:0", "--start-mode", "always", "--", "python3", "app.py"], in: directory, timeout: 60
            ) { stdout, hostctl in
                guard pid == nil, let url = Hostctl.nowListeningURL(stdout), let found = Self.appPID(stdout) else { return }
                pid = found
                response = (try? curl(["-s", "-i", url + "/"])) ?? "(curl failed)"
                // A terminal's Ctrl+C goes to the whole foreground group: hostctl leads one here.
                kill(-hostctl.pid, SIGINT)
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.contains("Forwarding to: \(ExecutableSearch.find("python3", path: ProcessInfo.processInfo.environment["PATH"]) ?? "?") app.py (started now)"), "\(result)")
            #expect(result.stdout.contains("port=0 pathbase=/ server=None token-length=32"), "\(result)")
            #expect(result.stdout.contains("      Application is shutting down...\n"), "\(result)")
            #expect(result.stdout.contains("\npython3 | fixture app got SIGTERM\n"), "the front stopped the app gracefully: \(result)")
            let appPID = try #require(pid, "\(result)")
            #expect(!FileSystem.exists("/proc/\(appPID)"), "no process left behind")
            #expect(response.hasSuffix("hello from the app at /"), "\(response)")
        }
    }

    @Test func anAppThatExitsAtOnceIsReportedWithItsOutput() async throws {
        try await offThePool {
            let directory = try TemporaryDirectory.make("front-exit")
            let marker = FilePath.join(directory, "exited")
            var page = ""
            let result = try Hostctl.serving(
                ["proxy", "--urls", "http://127.0.0.1:0", "--start-mode", "always", "--", "sh", "-c", "echo oops >&2; touch exited; exit 3"],
                in: directory, timeout: 60
            ) { base in
                // The marker is written a moment before the exit; the front reaps the app within
                // microseconds of it, long before this SIGTERM can reach it.
                var waited = 0
                while !FileSystem.exists(marker), waited < 400 { usleep(50_000); waited += 1 }
                usleep(100_000)
                page = (try? curl(["-s", "-i", base + "/"])) ?? "(curl failed)"
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stderr.contains("sh | oops\n"), "the app's output appears in hostctl's, marked as the app's: \(result)")
            #expect(result.stderr.contains("sh -c 'echo oops >&2; touch exited; exit 3' exited with code 3 before it was listening."), "\(result)")
            #expect(page.contains("exited with code 3"), "\(page)")
        }
    }

    /// Through the real front with curl: a crash is answered 502 and the next request starts
    /// a new process; app_offline.htm stops the app gracefully and serves its content with
    /// 503; removing it lets the next request start the app again.
    @Test func aCrashedAppIsRestartedAndAppOfflineTakesItDown() async throws {
        try await offThePool {
            let directory = try Fixture.fronted.freshCopy()
            let offlineFile = FilePath.join(directory, "app_offline.htm")
            var first = "", crash = "", second = "", offline = "", back = ""
            let result = try Hostctl.serving(["proxy", "--urls", "http://127.0.0.1:0", "--", "python3", "app.py"], in: directory, timeout: 120) { base in
                first = try curl(["-s", base + "/pid"])
                crash = (try? curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/crash"])) ?? "(curl failed)"
                second = try curl(["-s", base + "/pid"])
                try write("<h1>Down for maintenance</h1>", to: offlineFile)
                // The front looks for the file once a second.
                for _ in 0..<50 where !offline.hasPrefix("HTTP/1.1 503") {
                    usleep(200_000)
                    offline = (try? curl(["-s", "-i", base + "/"])) ?? ""
                }
                FileSystem.removeFile(offlineFile)
                for _ in 0..<50 where !back.hasPrefix("pid=") {
                    usleep(200_000)
                    back = (try? curl(["-s", base + "/pid"])) ?? ""
                }
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(first.hasPrefix("pid="), "\(first)")
            #expect(crash == "502", "the app died mid-request: \(crash)")
            #expect(second.hasPrefix("pid=") && second != first, "a new process after the crash: \(first) then \(second)")
            #expect(offline.hasPrefix("HTTP/1.1 503") && offline.hasSuffix("<h1>Down for maintenance</h1>"), "\(offline)")
            #expect(result.stdout.contains("fixture app got SIGTERM"), "app_offline.htm stops the app gracefully: \(result)")
            #expect(back.hasPrefix("pid=") && back != second, "started again once the file went: \(second) then \(back)")
        }
    }

    /// ANCM's rapidFailsPerMinute through the real front: ten crashes within the minute are
    /// restarted; after them, requests get 503 until the minute has passed.
    @Test func afterTenCrashesInAMinuteRequestsGet503() async throws {
        try await offThePool {
            let directory = try Fixture.fronted.freshCopy()
            var pids: [String] = [], crashes: [String] = [], refused = ""
            let result = try Hostctl.serving(["proxy", "--urls", "http://127.0.0.1:0", "--", "python3", "app.py"], in: directory, timeout: 120) { base in
                for _ in 0..<10 {
                    pids.append((try? curl(["-s", base + "/pid"])) ?? "")
                    crashes.append((try? curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/crash"])) ?? "")
                }
                refused = (try? curl(["-s", "-i", base + "/pid"])) ?? ""
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(pids.allSatisfy { $0.hasPrefix("pid=") } && Set(pids).count == 10, "each crash was followed by a new process: \(pids)")
            #expect(crashes == Array(repeating: "502", count: 10), "\(crashes)")
            #expect(refused.hasPrefix("HTTP/1.1 503"), "the eleventh start is refused within the minute: \(refused)")
        }
    }

    @Test func twoFrontsOnOnePortSayAddressInUse() async throws {
        try await offThePool {
            let directory = try Fixture.fronted.freshCopy()
            var second: RunResult?
            let first = try Hostctl.serving(["proxy", "--urls", "http://127.0.0.1:0", "--", "python3", "app.py"], in: directory, timeout: 60) { base in
                second = try Hostctl.run(["proxy", "--urls", base, "--start-mode", "always", "--", "python3", "app.py"], in: directory, timeout: 60)
            }
            #expect(first.exitCode == 0, "\(first)")
            let refused = try #require(second)
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(refused.stderr.contains("address already in use"), "\(refused)")
            #expect(!refused.stdout.contains("fixture app"), "no app started: \(refused)")
        }
    }

    /// Both URLs of the IIS settings, the sslPort one over TLS with the developer certificate
    /// (in Development, from a data folder of the test's own).
    @Test func anOutOfProcessIISExpressProfileFrontsOnItsIISSettingsURLs() async throws {
        try await offThePool {
            let package = try Fixture.consoleApps.sharedBuild()
            var environment = Hostctl.baseEnvironment()
            environment["BROWSER"] = "true"  // launchBrowser: a browser that opens nothing
            environment["XDG_DATA_HOME"] = try TemporaryDirectory.make("front-dev-certs")
            let made = try Hostctl.run(["dev-certs", "https"], in: package, environment: environment, timeout: 60)
            #expect(made.exitCode == 0, "\(made)")
            var stopped = false
            let result = try Hostctl.run(
                ["run", "--no-build", "-lp", "IIS Express OutOfProcess", "--product", "printargs", "-e", "ASPNETCORE_ENVIRONMENT=Development"],
                in: package, environment: environment, timeout: 60
            ) { stdout, hostctl in
                guard !stopped, stdout.contains("Forwarding to:") else { return }
                stopped = true
                hostctl.send(SIGTERM)
            }
            #expect(result.exitCode == 0, "\(result)")
            #expect(Hostctl.nowListeningURL(result.stdout)?.hasPrefix("http://") == true, "\(result)")
            #expect(result.stdout.contains("Now listening on: http://localhost:61234"), "\(result)")
            #expect(result.stdout.contains("Now listening on: https://localhost:44321"), "\(result)")
            #expect(!result.stdout.contains("Warning"), "\(result)")
        }
    }

    @Test func proxyNeedsURLsAndOneKindOfApp() throws {
        let directory = try TemporaryDirectory.make("front-usage")
        let noURLs = try Hostctl.run(["proxy", "--", "true"], in: directory)
        #expect(noURLs.exitCode == 1)
        #expect(noURLs.stderr.contains("--urls URLS"), "\(noURLs)")
        let both = try Hostctl.run(["proxy", "--urls", "http://127.0.0.1:0", "--project", directory, "--", "true"], in: directory)
        #expect(both.exitCode == 1)
        #expect(both.stderr.contains("Use either --project DIR or -- COMMAND, not both."), "\(both)")
        let missing = try Hostctl.run(["proxy", "--urls", "http://127.0.0.1:0", "--", "no-such-program-here"], in: directory)
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("Unable to run 'no-such-program-here': it was not found on PATH."), "\(missing)")
        let help = try Hostctl.run(["proxy", "--help"], in: directory)
        #expect(help.exitCode == 0)
        #expect(help.stdout.contains("--start-mode <onDemand|always>"), "\(help)")
        #expect(help.stdout.contains("hostctl proxy --urls <URLS> [options] -- <COMMAND> [<ARGS>...]"))
    }
}
