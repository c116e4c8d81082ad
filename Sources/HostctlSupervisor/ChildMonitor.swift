import CHostctlLinux
import Glibc
import HostctlSystem

/// Waits for a child while doing what must happen meanwhile: relaying signals, pumping
/// its output pipes, and running a periodic task; all from one poll loop on the
/// calling thread, with no threads and no signal handlers.
public struct ChildMonitor {
    /// A pipe to read, and what to do with each chunk read from it.
    public struct Output {
        public let descriptor: Int32
        public let handle: (UnsafeRawBufferPointer) -> Void

        public init(descriptor: Int32, handle: @escaping (UnsafeRawBufferPointer) -> Void) {
            self.descriptor = descriptor
            self.handle = handle
        }
    }

    public struct Result: Sendable, Equatable {
        public let status: ExitStatus
        /// The deadline passed and the child was killed.
        public let timedOut: Bool
    }

    /// Signals read from here are reported to `onSignal`, then forwarded to the child
    /// when `shouldForward` says so, and swallowed otherwise.
    public var relay: SignalRelay?
    public var shouldForward: (SignalRelay.Record) -> Bool = { _ in false }
    public var onSignal: ((SignalRelay.Record) -> Void)?
    public var outputs: [Output] = []
    /// Runs every `tickInterval` nanoseconds while the child runs.
    public var tickInterval: Int64?
    public var onTick: (() -> Void)?
    /// A monotonic time after which the child (and its group, with `killsGroup`) gets SIGKILL.
    public var deadline: Int64?
    public var killsGroup = false
    /// How long to keep reading pipes after the child exits: a grandchild may hold them open.
    public var drainGrace: Int64 = 2_000_000_000

    public init() {}

    public func wait(for child: ChildProcess) -> Result {
        let pidDescriptor = chl_pidfd_open(child.pid)
        defer { if pidDescriptor >= 0 { Descriptor.close(pidDescriptor) } }

        var openOutputs = outputs
        var exitedAt: Int64?
        var timedOut = false
        var nextTick = tickInterval.map { MonotonicClock.now() + $0 }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while true {
            let now = MonotonicClock.now()
            if exitedAt == nil, child.reapIfExited() != nil { exitedAt = now }
            if let exitedAt, openOutputs.isEmpty || now >= exitedAt + drainGrace { break }

            if exitedAt == nil, let deadline, now >= deadline, !timedOut {
                timedOut = true
                if killsGroup { kill(-child.pid, SIGKILL) }
                child.send(SIGKILL)
            }
            if exitedAt == nil, let due = nextTick, now >= due, let interval = tickInterval {
                onTick?()
                nextTick = now + interval
            }

            var waits: [Int64] = []
            if exitedAt == nil {
                if let nextTick { waits.append(nextTick) }
                if let deadline, !timedOut { waits.append(deadline) }
                // Without a pidfd (kernels before 5.3) the exit is noticed by polling.
                if pidDescriptor < 0 || timedOut { waits.append(now + 20_000_000) }
            } else if let exitedAt {
                waits.append(exitedAt + drainGrace)
            }
            let timeout: Int32 = waits.min().map { Int32(clamping: max(0, ($0 - now + 999_999) / 1_000_000)) } ?? -1

            var descriptors: [pollfd] = []
            if exitedAt == nil, pidDescriptor >= 0 { descriptors.append(pollfd(fd: pidDescriptor, events: Int16(POLLIN), revents: 0)) }
            if let relay { descriptors.append(pollfd(fd: relay.descriptor, events: Int16(POLLIN), revents: 0)) }
            for output in openOutputs { descriptors.append(pollfd(fd: output.descriptor, events: Int16(POLLIN), revents: 0)) }

            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                break  // poll itself failing leaves nothing sensible to wait on
            }
            if ready == 0 { continue }

            if let relay {
                for record in relay.drain() {
                    onSignal?(record)
                    if exitedAt == nil, shouldForward(record) { child.send(record.signal) }
                }
            }

            openOutputs.removeAll { output in
                guard let entry = descriptors.first(where: { $0.fd == output.descriptor }), entry.revents != 0 else { return false }
                return pump(output, buffer: &buffer) == .ended
            }
        }
        if exitedAt == nil { _ = child.waitForExit() }
        return Result(status: child.exitStatus ?? child.waitForExit(), timedOut: timedOut)
    }

    private enum PumpResult { case open, ended }

    /// Reads until the pipe would block; reports whether it reached end of file.
    private func pump(_ output: Output, buffer: inout [UInt8]) -> PumpResult {
        while true {
            let outcome = buffer.withUnsafeMutableBytes { raw in
                Swift.Result { () throws(SystemError) in try Descriptor.read(output.descriptor, into: raw) }
            }
            guard case .success(let read) = outcome else { return .ended }  // a broken pipe ends like EOF
            guard let count = read else { return .open }  // would block: wait for poll
            if count == 0 { return .ended }
            buffer.withUnsafeBytes { raw in output.handle(UnsafeRawBufferPointer(rebasing: raw[0..<count])) }
        }
    }
}
