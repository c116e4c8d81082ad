import Glibc
import HostctlIOUring
import Testing

/// Where io_uring tests stand on this machine. They skip, saying why, where the kernel
/// refuses io_uring; but where the machine is known to run it (`.ci/run` probes the kernel
/// itself and sets HOSTCTL_REQUIRE_IOURING=1), a refusal is a failure: a bug in our own
/// setup must not pass as a missing kernel feature.
public enum IOUringAvailability {
    /// Why an io_uring loop cannot be set up here (read once), or nil.
    public static let problem: String? = {
        do {
            _ = try IOUringLoopGroup(count: 1, configuration: .probe)
            return nil
        } catch {
            return "\(error)"
        }
    }()

    /// Whether this run must not skip io_uring tests.
    public static var isRequired: Bool { getenv("HOSTCTL_REQUIRE_IOURING").map { String(cString: $0) == "1" } ?? false }

    /// Skips the running test where io_uring cannot run here (failing instead where it must).
    public static func skipIfUnavailable() throws {
        if let problem { try skip(because: problem) }
    }

    /// Skips the running test because io_uring failed with `reason`, saying so in the
    /// output; or fails it, where this machine must run io_uring.
    public static func skip(because reason: String) throws -> Never {
        if isRequired { throw Required(reason: reason) }
        try Test.cancel("io_uring is unavailable on this machine, so this test was skipped: \(reason)")
    }

    struct Required: Error, CustomStringConvertible {
        let reason: String
        var description: String {
            "io_uring must run on this machine (HOSTCTL_REQUIRE_IOURING=1: the kernel accepted a probe ring), but: \(reason)"
        }
    }
}
