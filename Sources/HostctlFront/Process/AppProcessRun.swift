import CHostctlLinux
import Glibc
import Hostctl
import HostctlSupervisor
import HostctlSystem

/// One run of the app, from spawn to reaping, on a thread of its own: it reads the port
/// from the readiness pipe (or finds the app listening on the port it gave it, for apps that
/// do not report one), copies the app's output to hostctl's while keeping a bounded
/// tail, enforces the startup and shutdown limits, and reaps the process (so there is
/// never a zombie). All of it happens in one poll loop; nothing blocks Swift's pool.
///
/// It reports at most twice: `onReady` with the port, then `onEnd` once the process is
/// reaped and every descriptor of the run is closed.
final class AppProcessRun: @unchecked Sendable {
    /// How a run ended.
    struct Ending: Sendable {
        /// nil when no process was started (spawning failed).
        var status: ExitStatus?
        /// nil when the process ended because it was asked to stop.
        var failure: AppFailure?
        var becameReady: Bool
        var outputTail: [String]
    }

    let generation: Int
    let token: String
    let command: AppCommand
    private let options: AppSupervisorOptions

    // Guarded by `lock`: what other threads may touch.
    private let lock = Lock()
    /// An eventfd that wakes the loop; -1 once the run has ended (so a late `requestStop`
    /// can never write to a reused descriptor number).
    private var wakeDescriptor: Int32 = -1
    /// When the graceful stop begins (monotonic ns); nil until one is asked for.
    private var stopAt: Int64?
    private var pid: pid_t = 0
    private var exitNoticed = false

    /// Output still in the pipes after the app exited is read for this long at most: a
    /// process the app started may keep them open.
    private static let drainGrace: Int64 = 500_000_000

    init(generation: Int, command: AppCommand, options: AppSupervisorOptions) {
        self.generation = generation
        self.token = PairingToken.make()
        self.command = command
        self.options = options
    }

    func start(
        onReady: @escaping @Sendable (AppProcessRun, UInt16) -> Void,
        onEnd: @escaping @Sendable (AppProcessRun, Ending) -> Void
    ) {
        let wake = chl_eventfd()
        lock.withLock { wakeDescriptor = wake }
        NativeThread(name: "hostctl-app-\(generation)") { [self] in
            let ending = run(wake: wake, onReady: onReady)
            lock.withLock {
                if wakeDescriptor >= 0 { Descriptor.close(wakeDescriptor) }
                wakeDescriptor = -1
            }
            onEnd(self, ending)
        }.detach()
    }

    /// Graceful stop: SIGTERM to the app's process group, SIGKILL after the shutdown limit.
    /// With a grace period, the stop begins once it has passed (a run being replaced gets
    /// that long to finish the requests it has); asking again can only bring it forward.
    func requestStop(after grace: Duration = .zero) {
        let at = MonotonicClock.now() + grace.nanoseconds
        lock.withLock {
            stopAt = min(stopAt ?? at, at)
            wake()
        }
    }

    /// Whether the process has exited (reaped or not), without reaping it: the forwarding
    /// half calls this through `connectionFailed` to learn of a crash before the loop does.
    func hasExited() -> Bool {
        lock.withLock {
            // Until `exitNoticed` is set the loop has not reaped, so the pid is still ours.
            if exitNoticed { return true }
            guard pid > 0 else { return false }
            if Self.peekExited(pid) {
                wake()
                return true
            }
            return false
        }
    }

    /// Call with `lock` held.
    private func wake() {
        guard wakeDescriptor >= 0 else { return }
        Descriptor.signalEvent(wakeDescriptor)
    }

    // MARK: The loop

    private struct Output {
        let descriptor: Int32
        let stream: OutputTail.Stream
        let relay: Int32?
    }

    private func run(wake: Int32, onReady: (AppProcessRun, UInt16) -> Void) -> Ending {
        var tail = OutputTail()
        var marker = options.outputLinePrefix.map(AppOutputMarker.init)
        let readiness: (read: Int32, write: Int32)
        let lifeline: (read: Int32, write: Int32)
        do throws(SystemError) {
            readiness = try Descriptor.pipe()
            do { lifeline = try Descriptor.pipe() } catch {
                Descriptor.close(readiness.read)
                Descriptor.close(readiness.write)
                throw error
            }
        } catch {
            return Ending(status: nil, failure: .couldNotStart(error.description), becameReady: false, outputTail: [])
        }
        // The front's end of the lifeline stays open for the whole run: when hostctl dies,
        // the kernel closes it, and the app reads end-of-file.
        defer { Descriptor.close(lifeline.write) }

        let (request, givenPort) = spawnRequest(readiness: readiness.write, lifeline: lifeline.read)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(request)
        } catch {
            for fd in [readiness.read, readiness.write, lifeline.read] { Descriptor.close(fd) }
            return Ending(status: nil, failure: .couldNotStart(Self.describe(error)), becameReady: false, outputTail: [])
        }
        // Only the app may hold these ends, or the front would never see them closed.
        Descriptor.close(readiness.write)
        Descriptor.close(lifeline.read)
        try? Descriptor.setNonBlocking(readiness.read)
        lock.withLock { pid = child.pid }

