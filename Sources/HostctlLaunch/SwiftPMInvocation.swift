import Glibc
import HostctlSupervisor
import HostctlSystem

/// Runs a `swift` subcommand for hostctl: with hostctl's own environment (never the
/// app's `-e` values), signals relayed, and output handled as the caller says.
struct SwiftPMInvocation {
    let toolchain: SwiftToolchain
    let environment: ProcessEnvironment
    let relay: SignalRelay?
    let reporter: Reporter

    /// Runs to completion. `outputs` receive (stdout, stderr) chunks; `tick` runs every 100 ms.
    func run(
        _ arguments: [String], in directory: String,
        stdout: @escaping (UnsafeRawBufferPointer) -> Void, stderr: @escaping (UnsafeRawBufferPointer) -> Void,
        tick: (() -> Void)? = nil, interrupted: inout Bool
    ) throws(HostctlFailure) -> ExitStatus {
        reporter.detail("Running: \(toolchain.driver) \(arguments.joined(separator: " "))")
        var request = SpawnRequest(executable: toolchain.driver, arguments: arguments, environment: environment, workingDirectory: directory)
        request.standardOutput = .pipe
        request.standardError = .pipe
        request.standardInput = .null
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(request)
        } catch {
            throw HostctlFailure("Could not start '\(toolchain.driver)': \(error.reason).")
        }
        var monitor = ChildMonitor()
        monitor.relay = relay
        monitor.shouldForward = SignalPolicy.shouldForward
        var sawInterrupt = false
        monitor.onSignal = { record in if record.signal == SIGINT { sawInterrupt = true } }
        monitor.outputs = [
            ChildMonitor.Output(descriptor: child.standardOutput!, handle: stdout),
            ChildMonitor.Output(descriptor: child.standardError!, handle: stderr),
        ]
        if let tick {
            monitor.tickInterval = 100_000_000
            monitor.onTick = tick
        }
        let status = monitor.wait(for: child).status
        interrupted = sawInterrupt
        return status
    }
}

/// Which signals hostctl passes on to its child and which it leaves to the terminal.
public enum SignalPolicy {
    public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// A signal sent to hostctl by another process (`kill`, `timeout -s INT`, a process
    /// manager) reached hostctl alone: pass it on, SIGINT included. One the kernel raised
    /// for the terminal (Ctrl+C, Ctrl+\, a hang-up) went to the whole foreground group,
    /// child included, so hostctl swallows its copy and lets the child decide, as `dotnet
    /// run` does; forwarding it would deliver it twice.
    public static func shouldForward(_ record: SignalRelay.Record) -> Bool {
        handled.contains(record.signal) && record.isSentByProcess
    }
}
