import HostctlSupervisor
import HostctlHosting

/// Why the app could not be started, or why it stopped: the cause a 502 page names.
public enum AppFailure: Sendable, Equatable {
    /// Spawning itself failed (no such file, not executable).
    case couldNotStart(String)
    /// The process ended on its own: "exited with code N" or "was killed by signal N (NAME)".
    case ended(ExitStatus)
    /// It wrote something that is not "PORT\n" to its readiness descriptor.
    case badReadiness(String)
    /// It neither reported a port nor listened on the one it was given within the startup
    /// limit, and was killed.
    case startupTimeout(Duration)

    /// The cause as the end of a sentence starting "The app …".
    public var summary: String {
        switch self {
        case .couldNotStart(let reason): "could not be started: \(reason)"
        case .ended(.exited(let code)): "exited with code \(code)"
        case .ended(.signaled(let signal)): "was killed by signal \(signal) (\(SignalNames.name(of: signal)))"
        case .badReadiness(let text): "wrote \"\(text)\" to \(readyVariable) instead of the port it listens on"
        case .startupTimeout(let limit): "did not start listening within \(Self.describe(limit))"
        }
    }

    private var readyVariable: String { "HOSTCTL_READY_FD" }

    /// "120 s", "1.5 s", "200 ms".
    static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.nanoseconds / 1_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        let tenths = milliseconds / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