        let pidDescriptor = chl_pidfd_open(child.pid)
        var readyDescriptor: Int32? = readiness.read
        defer {
            if pidDescriptor >= 0 { Descriptor.close(pidDescriptor) }
            if let readyDescriptor { Descriptor.close(readyDescriptor) }
        }
        // An app that does not report its port is looked for on the one it was given.
        var probe = givenPort.map { PortProbe(port: $0, group: child.pid, now: MonotonicClock.now()) }
        var outputs = [
            Output(descriptor: child.standardOutput!, stream: .standardOutput, relay: options.relayedStandardOutput),
            Output(descriptor: child.standardError!, stream: .standardError, relay: options.relayedStandardError),
        ]

        var report = ReadinessReport()
        var port: UInt16?
        var failure: AppFailure?
        var stopping = false
        var stoppedByRequest = false
        var killDeadline: Int64?
        var killed = false
        var exitedAt: Int64?
        let startupDeadline = MonotonicClock.now() + options.startupTimeLimit.nanoseconds
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        func killGroup() {
            guard !killed else { return }
            killed = true
            kill(-child.pid, SIGKILL)
        }
        func beginStop(_ now: Int64) {
            guard !stopping else { return }
            stopping = true
            kill(-child.pid, SIGTERM)
            killDeadline = now + options.shutdownTimeLimit.nanoseconds
        }
        func becomeReady(_ listening: UInt16) {
            port = listening
            probe = nil
            if let fd = readyDescriptor { Descriptor.close(fd) }
            readyDescriptor = nil
            if !stopping { onReady(self, listening) }
        }

        while true {
            let now = MonotonicClock.now()
            if exitedAt == nil, Self.peekExited(child.pid) {
                exitedAt = now
                lock.withLock { exitNoticed = true }
                // The leader is a zombie until reaped, so its group id cannot be reused yet:
                // whatever it started goes with it.
                kill(-child.pid, SIGKILL)
                _ = child.waitForExit()
            }
            if let exitedAt, outputs.isEmpty || now >= exitedAt + Self.drainGrace { break }

            if exitedAt == nil {
                if !stoppedByRequest, let at = lock.withLock({ stopAt }), now >= at {
                    stoppedByRequest = true
                    beginStop(now)
                }
                if port == nil, failure == nil, !stopping, now >= startupDeadline {
                    failure = .startupTimeout(options.startupTimeLimit)
                    killGroup()
                }
                if port == nil, failure == nil, !stopping, probe?.look(now: now) == true, let given = probe?.port {
                    becomeReady(given)
                }
                if let killDeadline, now >= killDeadline { killGroup() }
            }

            var deadlines: [Int64] = []
            if let exitedAt {
                deadlines.append(exitedAt + Self.drainGrace)
            } else {
                if port == nil, !stopping, failure == nil {
                    deadlines.append(startupDeadline)
                    if let probe { deadlines.append(probe.due) }
                }
                if let killDeadline, !killed { deadlines.append(killDeadline) }
                if !stoppedByRequest, let at = lock.withLock({ stopAt }) { deadlines.append(at) }
                // Without a pidfd (kernels before 5.3), or after SIGKILL, the exit is polled for.
                if pidDescriptor < 0 || killed { deadlines.append(now + 20_000_000) }
            }
            let timeout = deadlines.min().map { Int32(clamping: max(0, ($0 - now + 999_999) / 1_000_000)) } ?? -1

            var descriptors: [pollfd] = []
            if exitedAt == nil, pidDescriptor >= 0 { descriptors.append(pollfd(fd: pidDescriptor, events: Int16(POLLIN), revents: 0)) }
            descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
            if let readyDescriptor { descriptors.append(pollfd(fd: readyDescriptor, events: Int16(POLLIN), revents: 0)) }
            for output in outputs { descriptors.append(pollfd(fd: output.descriptor, events: Int16(POLLIN), revents: 0)) }

            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno != EINTR { usleep(10_000) }  // cannot happen with valid descriptors; never spin
            if ready <= 0 { continue }
            func isReadable(_ fd: Int32) -> Bool { descriptors.contains { $0.fd == fd && $0.revents != 0 } }

            if isReadable(wake) {
                Descriptor.drainEvent(wake)
            }

            if let fd = readyDescriptor, isReadable(fd) {
                let outcome = buffer.withUnsafeMutableBytes { raw in
                    Result { () throws(SystemError) in try Descriptor.read(fd, into: raw) }
                }
                switch outcome {
                case .success(.none):
                    break
                case .success(let count?) where count > 0:
                    guard failure == nil else { break }
                    report.append(buffer[0..<count])
                    switch report.state {
                    case .waiting:
                        break
                    case .port(let reported):
                        becomeReady(reported)
                    case .invalid(let text):
                        failure = .badReadiness(text)
                        beginStop(now)
                    }
                default:  // end of file (or an error, read the same way): it will not report; the probe looks
                    Descriptor.close(fd)
                    readyDescriptor = nil
                }
            }

            outputs.removeAll { output in
                guard isReadable(output.descriptor) else { return false }
                return !pump(output, buffer: &buffer, tail: &tail, marker: &marker)
            }
        }

