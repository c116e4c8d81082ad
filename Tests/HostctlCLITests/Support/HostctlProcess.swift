import Foundation
import Glibc
import HostctlSupervisor
import HostctlSystem

/// What a finished hostctl run printed and how it ended.
struct RunResult: CustomStringConvertible {
    let status: ExitStatus
    let stdout: String
    let stderr: String
    let timedOut: Bool

    var exitCode: Int32 { status.shellCode }
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    var description: String { "exit \(status)\(timedOut ? " (timed out)" : "")\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the hostctl binary that `swift test` built next to this test bundle.
enum Hostctl {
    static let executable: String = {
        let testBinary = (try? FileSystem.realPath("/proc/self/exe")) ?? CommandLine.arguments[0]
        return FilePath.join(FilePath.directory(testBinary), "hostctl")
    }()

    /// The environment tests start from: this process's, minus variables that would change
    /// hostctl's or an app's behaviour behind the test's back.
    static func baseEnvironment() -> ProcessEnvironment {
        var environment = ProcessEnvironment.current()
        for entry in environment.entries
        where entry.name.hasPrefix("HOSTCTL_") || entry.name.hasPrefix("ASPNETCORE_") || entry.name.hasPrefix("FIXTURE_")
            || entry.name == "BROWSER" || entry.name == "NO_COLOR" {
            environment[entry.name] = nil
        }
        return environment
    }

    /// Runs `hostctl ARGS` in `directory` and waits (at most `timeout` seconds; then hostctl
    /// and everything it started are killed). hostctl leads a process group of its own, as
    /// it would in a terminal, so a test can play the terminal and signal the whole group.
    /// `whileRunning` is called every 20 ms with the output so far and the child, so a
    /// test can send a signal once the app says it is ready.
    static func run(
        _ arguments: [String], in directory: String, environment: ProcessEnvironment? = nil, timeout: Double = 120,
        passing descriptors: [Int32] = [], whileRunning: ((_ stdout: String, _ child: ChildProcess) -> Void)? = nil
    ) throws -> RunResult {
        try runProcess(
            executable, arguments, in: directory, environment: environment, timeout: timeout,
            newProcessGroup: true, passing: descriptors, whileRunning: whileRunning
        )
    }

    /// Runs any program (test set-up uses it for cp and friends) under the same time limit.
    static func runTool(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: ProcessEnvironment? = nil, timeout: Double = 600
    ) throws -> RunResult {
        try runProcess(executable, arguments, in: directory, environment: environment, timeout: timeout)
    }

    private static func runProcess(
        _ executable: String, _ arguments: [String], in directory: String?, environment: ProcessEnvironment?, timeout: Double,
        newProcessGroup: Bool = false, passing descriptors: [Int32] = [],
        whileRunning: ((_ stdout: String, _ child: ChildProcess) -> Void)? = nil
    ) throws -> RunResult {
        var request = SpawnRequest(executable: executable, arguments: arguments, environment: environment ?? baseEnvironment(), workingDirectory: directory)
        request.standardInput = .null
        request.standardOutput = .pipe
        request.standardError = .pipe
        request.grouping = newProcessGroup ? .newGroup : .inherit
        request.passedDescriptors = descriptors
        let child = try spawnRetryingBusyText(request)
        let output = OutputCollector()
        var monitor = ChildMonitor()
        monitor.outputs = [
            .init(descriptor: child.standardOutput!) { output.stdout.append(contentsOf: $0) },
            .init(descriptor: child.standardError!) { output.stderr.append(contentsOf: $0) },
        ]
        monitor.deadline = MonotonicClock.now() + Int64(timeout * 1e9)
        monitor.killsGroup = newProcessGroup
        if let whileRunning {
            monitor.tickInterval = 20_000_000
            monitor.onTick = { whileRunning(String(decoding: output.stdout, as: UTF8.self), child) }
        }
        let result = monitor.wait(for: child)
        return RunResult(
            status: result.status, stdout: String(decoding: output.stdout, as: UTF8.self),
            stderr: String(decoding: output.stderr, as: UTF8.self), timedOut: result.timedOut
        )
    }
}

private final class OutputCollector {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
}

/// Runs a long blocking test body (a build, a shell session) on a thread of its own, so it
/// does not hold one of Swift's few cooperative threads that other suites' tasks need.
/// It stays in the test's task (a task executor preference, not a detached thread), so
/// its `#expect`s are recorded against the test.
func offThePool<T: Sendable>(_ body: () throws -> T) async throws -> T {
    let executor = DedicatedThreadExecutor()
    defer { executor.shutdown() }
    return try await withTaskExecutorPreference(executor) { try body() }
}

/// A task executor with one thread of its own, which runs its jobs in order.
private final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "cli-test"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once its queue is empty.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// A binary the suite has just copied can be briefly "busy" (ETXTBSY): a child that another
/// test forked at that moment holds the copy's write descriptor until it execs. Tried again a
/// few times, as Go's os/exec does for the same race.
private func spawnRetryingBusyText(_ request: SpawnRequest) throws -> ChildProcess {
    for _ in 0..<20 {
        let result = Result { () throws(SystemError) -> ChildProcess in try ChildProcess.spawn(request) }
        if case .failure(let error) = result, error.code == ETXTBSY {
            usleep(50_000)
            continue
        }
        return try result.get()
    }
    return try ChildProcess.spawn(request)
}
