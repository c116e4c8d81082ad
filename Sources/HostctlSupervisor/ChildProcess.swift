import CHostctlLinux
import Glibc
import HostctlSystem

/// A started child process and the parent's ends of its pipes.
///
/// Spawning follows what SwiftPM's `swift run` does before exec, for the same reason:
/// hostctl may have signals blocked or ignored (Dispatch blocks some on its threads,
/// and hostctl itself blocks the ones it forwards), and a child must start with every
/// signal at its default disposition and an empty mask; and no descriptor hostctl
/// happens to hold may leak into the child. It is fork and exec by hand (`chl_spawn`),
/// not posix_spawn, because only that can give the child a parent-death signal.
public final class ChildProcess {
    public let pid: pid_t
    /// Parent's write end of the child's stdin, when `.pipe` was asked for.
    public private(set) var standardInput: Int32?
    /// Parent's read end of the child's stdout, when `.pipe` was asked for.
    public private(set) var standardOutput: Int32?
    /// Parent's read end of the child's stderr, when `.pipe` was asked for.
    public private(set) var standardError: Int32?
    /// Set once the child has been reaped.
    public private(set) var exitStatus: ExitStatus?

    init(pid: pid_t, standardInput: Int32?, standardOutput: Int32?, standardError: Int32?) {
        self.pid = pid
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    deinit {
        for fd in [standardInput, standardOutput, standardError] { if let fd { Descriptor.close(fd) } }
    }

    /// Starts `request`. Failures to exec (no such file, not executable) are reported
    /// here, synchronously: the spawn waits for the exec in the child.
    public static func spawn(_ request: SpawnRequest) throws(SystemError) -> ChildProcess {
        precondition(request.passedDescriptors.count <= Int(CHL_SPAWN_MAX_PASSED), "at most \(CHL_SPAWN_MAX_PASSED) passed descriptors")
        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = [-1, -1, -1]
        defer { for fd in childEnds where fd >= 0 { Descriptor.close(fd) } }
        do throws(SystemError) {
            for (target, stream) in [request.standardInput, request.standardOutput, request.standardError].enumerated() {
                switch stream {
                case .inherit:
                    break
                case .null:
                    childEnds[target] = try retryingInterrupts("open", subject: "/dev/null") { open("/dev/null", O_RDWR | O_CLOEXEC) }
                case .pipe:
                    let ends = try Descriptor.pipe()
                    let (parentEnd, childEnd) = target == 0 ? (ends.write, ends.read) : (ends.read, ends.write)
                    parentEnds[target] = parentEnd
                    childEnds[target] = childEnd
                }
            }

            var plan = chl_spawn_plan()
            plan.standard_input = childEnds[0]
            plan.standard_output = childEnds[1]
            plan.standard_error = childEnds[2]
            plan.passed_count = Int32(request.passedDescriptors.count)
            switch request.grouping {
            case .inherit: plan.grouping = CHL_SPAWN_SAME_GROUP
            case .newGroup: plan.grouping = CHL_SPAWN_NEW_GROUP
            case .newSession: plan.grouping = CHL_SPAWN_NEW_SESSION
            }
            plan.death_signal = request.parentDeathSignal ?? 0

            let argv = [request.argumentZero ?? request.executable] + request.arguments
            var pid: pid_t = 0
            var failedStep: Int32 = 0
            let result = withCStrings(argv) { argvPointers in
                withCStrings(request.environment.assignments) { envPointers in
                    request.passedDescriptors.withUnsafeBufferPointer { passed in
                        request.executable.withCString { path in
                            withOptionalCString(request.workingDirectory) { directory in
                                plan.path = path
                                plan.directory = directory
                                plan.passed = passed.baseAddress
                                return argvPointers.withUnsafeBufferPointer { argv in
                                    envPointers.withUnsafeBufferPointer { envp in
                                        plan.argv = argv.baseAddress
                                        plan.envp = envp.baseAddress
                                        return chl_spawn(&plan, &pid, &failedStep)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            guard result == 0 else { throw spawnError(result, step: failedStep, request: request) }
            for fd in parentEnds.compactMap({ $0 }) where fd != parentEnds[0] {
                _ = try? Descriptor.setNonBlocking(fd)
            }
            return ChildProcess(pid: pid, standardInput: parentEnds[0], standardOutput: parentEnds[1], standardError: parentEnds[2])
        } catch {
            for fd in parentEnds.compactMap({ $0 }) { Descriptor.close(fd) }
            throw error
        }
    }

    /// Names the call that failed, and what it was about: the program, or the directory.
    private static func spawnError(_ code: Int32, step: Int32, request: SpawnRequest) -> SystemError {
        switch step {
        case CHL_SPAWN_STEP_EXEC: SystemError("execve", code: code, subject: request.executable)
        case CHL_SPAWN_STEP_DIRECTORY: SystemError("chdir", code: code, subject: request.workingDirectory)
        case CHL_SPAWN_STEP_DEATH_SIGNAL: SystemError("prctl(PR_SET_PDEATHSIG)", code: code)
        case CHL_SPAWN_STEP_GROUP: SystemError(request.grouping == .newSession ? "setsid" : "setpgid", code: code)
        case CHL_SPAWN_STEP_DESCRIPTORS: SystemError("dup2", code: code)
        default: SystemError("fork", code: code, subject: request.executable)
        }
    }

    /// Sends `signal` to the child (nothing once it has been reaped: the pid may be reused).
    public func send(_ signal: Int32) {
        guard exitStatus == nil else { return }
        kill(pid, signal)
    }

    /// Reaps the child if it has ended; returns its status then.
    @discardableResult
    public func reapIfExited() -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exitStatus = Self.decode(status)
        return exitStatus
    }

    /// Blocks until the child ends and reaps it.
    public func waitForExit() -> ExitStatus {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        exitStatus = Self.decode(status)
        return exitStatus!
    }

    /// Gives up ownership of a pipe end, so the caller closes it.
    public func takeStandardInput() -> Int32? {
        defer { standardInput = nil }
        return standardInput
    }

    static func decode(_ status: Int32) -> ExitStatus {
        if chl_wait_signaled(status) != 0 { return .signaled(chl_wait_term_signal(status)) }
        return .exited(chl_wait_exit_code(status))
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
