import HostctlSupervisor
import HostctlSystem

/// A helper program `dev-certs` runs (`certutil`, `update-ca-certificates`), found on PATH,
/// run to completion with its output captured for `--verbose`.
struct ExternalTool {
    let path: String
    let environment: ProcessEnvironment

    init?(_ name: String, environment: ProcessEnvironment) {
        guard let path = ExecutableSearch.find(name, path: environment["PATH"]) else { return nil }
        self.path = path
        self.environment = environment
    }

    struct Outcome {
        let succeeded: Bool
        /// stdout and stderr together, trimmed.
        let output: String
    }

    func run(_ arguments: [String]) -> Outcome {
        var request = SpawnRequest(executable: path, arguments: arguments, environment: environment)
        request.standardInput = .null
        request.standardOutput = .pipe
        request.standardError = .pipe
        let child: ChildProcess
        do { child = try ChildProcess.spawn(request) } catch {
            return Outcome(succeeded: false, output: "\(path) could not start: \(error.reason)")
        }
        var captured: [UInt8] = []
        var monitor = ChildMonitor()
        let collect: (UnsafeRawBufferPointer) -> Void = { captured += $0 }
        monitor.outputs = [
            ChildMonitor.Output(descriptor: child.standardOutput!, handle: collect),
            ChildMonitor.Output(descriptor: child.standardError!, handle: collect),
        ]
        // A trust tool that hangs (a password prompt on a protected NSS database) must not hang hostctl.
        monitor.deadline = MonotonicClock.now() + 30_000_000_000
        let result = monitor.wait(for: child)
        let text = String(decoding: captured, as: UTF8.self)
        return Outcome(succeeded: result.status == .exited(0) && !result.timedOut, output: text.trimmingWhitespace())
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
