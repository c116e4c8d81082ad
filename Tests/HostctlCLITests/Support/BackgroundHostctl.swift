import Foundation
import Glibc
import HostctlSupervisor
import HostctlSystem

/// `hostctl ARGS` running while the test talks to it (`hostctl watch`): its output is
/// collected on a thread of its own, the test waits for lines to appear, and stops it as
/// a terminal's Ctrl+C would (SIGINT to its process group, which it leads).
final class BackgroundHostctl: @unchecked Sendable {
    private let child: ChildProcess
    private let lock = NSLock()
    private var output: (stdout: [UInt8], stderr: [UInt8]) = ([], [])
    private var ended: RunResult?
    private let finished = NSCondition()

    /// Started in `directory`; killed with its whole group after `timeout` seconds at most.
    init(_ arguments: [String], in directory: String, environment: ProcessEnvironment? = nil, timeout: Double = 600) throws {
        var request = SpawnRequest(
            executable: Hostctl.executable, arguments: arguments, environment: environment ?? Hostctl.baseEnvironment(), workingDirectory: directory
        )
        request.standardInput = .null
        request.standardOutput = .pipe
        request.standardError = .pipe
        request.grouping = .newGroup
        child = try ChildProcess.spawn(request)
        let thread = Thread { [self] in collect(timeout: timeout) }
        thread.name = "hostctl-output"
        thread.start()
    }

    struct Output {
        let stdout: String
        let stderr: String
    }

    var pid: pid_t { child.pid }
    var stdout: String { lock.withLock { String(decoding: output.stdout, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: output.stderr, as: UTF8.self) } }

    /// Waits (at most `timeout` seconds, checking every 20 ms) until `condition` holds for
    /// the output so far; throws with all the output when it does not, or when hostctl ended.
    func waitFor(_ what: String, timeout: Double = 120, _ condition: (Output) -> Bool) throws {
        let deadline = MonotonicClock.now() + Int64(timeout * 1e9)
        while MonotonicClock.now() < deadline {
            if condition(Output(stdout: stdout, stderr: stderr)) { return }
            if lock.withLock({ ended != nil }) { break }
            usleep(20_000)
        }
        if condition(Output(stdout: stdout, stderr: stderr)) { return }
        throw FixtureError("hostctl never showed \(what):\n--- stdout\n\(stdout)--- stderr\n\(stderr)")
    }

    /// The front's public URL ("Now listening on: URL").
    func frontURL() throws -> String {
        try waitFor("Now listening on:") { Hostctl.nowListeningURL($0.stdout) != nil }
        return Hostctl.nowListeningURL(stdout)!
    }

    /// Sends `signal` to hostctl's group, as a terminal does to its foreground job.
    func signalGroup(_ signal: Int32) { Glibc.kill(-child.pid, signal) }

    /// Waits for hostctl to end (at most `timeout` seconds, then kills it) and returns how.
    func result(timeout: Double = 60) -> RunResult {
        let deadline = Date(timeIntervalSinceNow: timeout)
        finished.lock()
        while lock.withLock({ ended == nil }), finished.wait(until: deadline) {}
        finished.unlock()
        if let ended = lock.withLock({ ended }) { return ended }
        Glibc.kill(-child.pid, SIGKILL)
        finished.lock()
        while lock.withLock({ ended == nil }) { finished.wait() }
        finished.unlock()
        return lock.withLock { ended! }
    }

    /// Kills hostctl and its group if it is still running (a test that failed half-way).
    func kill() {
        guard lock.withLock({ ended == nil }) else { return }
        Glibc.kill(-child.pid, SIGKILL)
        _ = result()
    }

    private func collect(timeout: Double) {
        var monitor = ChildMonitor()
        monitor.outputs = [
            .init(descriptor: child.standardOutput!) { [self] bytes in lock.withLock { output.stdout.append(contentsOf: bytes) } },
            .init(descriptor: child.standardError!) { [self] bytes in lock.withLock { output.stderr.append(contentsOf: bytes) } },
        ]
        monitor.deadline = MonotonicClock.now() + Int64(timeout * 1e9)
        monitor.killsGroup = true
        let waited = monitor.wait(for: child)
        lock.withLock {
            ended = RunResult(
                status: waited.status, stdout: String(decoding: output.stdout, as: UTF8.self),
                stderr: String(decoding: output.stderr, as: UTF8.self), timedOut: waited.timedOut
            )
        }
        finished.lock()
        finished.broadcast()
        finished.unlock()
    }
}