        let status = child.exitStatus ?? child.waitForExit()
        if failure == nil, !stoppedByRequest { failure = .ended(status) }
        return Ending(status: status, failure: failure, becameReady: port != nil, outputTail: tail.snapshot)
    }

    /// What the app is started with: the composed environment plus the front's variables
    /// (design §6), and for apps that do not report their port, a free one in `PORT` and
    /// `ASPNETCORE_PORT` and in place of `{port}` in the arguments (ANCM's contract), which
    /// it returns too.
    private func spawnRequest(readiness: Int32, lifeline: Int32) -> (SpawnRequest, givenPort: UInt16?) {
        var environment = command.environment
        environment[FrontContract.portVariable] = "0"
        environment[FrontContract.tokenVariable] = token
        environment[FrontContract.pathBaseVariable] = options.pathBase
        environment[FrontContract.readyDescriptorVariable] = "3"
        environment[FrontContract.lifelineDescriptorVariable] = "4"
        var arguments = command.arguments
        let givenPort = FreePort.pick()
        if let given = givenPort {
            for name in AppCommand.portVariables { environment[name] = String(given) }
            arguments = arguments.map { $0.replacing(AppCommand.portPlaceholder, with: String(given)) }
        }
        var request = SpawnRequest(
            executable: command.executable, arguments: arguments, environment: environment,
            workingDirectory: command.workingDirectory
        )
        request.standardInput = .null
        request.standardOutput = .pipe
        request.standardError = .pipe
        // A group of its own: the front decides when the app stops (after draining), and
        // the whole group can be killed, helpers included, as ANCM's job object is.
        request.grouping = .newGroup
        request.passedDescriptors = [readiness, lifeline]
        // The app never outlives the front, however the front ends (ANCM's job object is
        // killed with IIS). This thread waits for the app, so it outlives it as the signal needs.
        request.parentDeathSignal = SIGKILL
        return (request, givenPort)
    }

    /// Reads until the pipe would block (or 1 MiB, so a flood cannot starve the loop's
    /// other duties), copying to hostctl's stream (marked as the app's, with a prefix set)
    /// and the tail; false at end of file.
    private func pump(_ output: Output, buffer: inout [UInt8], tail: inout OutputTail, marker: inout AppOutputMarker?) -> Bool {
        for _ in 0..<16 {
            let outcome = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in try Descriptor.read(output.descriptor, into: raw) }
            }
            guard case .success(let read) = outcome else { return false }
            guard let count = read else { return true }
            if count == 0 { return false }
            buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                // Copied as it comes, not line by line, so the app's output is never held back.
                // A blocked hostctl stdout blocks this copy (and then the app's writes), just as
                // it would block the app writing to a descriptor it shared with hostctl.
                if let relay = output.relay {
                    if let marked = marker?.mark(chunk, from: output.stream) {
                        try? Descriptor.writeAll(relay, marked)
                    } else {
                        try? Descriptor.writeAll(relay, chunk)
                    }
                }
                tail.append(chunk, from: output.stream)
            }
        }
        return true
    }

    /// Whether `pid` has exited, leaving it unreaped (waitid with WNOWAIT).
    static func peekExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return result == 0 && info._sifields._sigchld.si_pid == pid
    }

    private static func describe(_ error: SystemError) -> String {
        switch error.code {
        case ENOENT: "the file does not exist"
        case EACCES: "permission denied (is it executable?)"
        case ENOEXEC: "it is not a program this system can run"
        default: error.reason
        }
    }
}
