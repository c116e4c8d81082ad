import CHostctlLinux
import Glibc
import HostctlSystem

/// Turns asynchronous signals into readable events: the signals are blocked and read
/// from a signalfd in the monitor's poll loop, so no handler runs at an awkward moment
/// and hostctl can decide per signal whether to forward it or swallow it.
///
/// Create it on the main thread before any other thread starts: a blocked signal is
/// only reliably caught this way when every thread blocks it, and threads inherit the
/// mask of the thread that creates them.
public final class SignalRelay {
    public struct Record: Sendable, Equatable {
        public let signal: Int32
        /// `si_code`: who raised it (`SI_USER` for kill(2), `SI_QUEUE`, `SI_TKILL`, `SI_KERNEL`…).
        public let code: Int32
        /// The sender's pid for kill(2)-sent signals; 0 for ones the kernel raised (a terminal's Ctrl+C).
        public let senderPID: Int32

        public init(signal: Int32, code: Int32, senderPID: Int32) {
            self.signal = signal
            self.code = code
            self.senderPID = senderPID
        }

        /// Sent by a process (kill(2), sigqueue(3), tgkill(2)) rather than raised by the
        /// kernel, as a terminal's Ctrl+C, Ctrl+\ and hang-up are.
        public var isSentByProcess: Bool {
            code == Int32(SI_USER) || code == Int32(SI_QUEUE) || code == Int32(SI_TKILL)
        }
    }

    public let descriptor: Int32
    public let signals: [Int32]

    public init(signals: [Int32]) throws(SystemError) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        let result = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard result == 0 else { throw SystemError("pthread_sigmask", code: result) }
        let fd = chl_signalfd(&set)
        guard fd >= 0 else { throw SystemError.last("signalfd") }
        descriptor = fd
        self.signals = signals
    }

    deinit { Descriptor.close(descriptor) }

    /// Every signal that has arrived and not been read yet.
    public func drain() -> [Record] {
        var records: [Record] = []
        var raw = chl_signal_record()
        while chl_signalfd_read(descriptor, &raw) == 1 {
            records.append(Record(signal: raw.signo, code: raw.code, senderPID: raw.pid))
        }
        return records
    }
}
