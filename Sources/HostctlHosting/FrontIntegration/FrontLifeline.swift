import Glibc
import HostctlSystem
import Synchronization

/// The app's end of the front's lifeline (`FrontContract.lifelineDescriptorVariable`): the
/// read end of a pipe whose write end only the front holds, so it reads end-of-file the
/// moment the front is gone, however it ended (SIGKILL and crashes included). A thread of
/// its own waits on it; `WebApplication.run()` then shuts the app down at once.
///
/// The front also gives the process it starts a parent-death signal (SIGKILL), which needs
/// no cooperation; the lifeline is what still works where that signal does not reach: an
/// app started through a wrapper that forks it (a shell script, `swift run`), since a
/// parent-death signal ends with the process it was set on and a descriptor is inherited.
final class FrontLifeline: Sendable {
    /// What requests still in flight get once the front is gone. Their clients were the
    /// front's connections, which died with it, so there is nobody to finish them for.
    static let drainLimit: Duration = .milliseconds(500)
    /// From the front's end to the process's, whatever the app still does by then
    /// (a handler ignoring cancellation, code after `run()` returns).
    static let exitLimit: Duration = .milliseconds(900)

    private let lost = Atomic(false)

    /// Starts waiting on `descriptor`. `onLost` is called once, on the lifeline's thread,
    /// when the front has gone; `whenOverdue` `exitLimit` later, if the process still runs
    /// (it ends the process; tests pass something milder).
    init(
        descriptor: Int32, exitLimit: Duration = FrontLifeline.exitLimit,
        onLost: @escaping @Sendable () -> Void, whenOverdue: @escaping @Sendable () -> Void = { _exit(0) }
    ) {
        NativeThread(name: "hostctl-lifeline") { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count > 0 { continue }  // the front never writes; nothing to act on
                if count < 0, errno == EINTR { continue }
                break  // end of file (or a descriptor that is not a pipe at all): the front is gone
            }
            lost.store(true, ordering: .releasing)
            onLost()
            let deadline = MonotonicClock.now() + exitLimit.nanoseconds
            while case let left = deadline - MonotonicClock.now(), left > 0 {
                _ = poll(nil, 0, Int32(clamping: (left + 999_999) / 1_000_000))
            }
            whenOverdue()
        }.detach()
    }

    /// Whether the front has gone.
    var isLost: Bool { lost.load(ordering: .acquiring) }
}
