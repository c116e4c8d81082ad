import Glibc
import HostctlSystem

/// The app's half of the readiness handshake (`FrontContract.readyDescriptorVariable`):
/// once the server listens, the bound port in decimal and "\n" go to the inherited
/// descriptor, which is then closed. The front learns the port and that the app is up in
/// one read, with no window between choosing a free port and binding it.
enum FrontReadiness {
    /// Best effort and quiet: a descriptor that is bad, closed, or whose reader is gone
    /// changes nothing for the app. Standard input, output and error are never used.
    static func report(port: Int, to descriptor: Int32) {
        guard descriptor > 2 else { return }
        withSIGPIPEBlocked { _ = try? Descriptor.writeAll(descriptor, "\(port)\n") }
        Descriptor.close(descriptor)
    }

    /// `run()` ignores SIGPIPE, but an app may call `start()` alone: a write to a pipe whose
    /// reader has gone must then fail with EPIPE rather than kill the process. The signal is
    /// sent to the writing thread, so blocking it here and taking the pending one back
    /// before unblocking leaves the process's dispositions untouched.
    private static func withSIGPIPEBlocked(_ body: () -> Void) {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        body()
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1, sigismember(&previous, SIGPIPE) == 0 {
            var noWait = timespec()
            _ = sigtimedwait(&blocked, nil, &noWait)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
